package executor_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestImageTask(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeContainerd).withBusybox(t)
	e := r.open(t)
	s := shellSpec(t, "img", `echo "hello from $(cat /proc/1/comm)"; echo "sandbox=$MESOS_SANDBOX pwd=$(pwd)"; echo written > $MESOS_SANDBOX/out; ls /bin/busybox`)
	s.Image = "busybox"
	s.MemMB, s.CPUs = 32, 0.1
	if x := run(t, e, s); x.Code != 0 {
		t.Fatalf("exit %+v: %s", x, sandboxFile(t, s, "stderr"))
	}
	out := sandboxFile(t, s, "stdout")
	for _, want := range []string{"hello from sh\n", "sandbox=/mnt/mesos/sandbox pwd=/mnt/mesos/sandbox\n", "/bin/busybox\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
	if got := sandboxFile(t, s, "out"); got != "written\n" {
		t.Errorf("file written to $MESOS_SANDBOX: %q", got)
	}
}

// TestImageDefaultCommand runs an image without a command: its CMD, with
// the Spec's arguments in its place when given.
func TestImageDefaultCommand(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeContainerd).withBusybox(t)
	e := r.open(t)
	s := executor.Spec{TaskID: "cmd", Sandbox: t.TempDir(), Image: containerdtest.BusyboxRef, Args: []string{"echo", "args replace CMD"}}
	if x := run(t, e, s); x.Code != 0 {
		t.Fatalf("exit %+v: %s", x, sandboxFile(t, s, "stderr"))
	}
	if got := sandboxFile(t, s, "stdout"); got != "args replace CMD\n" {
		t.Errorf("stdout %q", got)
	}
	s = executor.Spec{TaskID: "exe", Sandbox: t.TempDir(), Image: "busybox", Command: "cat", Args: []string{"/etc/passwd"}}
	if x := run(t, e, s); x.Code != 0 || !strings.HasPrefix(sandboxFile(t, s, "stdout"), "root:x:0:0") {
		t.Errorf("exit %+v stdout %q", x, sandboxFile(t, s, "stdout"))
	}
}

func TestImageMissing(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeContainerd)
	e := r.open(t)
	s := shellSpec(t, "noimage", "true")
	s.Image = "example/nosuch:1.0"
	_, err := e.Launch(context.Background(), s)
	if err == nil {
		t.Fatal("launch succeeded")
	}
	want := "image example/nosuch:1.0 (docker.io/example/nosuch:1.0) not found locally; import it with `mesosbox image import FILE.tar`"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q\nwant prefix %q", err, want)
	}
	// The failed launch leaves nothing behind.
	if tasks, err := e.Recover(context.Background()); err != nil || len(tasks) != 0 {
		t.Errorf("recover after failed launch: %d tasks, %v", len(tasks), err)
	}
}

func TestImportImageErrors(t *testing.T) {
	t.Parallel()
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	if _, err := executor.ImportImage(context.Background(), sock, ns, "/nonexistent.tar"); err == nil {
		t.Error("import of a missing file succeeded")
	}
}

func TestAutoMode(t *testing.T) {
	t.Parallel()
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	ctx := context.Background()
	e, err := executor.New(ctx, executor.Options{Socket: sock, Namespace: ns, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != executor.ModeContainerd {
		t.Errorf("auto with containerd: %s", e.Name())
	}
	e.Close()

	missing := t.TempDir() + "/no.sock"
	e, err = executor.New(ctx, executor.Options{Mode: executor.ModeAuto, Socket: missing, Namespace: ns, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != executor.ModeProcess {
		t.Errorf("auto without containerd: %s", e.Name())
	}
	e.Close()

	if _, err := executor.New(ctx, executor.Options{Mode: executor.ModeContainerd, Socket: missing, StateDir: t.TempDir()}); err == nil {
		t.Error("containerd mode without containerd succeeded")
	}
	if _, err := executor.New(ctx, executor.Options{Mode: "docker", StateDir: t.TempDir()}); err == nil {
		t.Error("unknown mode accepted")
	}
}
