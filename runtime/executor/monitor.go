package executor

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
)

// The hidden roles this binary plays, selected by its first argument. They
// look like flags on purpose: a test binary that forgot to call
// MaybeRunMonitor rejects them as unknown flags and exits, instead of
// running its whole test suite again.
const (
	argMonitor = "-mesosbox-monitor" // <task dir>: supervises one process task
	argLogger  = "-mesosbox-log"     // <sandbox>: containerd's logging binary for one task
)

// MaybeRunMonitor runs the executor's helper processes. The executor
// re-executes the current binary to supervise process tasks and to log
// containerd tasks' output; main must call MaybeRunMonitor first thing,
// and so must the TestMain of any package whose tests launch tasks. It
// returns at once in a normal run and never returns in a helper.
//
// Helpers leave through syscall.Exit: they have nothing to flush, and
// os.Exit in a race-enabled binary sleeps a second first (the race
// runtime's atexit_sleep_ms), which would delay every task's exit.
func MaybeRunMonitor() {
	if len(os.Args) < 3 {
		return
	}
	switch os.Args[1] {
	case argMonitor:
		syscall.Exit(runMonitor(os.Args[2]))
	case argLogger:
		syscall.Exit(runLogger(os.Args[2]))
	}
}

// launchReport is the monitor's one message to the agent's Launch, on fd 3.
type launchReport struct {
	PID         int    `json:"pid,omitempty"`
	Error       string `json:"error,omitempty"`
	CgroupError string `json:"cgroupError,omitempty"`
}

// runMonitor supervises one process task. It is started by Launch in a
// session of its own, so it outlives the agent; it starts the task in its
// cgroup (startInCgroup), tells Launch the task's pid (or why it could not start),
// waits for it, kills whatever the task left behind, and writes exit.json
// before it exits. Its diagnostics go to monitor.log (its stderr).
func runMonitor(dir string) int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	// The report pipe must not leak into the task: Launch reads it to
	// its end, which would then be the task's exit.
	syscall.CloseOnExec(3)
	report := os.NewFile(3, "report")
	send := func(r launchReport) {
		_ = json.NewEncoder(report).Encode(r)
		report.Close()
	}
	dir, err := filepath.Abs(dir) // the monitor moves to the sandbox below
	if err != nil {
		send(launchReport{Error: err.Error()})
		return 1
	}
	var rec taskRecord
	if err := readJSON(dir, taskFile, &rec); err != nil {
		send(launchReport{Error: err.Error()})
		return 1
	}
	stdout, err1 := os.OpenFile(filepath.Join(rec.Sandbox, "stdout"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	stderr, err2 := os.OpenFile(filepath.Join(rec.Sandbox, "stderr"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err1 != nil || err2 != nil {
		send(launchReport{Error: fmt.Sprintf("open sandbox output files: %v", firstErr(err1, err2))})
		return 1
	}

	// Limits are best effort: a task runs without them rather than not at
	// all where the cgroup tree is read-only or lacks a controller.
	var cg *taskCgroup
	var cgErr string
	if h, err := hostCgroups(); err != nil {
		cgErr = err.Error()
	} else {
		cg = h.cgroup(rec.Cgroup)
		if err := cg.create(rec.CPUs, rec.MemMB); err != nil {
			cgErr = err.Error()
			_ = cg.remove()
			cg = nil
		}
	}
	if cgErr != "" {
		fmt.Fprintf(os.Stderr, "running without cgroup limits: %s\n", cgErr)
	}

	cmd, err := taskCommand(rec)
	if err == nil {
		// The task starts in the sandbox: the monitor moves there as root
		// rather than have the task chdir after its user switch, which
		// fails where the sandbox's parents are closed to that user.
		err = os.Chdir(rec.Sandbox)
	}
	if err == nil {
		cmd.Stdout, cmd.Stderr = stdout, stderr
		h, _ := hostCgroups()
		err = startInCgroup(cmd, cg, h)
	}
	if err != nil {
		if cg != nil {
			_ = cg.remove()
		}
		send(launchReport{Error: err.Error()})
		return 1
	}
	pid := cmd.Process.Pid
	mon := monitorRecord{MonitorPID: os.Getpid(), PID: pid, CgroupError: cgErr}
	mon.MonitorStart, _, _ = procStart(mon.MonitorPID)
	mon.PIDStart, _, _ = procStart(pid)
	if err := writeJSON(dir, monitorFile, mon); err != nil {
		fmt.Fprintf(os.Stderr, "write %s: %v\n", monitorFile, err)
	}
	send(launchReport{PID: pid, CgroupError: cgErr})

	killAll := func(sig syscall.Signal) {
		_ = syscall.Kill(-pid, sig)
		if cg != nil {
			cg.signal(sig)
		}
	}
	var oomSeen atomic.Bool
	if cg != nil && rec.MemMB > 0 {
		if events, err := cg.oomEvents(); err == nil {
			go func() {
				for range events {
					if cg.oomKills() > 0 {
						oomSeen.Store(true)
						killAll(syscall.SIGKILL)
					}
				}
			}()
		}
	}
	// A SIGTERM or SIGINT sent to the monitor is meant for the task.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for s := range sigs {
			killAll(s.(syscall.Signal))
		}
	}()

	state, err := cmd.Process.Wait()
	var x Exit
	switch {
	case err != nil:
		x = lostExit("waiting for the task failed: " + err.Error())
	default:
		ws := state.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			x = exitFromSignal(int(ws.Signal()))
		} else {
			x = Exit{Code: ws.ExitStatus(), Message: fmt.Sprintf("Command exited with status %d", ws.ExitStatus())}
		}
	}
	// As under Mesos, the task ends with its main process: whatever it
	// left running in its group or cgroup goes too.
	killAll(syscall.SIGKILL)
	x = markOOM(x, oomSeen.Load(), cg, rec.MemMB)
	if err := writeJSON(dir, exitFile, x); err != nil {
		fmt.Fprintf(os.Stderr, "write %s: %v\n", exitFile, err)
		return 1
	}
	if cg != nil {
		if err := cg.remove(); err != nil {
			fmt.Fprintf(os.Stderr, "remove cgroup: %v\n", err)
		}
	}
	return 0
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
