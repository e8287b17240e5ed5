package executor_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestMain(m *testing.M) {
	// The executor re-executes this test binary as its monitor, init and
	// logger helpers.
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}

// hang bounds every wait in these tests, so that a broken executor fails
// instead of hanging; it is never an expectation about speed.
const hang = time.Minute

// quiet keeps the executors' routine log lines out of test output.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// rig is one executor's environment: for containerd a private daemon and a
// namespace of the test's own, for process a state directory and a cgroup
// namespace of its own.
type rig struct {
	mode string
	opts executor.Options
}

func newRig(t testing.TB, mode string) *rig {
	t.Helper()
	r := &rig{mode: mode, opts: executor.Options{Mode: mode, StateDir: t.TempDir(), Offline: true, Logger: quiet}}
	switch mode {
	case executor.ModeContainerd:
		r.opts.Socket = containerdtest.Start(t)
		r.opts.Namespace = containerdtest.Namespace(t, r.opts.Socket)
	default:
		var b [4]byte
		_, _ = rand.Read(b[:])
		r.opts.Namespace = "test-" + hex.EncodeToString(b[:])
		t.Cleanup(func() { containerdtest.RemoveCgroups(r.opts.Namespace) })
	}
	return r
}

// withBusybox imports the busybox image the way `mesosbox image import`
// does.
func (r *rig) withBusybox(t testing.TB) *rig {
	t.Helper()
	names, err := executor.ImportImage(context.Background(), r.opts.Socket, r.opts.Namespace, containerdtest.BusyboxImage(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != containerdtest.BusyboxRef {
		t.Fatalf("imported %v, want [%s]", names, containerdtest.BusyboxRef)
	}
	return r
}

// open starts an executor, closed at cleanup (which leaves its tasks
// running: the namespace or state cleanup takes care of those).
func (r *rig) open(t testing.TB) executor.Executor {
	t.Helper()
	e, err := executor.New(context.Background(), r.opts)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != r.mode {
		t.Fatalf("executor %q, want %q", e.Name(), r.mode)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// forEachMode runs a test against both executors. Every rig is private
// (its own daemon, namespace, state and cgroups), so all of them run in
// parallel: most of a launch is waiting for processes to start.
func forEachMode(t *testing.T, f func(t *testing.T, r *rig)) {
	t.Parallel()
	for _, mode := range []string{executor.ModeProcess, executor.ModeContainerd} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			f(t, newRig(t, mode))
		})
	}
}

func shellSpec(t testing.TB, id, cmd string) executor.Spec {
	return executor.Spec{TaskID: id, Sandbox: t.TempDir(), Command: cmd, Shell: true}
}

func launch(t *testing.T, e executor.Executor, s executor.Spec) executor.Task {
	t.Helper()
	task, err := e.Launch(context.Background(), s)
	if err != nil {
		t.Fatalf("launch %s: %v", s.TaskID, err)
	}
	if task.ID() != s.TaskID || task.Sandbox() != s.Sandbox {
		t.Fatalf("task id %q sandbox %q, want %q %q", task.ID(), task.Sandbox(), s.TaskID, s.Sandbox)
	}
	return task
}

func wait(t testing.TB, task executor.Task) executor.Exit {
	t.Helper()
	select {
	case <-task.Done():
		return task.Exit()
	case <-time.After(hang):
		t.Fatalf("task %s did not exit", task.ID())
		return executor.Exit{}
	}
}

func run(t *testing.T, e executor.Executor, s executor.Spec) executor.Exit {
	t.Helper()
	return wait(t, launch(t, e, s))
}

func sandboxFile(t *testing.T, s executor.Spec, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.Sandbox, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitOutput waits until the task has printed want on stdout.
func waitOutput(t *testing.T, s executor.Spec, want string) {
	t.Helper()
	waitFor(t, "output "+want, func() bool { return strings.Contains(sandboxFile(t, s, "stdout"), want) })
}
