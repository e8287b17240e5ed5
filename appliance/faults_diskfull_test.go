package appliance_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// smallDisk mounts a tmpfs of the given size in MiB and returns its path;
// it is unmounted at cleanup (after the node using it has stopped, as
// cleanups run last-registered first).
func smallDisk(t *testing.T, mib int) string {
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm,mode=0755", mib)); err != nil {
		t.Fatalf("mount a %d MiB tmpfs (the test needs root): %v", mib, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillDisk writes a file until the disk is full and returns its path.
func fillDisk(t *testing.T, dir string) string {
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			return path
		}
	}
}

// stopGracefully ends the node with SIGTERM, as systemd stops it.
func (n *soloNode) stopGracefully(t *testing.T) {
	if err := n.p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	n.p.cmd.Wait()
	n.p.cmd = nil
}

// alive reports whether the node's process still runs.
func (n *soloNode) alive() bool {
	return n.p.cmd != nil && n.p.cmd.Process.Signal(syscall.Signal(0)) == nil && n.p.cmd.ProcessState == nil
}

// TestDiskFullFailsWritesCleanly runs a node whose data dir is a small
// tmpfs and fills it under concurrent Marathon and Chronos writes: writes
// are refused with a 5xx in each API's dialect (never a crash), reads keep
// working, writes are accepted again once space returns, and after a
// restart on the same data dir every acknowledged write is there.
func TestDiskFullFailsWritesCleanly(t *testing.T) {
	disk := smallDisk(t, 64)
	n := startSoloNode(t, filepath.Join(disk, "data"))
	load := startWriteLoad(n.marathon, n.chronos, "full", 2)
	nodetest.WaitFor(t, 30*time.Second, "writes acknowledged", func() bool { return load.ackedCount() >= 20 })

	filler := fillDisk(t, disk)
	faults := 1
	nodetest.WaitFor(t, 60*time.Second, "writes refused on the full disk", func() bool {
		load.mu.Lock()
		defer load.mu.Unlock()
		refused := 0
		for _, n := range load.rejected {
			refused += n
		}
		return refused >= 20
	})
	ackedFull := load.ackedCount()
	// Reads keep working while the disk is full.
	for _, url := range []string{n.marathon + "/v2/apps", n.chronos + "/v1/scheduler/jobs", n.marathon + "/v2/info"} {
		if code, body, err := call(http.MethodGet, url, ""); code != http.StatusOK {
			t.Fatalf("read %s on a full disk: %d %v %.200s", url, code, err, body)
		}
	}
	if !n.alive() {
		t.Fatal("the node died on the full disk")
	}
	load.mu.Lock()
	bodies := append([]string(nil), load.rejectBodies...)
	load.mu.Unlock()
	for _, b := range bodies {
		var code int
		var msg map[string]any
		if _, err := fmt.Sscanf(b, "%d", &code); err != nil || code < 500 {
			t.Errorf("a write on the full disk was refused with %q: want a 5xx", b)
			continue
		}
		if json.Unmarshal([]byte(b[4:]), &msg) != nil || msg["message"] == nil {
			t.Errorf("refusal %q is not in the APIs' {\"message\":...} dialect", b)
		}
	}
	t.Logf("refusals on the full disk, e.g. %q", bodies[:2])

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	nodetest.WaitFor(t, 60*time.Second, "writes acknowledged again once space returned", func() bool {
		return load.ackedCount() >= ackedFull+20
	})
	load.halt()
	if !n.alive() {
		t.Fatal("the node died")
	}
	n.stopGracefully(t)
	n.c.start(n.p)
	waitServing(t, n.marathon, n.chronos, 30*time.Second)
	verified := load.verify(t)
	// Deployments whose progress could not be stored while the disk was
	// full finish after all: nothing is left half-done.
	nodetest.WaitFor(t, 60*time.Second, "no deployment left", func() bool {
		code, body, _ := call(http.MethodGet, n.marathon+"/v2/deployments", "")
		return code == http.StatusOK && strings.TrimSpace(body) == "[]"
	})
	t.Logf("disk full: faults injected %d, %s, records verified %d after a restart, lost 0", faults, load.summary(), verified)
}
