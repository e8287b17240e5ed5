package executor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// supTask is one task under the supervisor.
type supTask struct {
	dir    string
	rec    taskRecord
	record monitorRecord // as written to monitor.json
	cg     *taskCgroup   // nil when the task runs without limits
	pidfd  int           // -1 without pidfd support
	oom    atomic.Bool
}

// start does what Launch asks of the supervisor: it reads the task's
// record, opens the sandbox's output files, creates the cgroup and starts
// the task as its user, in its sandbox, in a process group of its own and
// in its cgroup, then writes monitor.json. The error is the text Launch
// reports.
func (s *supervisor) start(dir string) (*supTask, error) {
	t := &supTask{dir: dir, pidfd: -1}
	if err := readJSON(dir, taskFile, &t.rec); err != nil {
		return nil, err
	}
	stdout, err1 := os.OpenFile(filepath.Join(t.rec.Sandbox, "stdout"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	stderr, err2 := os.OpenFile(filepath.Join(t.rec.Sandbox, "stderr"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	for _, f := range []*os.File{stdout, stderr} {
		if f != nil {
			defer f.Close() // the task has its own copies once started
		}
	}
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("open sandbox output files: %v", firstErr(err1, err2))
	}

	// Limits are best effort: a task runs without them rather than not at
	// all where the cgroup tree is read-only or lacks a controller.
	var cgErr string
	if h, err := hostCgroups(); err != nil {
		cgErr = err.Error()
	} else if h.unified == "" && s.home == "" {
		cgErr = "the supervisor's own memory cgroup is unknown"
	} else {
		t.cg = h.cgroup(t.rec.Cgroup)
		if err := t.cg.create(t.rec.CPUs, t.rec.MemMB, t.rec.CPUQuota); err != nil {
			cgErr = err.Error()
			_ = t.cg.remove(0)
			t.cg = nil
		}
	}
	if cgErr != "" {
		s.log.Warn("task runs without cgroup limits", "task", t.rec.TaskID, "err", cgErr)
	}

	cmd, err := taskCommand(t.rec)
	pid := 0
	if err == nil {
		cmd.Stdout, cmd.Stderr = stdout, stderr
		pidfd := -1
		cmd.SysProcAttr.PidFD = &pidfd
		err = s.fork(cmd, t.rec.Sandbox, t.cg, t.rec.TaskID)
		if err == nil {
			// The supervisor reaps the task itself (await), not os/exec.
			pid, t.pidfd = cmd.Process.Pid, pidfd
			_ = cmd.Process.Release()
		}
	}
	if err != nil {
		if t.cg != nil {
			_ = t.cg.remove(0)
		}
		return nil, err
	}
	t.record = s.self
	t.record.PID = pid
	t.record.PIDStart, _, _ = procStart(t.record.PID)
	t.record.CgroupError = cgErr
	if err := writeJSON(dir, monitorFile, t.record); err != nil {
		s.log.Error("task record not written; a restarted agent will report the task lost", "task", t.rec.TaskID, "err", err)
	}
	s.watchOOM(t)
	return t, nil
}

// fork starts cmd from the sandbox and in the task's cgroup. Both are
// process-wide or thread state, hence the lock: the supervisor moves to
// the sandbox as root rather than have the task chdir after its user
// switch (Go's child does), which fails where the sandbox's parents are
// closed to that user. It returns once the task runs; what is left of
// the start (startInCgroup's finish) holds the lock until it is done.
func (s *supervisor) fork(cmd *exec.Cmd, sandbox string, cg *taskCgroup, task string) error {
	s.forkMu.Lock()
	if err := os.Chdir(sandbox); err != nil {
		s.forkMu.Unlock()
		return err
	}
	finish, err := startInCgroup(cmd, cg, s.home)
	go func() {
		defer s.forkMu.Unlock()
		if err := finish(); err != nil {
			s.log.Error("task start", "task", task, "err", err)
		}
		_ = os.Chdir("/")
	}()
	return err
}

// await calls exited, on a goroutine of its own, once the task's main
// process exited and was reaped. Its pidfd is watched with every other
// (fdWatch); without one, a thread waits.
func (s *supervisor) await(t *supTask, exited func(syscall.WaitStatus, error)) {
	pid := t.record.PID
	if t.pidfd >= 0 {
		err := s.fds.add(t.pidfd, func() bool {
			var ws unix.WaitStatus
			// The pidfd turns readable when the process exits; until it
			// is reaped here its pid cannot be reused.
			got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
			if errors.Is(err, unix.EINTR) || (got == 0 && err == nil) {
				return false
			}
			go exited(syscall.WaitStatus(ws), err)
			return true
		})
		if err == nil {
			return
		}
		unix.Close(t.pidfd)
	}
	go func() {
		var ws unix.WaitStatus
		var err error
		for {
			if _, err = unix.Wait4(pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
				break
			}
		}
		exited(syscall.WaitStatus(ws), err)
	}()
}

// killAll signals the task's process group and everything in its cgroup.
func (t *supTask) killAll(sig syscall.Signal) {
	_ = syscall.Kill(-t.record.PID, sig)
	if t.cg != nil {
		t.cg.signal(sig, 0)
	}
}

// watchOOM ends the whole task when the kernel OOM-kills in its cgroup
// (cgroup v1; v2 does that itself, see oom.go). The watch ends when the
// cgroup is removed, which signals the eventfd too.
func (s *supervisor) watchOOM(t *supTask) {
	if t.cg == nil || t.rec.MemMB <= 0 {
		return
	}
	efd, err := t.cg.oomEventfd()
	if err != nil {
		return
	}
	buf := make([]byte, 8)
	oom := func() {
		t.oom.Store(true)
		t.killAll(syscall.SIGKILL)
	}
	err = s.fds.add(efd, func() bool {
		_, _ = unix.Read(efd, buf)
		if _, err := os.Stat(t.cg.memory); err != nil {
			return true
		}
		// The kernel notifies before its OOM killer picks a victim, so
		// the oom_kill count may still be 0 here: the notice itself is
		// the OOM (as for Mesos' memory isolator, which destroys the
		// container on it).
		oom()
		return false
	})
	if err != nil {
		unix.Close(efd)
	}
	// The task ran before the eventfd was registered: an OOM kill in that
	// window (a task that allocates at once) raised no notice. Any later
	// one does.
	if t.cg.oomKills() > 0 {
		oom()
	}
}

// finish ends what the exited task left behind, as Mesos does, and
// records its exit in exit.json before its cgroup goes.
func (s *supervisor) finish(t *supTask, ws syscall.WaitStatus, err error) {
	var x Exit
	switch {
	case err != nil:
		x = lostExit("waiting for the task failed: " + err.Error())
	case ws.Signaled():
		x = exitFromSignal(int(ws.Signal()))
	default:
		x = Exit{Code: ws.ExitStatus(), Message: fmt.Sprintf("Command exited with status %d", ws.ExitStatus())}
	}
	t.killAll(syscall.SIGKILL)
	x = markOOM(x, t.oom.Load(), t.cg, t.rec.MemMB)
	if err := writeJSON(t.dir, exitFile, x); err != nil {
		s.log.Error("exit not recorded; the agent will report the task lost", "task", t.rec.TaskID, "err", err)
	}
	if t.cg != nil {
		if err := t.cg.remove(0); err != nil {
			s.log.Warn("remove cgroup", "task", t.rec.TaskID, "err", err)
		}
	}
}
