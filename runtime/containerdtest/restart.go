package containerdtest

import (
	"fmt"
	"syscall"
	"testing"
)

// Daemon is a private containerd that a fault test may kill and start
// again under running tasks. The system daemon, or one named by
// MESOSBOX_TEST_CONTAINERD, is shared with other users of the machine and
// is never restarted by a test: StartPrivate always starts its own.
type Daemon struct {
	t testing.TB
	d *daemon
}

// StartPrivate starts a private containerd (as Start does without
// MESOSBOX_TEST_CONTAINERD) that is stopped and removed at cleanup.
func StartPrivate(t testing.TB) *Daemon {
	t.Helper()
	d, err := startDaemon()
	if err != nil {
		t.Fatalf("containerdtest: %v", err)
	}
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("containerdtest: %v", err)
		}
	})
	return &Daemon{t: t, d: d}
}

// Socket is the daemon's socket.
func (d *Daemon) Socket() string { return d.d.socket }

// Kill ends the daemon with SIGKILL, as a crash or the OOM killer would,
// and waits until it is gone. Its shims, and the tasks under them, keep
// running.
func (d *Daemon) Kill() {
	d.t.Helper()
	select {
	case <-d.d.exited:
		d.t.Fatal("containerdtest: Kill: the daemon is not running")
	default:
	}
	if err := syscall.Kill(d.d.pid, syscall.SIGKILL); err != nil {
		d.t.Fatalf("containerdtest: kill containerd: %v", err)
	}
	<-d.d.exited
}

// Restart starts the daemon again on the same root, state and socket and
// waits until it answers.
func (d *Daemon) Restart() {
	d.t.Helper()
	select {
	case <-d.d.exited:
	default:
		d.t.Fatal("containerdtest: Restart: the daemon still runs; Kill it first")
	}
	if err := d.d.run(); err != nil {
		d.t.Fatalf("containerdtest: restart: %v", err)
	}
}

// Log is the tail of the daemon's log, for failure messages.
func (d *Daemon) Log(lines int) string {
	return fmt.Sprintf("containerd log:\n%s", tail(d.d.log, lines))
}
