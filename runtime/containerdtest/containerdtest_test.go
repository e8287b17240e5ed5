package containerdtest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
)

// TestBusyboxRuns proves the support end to end: a private daemon, the
// busybox tarball imported through the containerd client, and a container
// from it that prints a line.
func TestBusyboxRuns(t *testing.T) {
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	ref := containerdtest.ImportBusybox(t, sock, ns)
	if ref != containerdtest.BusyboxRef {
		t.Fatalf("imported %q, want %q", ref, containerdtest.BusyboxRef)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = namespaces.WithNamespace(ctx, ns)
	c, err := client.New(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img, err := c.GetImage(ctx, "docker.io/library/busybox:latest")
	if err != nil {
		t.Fatal(err)
	}
	ctr, err := c.NewContainer(ctx, "hello",
		client.WithNewSnapshot("hello-rootfs", img),
		client.WithNewSpec(oci.WithImageConfig(img), oci.WithProcessArgs("sh", "-c", "echo hello from $(cat /etc/passwd | head -n1 | cut -d: -f1)")),
	)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "out")
	task, err := ctr.NewTask(ctx, cio.LogFile(logPath))
	if err != nil {
		t.Fatal(err)
	}
	exited, err := task.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st := <-exited
	if code, _, err := st.Result(); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if _, err := task.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "hello from root" {
		t.Fatalf("output %q, want %q", got, "hello from root")
	}
}

// TestBusyboxImageIsStable checks that the tarball is cached: two calls in
// one process return the same file.
func TestBusyboxImageIsStable(t *testing.T) {
	a, b := containerdtest.BusyboxImage(t), containerdtest.BusyboxImage(t)
	if a != b {
		t.Fatalf("two paths: %s, %s", a, b)
	}
	if fi, err := os.Stat(a); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("tarball %s: %v, %v", a, fi, err)
	}
}
