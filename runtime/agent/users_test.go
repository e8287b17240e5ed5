package agent

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

func taskAs(id, usr, cmd string) mesos.TaskInfo {
	info := shellTask(id, cmd)
	if usr != "" {
		info.Command.User = &usr
	}
	return info
}

// sandboxOf is the sandbox of a completed task.
func (h *harness) sandboxOf(task string) string {
	h.t.Helper()
	waitFor(h.t, task+" completed", func() bool { return h.completed(task) })
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	for _, t := range h.a.completed {
		if t.id() == task {
			return t.rec.Sandbox
		}
	}
	return ""
}

// TestTaskUsers runs tasks on an agent whose default task user is daemon:
// one asking for nobody runs as nobody, one asking for nothing (from a
// framework registered as root) runs as daemon, one asking for a user the
// host lacks fails with Mesos' message, and the daemon task cannot read
// the nobody task's sandbox, which the agent (root) still serves.
func TestTaskUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("switching task users needs root; run the agent tests as root")
	}
	h := newHarness(t)
	h.cfg.DefaultTaskUser = "daemon"
	// The work dir's parent starts 0700, as the node's data dir does: the
	// agent makes it traversable, so that a task reaches its sandbox by
	// path, and only a sandbox's own owner and mode keep other users out.
	if err := os.Chmod(filepath.Dir(h.workDir), 0o700); err != nil {
		t.Fatal(err)
	}
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	h.m.launch(fw, taskAs("as-nobody", "nobody", "id -u; echo secret > $MESOS_SANDBOX/secret"))
	h.m.waitState(t, "as-nobody", mesos.TASK_FINISHED)
	victim := h.sandboxOf("as-nobody")
	for _, p := range []string{victim, filepath.Join(victim, "stdout"), filepath.Join(victim, "stderr"), filepath.Join(victim, "secret")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != 65534 || (p == victim && fi.Mode().Perm() != 0o700) {
			t.Errorf("%s: uid %d mode %v, want nobody's (65534), the sandbox 0700", p, uid, fi.Mode().Perm())
		}
	}
	if got := readFile(t, victim, "stdout"); got != "65534\n" {
		t.Errorf("as-nobody: id -u %q", got)
	}

	if fi, err := os.Stat(filepath.Dir(h.workDir)); err != nil || fi.Mode().Perm() != 0o711 {
		t.Errorf("the work dir's parent: %v %v, want mode 0711", fi.Mode(), err)
	}
	h.m.launch(fw, taskAs("as-default", "", "id -u; cat "+victim+"/secret"))
	u := h.m.waitState(t, "as-default", mesos.TASK_FAILED)
	own := h.sandboxOf("as-default")
	if got := readFile(t, own, "stdout"); got != "1\n" {
		t.Errorf("as-default: id -u %q, want daemon's uid 1", got)
	}
	if got := readFile(t, own, "stderr"); !strings.Contains(got, "Permission denied") {
		t.Errorf("daemon reading nobody's sandbox: stderr %q, status %q", got, u.Status.GetMessage())
	}

	h.m.launch(fw, taskAs("ghost", "no-such-user-here", "echo ran"))
	u = h.m.waitState(t, "ghost", mesos.TASK_FAILED)
	if msg := u.Status.GetMessage(); !strings.Contains(msg, "Failed to get user information for 'no-such-user-here'") {
		t.Errorf("unknown user: %q", msg)
	}

	code, body := h.get("/files/read?offset=0&path=" + url.QueryEscape(victim+"/secret"))
	if code != 200 || !strings.Contains(string(body), "secret") {
		t.Errorf("the agent serving nobody's sandbox: %d %s", code, body)
	}
}

func TestTaskUserChoice(t *testing.T) {
	for _, c := range []struct {
		cmd, framework, def string
		image               bool
		want                string
	}{
		{"alice", "root", "nobody", false, "alice"},
		{"", "root", "nobody", false, "nobody"},
		{"", "daemon", "nobody", false, "daemon"},
		{"", "no-such-user-here", "nobody", false, "nobody"},
		{"", "root", "", false, ""},
		{"", "", "", false, ""},
		{"root", "daemon", "nobody", false, "root"},
		{"", "daemon", "nobody", true, ""},
		{"bob", "root", "nobody", true, "bob"},
	} {
		if got := taskUser(c.cmd, c.framework, c.def, c.image); got != c.want {
			t.Errorf("taskUser(%q, %q, %q, image %v) = %q, want %q", c.cmd, c.framework, c.def, c.image, got, c.want)
		}
	}
}

// TestUnknownDefaultTaskUser refuses to start an agent whose default task
// user the host does not know.
func TestUnknownDefaultTaskUser(t *testing.T) {
	h := newHarness(t)
	cfg := h.cfg
	cfg.DefaultTaskUser = "no-such-user-here"
	e, err := executor.New(context.Background(), executor.Options{Mode: executor.ModeProcess, StateDir: t.TempDir(), Logger: cfg.Logger})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg.Executor = e
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "--default-task-user: Failed to get user information for 'no-such-user-here'") {
		t.Errorf("New: %v", err)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
