package containerdtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
)

// Namespace returns a containerd namespace name of its own for the test
// and, at cleanup, kills and deletes every container in it and removes its
// images and the namespace. It keeps tests apart when they share one
// daemon (MESOSBOX_TEST_CONTAINERD), and is harmless on a private one.
func Namespace(t testing.TB, socket string) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("containerdtest: %v", err)
	}
	ns := "test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := client.New(socket)
		if err != nil {
			t.Errorf("containerdtest: %v", err)
			return
		}
		defer c.Close()
		if err := removeContainers(ctx, c, ns); err != nil {
			t.Errorf("containerdtest: clean namespace %s: %v", ns, err)
		}
		if err := removeNamespace(ctx, c, ns); err != nil {
			t.Logf("containerdtest: remove namespace %s: %v", ns, err)
		}
		RemoveCgroups(ns)
	})
	return ns
}

// RemoveCgroups removes the empty cgroup directories named after a
// containerd namespace that runc (and the process executor) leave as the
// parents of their containers' cgroups: /sys/fs/cgroup/<controller>/<ns>
// on cgroup v1, /sys/fs/cgroup/<ns> on v2. Non-empty ones stay.
func RemoveCgroups(ns string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", ns))
	dirs = append(dirs, filepath.Join("/sys/fs/cgroup", ns))
	for _, dir := range dirs {
		children, _ := os.ReadDir(dir)
		for _, c := range children {
			if c.IsDir() {
				_ = os.Remove(filepath.Join(dir, c.Name()))
			}
		}
		_ = os.Remove(dir)
	}
}

// ImportBusybox imports the BusyboxImage tarball into namespace through
// the containerd client and unpacks it for the default snapshotter, as
// `mesosbox image import` would. It returns the image name,
// docker.io/library/busybox:latest.
func ImportBusybox(t testing.TB, socket, namespace string) string {
	t.Helper()
	tarball := BusyboxImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = namespaces.WithNamespace(ctx, namespace)
	c, err := client.New(socket)
	if err != nil {
		t.Fatalf("containerdtest: %v", err)
	}
	defer c.Close()
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatalf("containerdtest: %v", err)
	}
	defer f.Close()
	imgs, err := c.Import(ctx, f)
	if err != nil {
		t.Fatalf("containerdtest: import %s: %v", tarball, err)
	}
	for _, img := range imgs {
		if img.Name != BusyboxRef {
			continue
		}
		if err := client.NewImage(c, img).Unpack(ctx, ""); err != nil {
			t.Fatalf("containerdtest: unpack %s: %v", img.Name, err)
		}
		return img.Name
	}
	t.Fatalf("containerdtest: import of %s named no %s (got %v)", tarball, BusyboxRef, imgs)
	return ""
}

// removeContainers kills every task in the namespace, deletes the tasks,
// then the containers with their snapshots.
func removeContainers(ctx context.Context, c *client.Client, ns string) error {
	ctx = namespaces.WithNamespace(ctx, ns)
	containers, err := c.Containers(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, ctr := range containers {
		if task, err := ctr.Task(ctx, nil); err == nil {
			exited, werr := task.Wait(ctx)
			if werr == nil {
				if err := task.Kill(ctx, syscall.SIGKILL, client.WithKillAll); err != nil && !errdefs.IsNotFound(err) {
					errs = append(errs, fmt.Errorf("kill %s: %w", ctr.ID(), err))
				}
				select {
				case <-exited:
				case <-ctx.Done():
				}
			}
			if _, err := task.Delete(ctx, client.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("delete task %s: %w", ctr.ID(), err))
			}
		}
		if err := ctr.Delete(ctx, client.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete container %s: %w", ctr.ID(), err))
		}
	}
	return errors.Join(errs...)
}

// removeNamespace deletes the namespace's images, then the namespace;
// containerd refuses to delete a namespace that still holds anything.
func removeNamespace(ctx context.Context, c *client.Client, ns string) error {
	ctx = namespaces.WithNamespace(ctx, ns)
	imgs, err := c.ImageService().List(ctx)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if err := c.ImageService().Delete(ctx, img.Name, images.SynchronousDelete()); err != nil && !errdefs.IsNotFound(err) {
			return err
		}
	}
	// Snapshots of deleted containers are garbage collected in the
	// background; the namespace is removable once they are gone.
	err = c.NamespaceService().Delete(ctx, ns)
	for i := 0; i < 50 && errdefs.IsFailedPrecondition(err); i++ {
		time.Sleep(100 * time.Millisecond)
		err = c.NamespaceService().Delete(ctx, ns)
	}
	return err
}
