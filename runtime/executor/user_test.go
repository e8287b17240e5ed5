package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// traversable lets every user reach the sandbox's directory (t.TempDir's
// parent is 0700), so that only the sandbox's own mode keeps others out:
// without it the isolation test below could not fail.
func traversable(t *testing.T, s executor.Spec) {
	t.Helper()
	if err := os.Chmod(filepath.Dir(s.Sandbox), 0o755); err != nil {
		t.Fatal(err)
	}
}

// owner is the uid owning path and its permission bits.
func owner(t *testing.T, path string) (uint32, os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Uid, fi.Mode().Perm()
}

// TestSandboxBelongsToTaskUser runs a task as nobody that writes a secret,
// then reads that sandbox from a task as daemon (refused) and from one as
// nobody (allowed, which proves the path was reachable and only the
// sandbox's owner and mode keep daemon out).
func TestSandboxBelongsToTaskUser(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		b := shellSpec(t, "secret-keeper", "echo secret > secret; echo logged")
		b.User = "nobody"
		traversable(t, b)
		if x := run(t, e, b); x.Code != 0 {
			t.Fatalf("exit %+v: %s", x, sandboxFile(t, b, "stderr"))
		}
		for _, p := range []string{b.Sandbox, filepath.Join(b.Sandbox, "stdout"), filepath.Join(b.Sandbox, "stderr"), filepath.Join(b.Sandbox, "secret")} {
			if uid, mode := owner(t, p); uid != 65534 || (p == b.Sandbox && mode != 0o700) {
				t.Errorf("%s: uid %d mode %v, want nobody's (65534), the sandbox 0700", p, uid, mode)
			}
		}
		probe := "cat " + b.Sandbox + "/secret; cat " + b.Sandbox + "/stdout; ls " + b.Sandbox
		a := shellSpec(t, "snoop", probe)
		a.User = "daemon"
		traversable(t, a)
		x := run(t, e, a)
		if x.Code == 0 || strings.Contains(sandboxFile(t, a, "stdout"), "secret") {
			t.Errorf("daemon read nobody's sandbox: exit %+v, stdout %q", x, sandboxFile(t, a, "stdout"))
		}
		if got := sandboxFile(t, a, "stderr"); strings.Count(got, "Permission denied") != 3 {
			t.Errorf("daemon's stderr %q, want three 'Permission denied'", got)
		}
		same := shellSpec(t, "same-user", probe)
		same.User = "nobody"
		if x := run(t, e, same); x.Code != 0 || !strings.Contains(sandboxFile(t, same, "stdout"), "secret\nlogged\n") {
			t.Errorf("nobody reading its own user's sandbox: exit %+v, stdout %q, stderr %q",
				x, sandboxFile(t, same, "stdout"), sandboxFile(t, same, "stderr"))
		}
	})
}

// TestUnknownUser fails the launch with Mesos' message and starts nothing.
func TestUnknownUser(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "ghost", "echo ran > ran")
		s.User = "no-such-user-here"
		_, err := e.Launch(context.Background(), s)
		if err == nil || !strings.Contains(err.Error(), "Failed to get user information for 'no-such-user-here'") {
			t.Fatalf("launch as an unknown user: %v", err)
		}
		if sandboxFile(t, s, "ran") != "" {
			t.Error("the task ran")
		}
	})
}

// TestImageTaskUser runs an image task as the image's nobody: the user is
// resolved in the image and the bind-mounted sandbox is given to it, so the
// task can write its working directory.
func TestImageTaskUser(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeContainerd).withBusybox(t)
	e := r.open(t)
	s := shellSpec(t, "img-user", "id -u; echo written > out")
	s.Image = "busybox"
	s.User = "nobody"
	if x := run(t, e, s); x.Code != 0 {
		t.Fatalf("exit %+v: %s", x, sandboxFile(t, s, "stderr"))
	}
	if got := sandboxFile(t, s, "stdout"); got != "65534\n" {
		t.Errorf("id -u: %q", got)
	}
	if uid, mode := owner(t, s.Sandbox); uid != 65534 || mode != 0o700 {
		t.Errorf("sandbox uid %d mode %v, want 65534 0700", uid, mode)
	}
	s = shellSpec(t, "img-ghost", "true")
	s.Image = "busybox"
	s.User = "no-such-user-here"
	if _, err := e.Launch(context.Background(), s); err == nil || !strings.Contains(err.Error(), "Failed to get user information for 'no-such-user-here'") {
		t.Errorf("image task as an unknown user: %v", err)
	}
}

func TestLookupUser(t *testing.T) {
	for spec, want := range map[string]executor.Credential{
		"nobody":        {UID: 65534, GID: 65534},
		"65534":         {UID: 65534, GID: 65534},
		"nobody:daemon": {UID: 65534, GID: 1},
		"4242":          {UID: 4242, GID: 4242},
		"4242:7":        {UID: 4242, GID: 7},
	} {
		c, err := executor.LookupUser(spec)
		if err != nil || c.UID != want.UID || c.GID != want.GID {
			t.Errorf("%s: %+v %v, want %+v", spec, c, err, want)
		}
	}
	if _, err := executor.LookupUser("no-such-user"); err == nil || err.Error() != "Failed to get user information for 'no-such-user': user: unknown user no-such-user" {
		t.Errorf("unknown user: %v", err)
	}
	for _, spec := range []string{"", ":", "nobody:", "no-such-user", "nobody:no-such-group"} {
		if _, err := executor.LookupUser(spec); err == nil || !strings.HasPrefix(err.Error(), "Failed to get user information for '"+spec+"'") {
			t.Errorf("%q: %v", spec, err)
		}
	}
}
