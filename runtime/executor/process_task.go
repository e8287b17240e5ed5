package executor

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// procTask is a task run by the process executor.
type procTask struct {
	e    *processExecutor
	dir  string
	rec  taskRecord
	cg   *taskCgroup // to signal processes that left the task's group; nil without cgroups
	log  *slog.Logger
	once sync.Once
	done chan struct{}

	mu   sync.Mutex
	mon  monitorRecord // who runs the task; set by the supervisor's answer for a launch
	exit Exit
}

func (e *processExecutor) newTask(dir string, rec taskRecord, mon monitorRecord) *procTask {
	t := &procTask{e: e, dir: dir, rec: rec, mon: mon, done: make(chan struct{})}
	// Signalling or removing a cgroup that was never made is harmless.
	if h, err := hostCgroups(); err == nil {
		t.cg = h.cgroup(rec.Cgroup)
	}
	t.log = e.log.With("task", rec.TaskID, "id", filepath.Base(dir))
	return t
}

func (t *procTask) record() monitorRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mon
}

func (t *procTask) setRecord(mon monitorRecord) {
	t.mu.Lock()
	t.mon = mon
	t.mu.Unlock()
}

func (t *procTask) ID() string            { return t.rec.TaskID }
func (t *procTask) Sandbox() string       { return t.rec.Sandbox }
func (t *procTask) StartedAt() time.Time  { return t.rec.StartedAt }
func (t *procTask) Done() <-chan struct{} { return t.done }

func (t *procTask) PID() int {
	select {
	case <-t.done:
		return 0
	default:
		return t.record().PID
	}
}

func (t *procTask) Exit() Exit {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exit
}

func (t *procTask) setExit(x Exit) {
	t.once.Do(func() {
		t.mu.Lock()
		t.exit = x
		t.mu.Unlock()
		t.log.Info("task exited", "code", x.Code, "oom", x.OOMKilled, "lost", x.Lost, "message", x.Message)
		close(t.done)
	})
}

// collect reads the exit the supervisor (or a monitor of the per-task
// layout) recorded once it is done with the task. No record means it died
// first (killed, or the machine went down); the task is then lost, and
// whatever remains of it is killed so that it cannot run on unsupervised.
func (t *procTask) collect() {
	var x Exit
	if err := readJSON(t.dir, exitFile, &x); err == nil {
		t.setExit(x)
		return
	}
	t.killLeftovers()
	who := "monitor"
	if t.record().Supervised {
		who = "supervisor"
	}
	t.setExit(lostExit("the task's " + who + " process died without recording the exit; the task was killed"))
}

// killLeftovers kills the task's process group and cgroup and removes the
// cgroup.
func (t *procTask) killLeftovers() {
	mon := t.record()
	if alive(mon.PID, mon.PIDStart) {
		_ = syscall.Kill(-mon.PID, syscall.SIGKILL)
	}
	if t.cg != nil {
		_ = t.cg.remove(mon.MonitorPID)
	}
}

// watchMonitor waits for the per-task monitor of a task started before the
// supervisor existed (an agent upgraded with tasks running) to exit,
// through a pidfd, or by polling /proc on kernels older than 5.3.
func (t *procTask) watchMonitor() {
	defer t.e.wg.Done()
	mon := t.record()
	pid, start := mon.MonitorPID, mon.MonitorStart
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		for alive(pid, start) {
			var fds = []unix.PollFd{{Fd: int32(t.e.wake), Events: unix.POLLIN}}
			if n, _ := unix.Poll(fds, 250); n > 0 {
				return
			}
		}
		t.collect()
		return
	}
	defer unix.Close(fd)
	// The pid may have been reused between the caller's check and the
	// open; checking again after it makes the pidfd the right process's.
	if !alive(pid, start) {
		t.collect()
		return
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(t.e.wake), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if fds[1].Revents != 0 {
			return // closing; a new executor recovers the task
		}
		if fds[0].Revents != 0 || err != nil {
			break
		}
	}
	// The monitor writes exit.json before it exits.
	t.collect()
}

func (t *procTask) Kill(ctx context.Context, grace time.Duration) error {
	if t.e.isClosed() {
		select {
		case <-t.done:
			return nil
		default:
			return ErrClosed
		}
	}
	return killWithGrace(ctx, t.done, grace, t.signal)
}

// signal reaches the task's process group (the task and its children) and
// everything in its cgroup (children that started groups of their own).
func (t *procTask) signal(sig syscall.Signal) error {
	mon := t.record()
	if alive(mon.PID, mon.PIDStart) {
		if err := syscall.Kill(-mon.PID, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return err
		}
	}
	if t.cg != nil {
		t.cg.signal(sig, mon.MonitorPID)
	}
	return nil
}

func (t *procTask) Remove(ctx context.Context) error {
	select {
	case <-t.done:
	default:
		return errors.New("task is still running; kill it first")
	}
	if err := os.RemoveAll(t.dir); err != nil {
		return err
	}
	t.e.forget(filepath.Base(t.dir))
	return nil
}
