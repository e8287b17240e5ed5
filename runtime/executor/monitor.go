package executor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The hidden roles this binary plays, selected by its first argument. They
// look like flags on purpose: a test binary that forgot to call
// MaybeRunMonitor rejects them as unknown flags and exits, instead of
// running its whole test suite again.
const (
	argMonitor = "-mesosbox-monitor" // <task dir>: supervises one process task
	argInit    = "-mesosbox-init"    // <task dir> <cgroup.procs...>: joins the cgroup, execs the task
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
	case argInit:
		syscall.Exit(runInit(os.Args[2], os.Args[3:]))
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
// session of its own, so it outlives the agent; it starts the task through
// the init role, tells Launch the task's pid (or why it could not start),
// waits for it, kills whatever the task left behind, and writes exit.json
// before it exits. Its diagnostics go to monitor.log (its stderr).
func runMonitor(dir string) int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	report := os.NewFile(3, "report")
	send := func(r launchReport) {
		_ = json.NewEncoder(report).Encode(r)
		report.Close()
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

	self, err := os.Executable()
	if err != nil {
		send(launchReport{Error: err.Error()})
		return 1
	}
	args := []string{argInit, dir}
	if cg != nil {
		args = append(args, cg.procsFiles()...)
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		send(launchReport{Error: err.Error()})
		return 1
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = rec.Sandbox
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{statusW}
	cmd.Env = []string{} // the init role execs the task with rec.Env
	// A process group of its own: Kill signals the task and its children
	// without touching the monitor.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		send(launchReport{Error: err.Error()})
		return 1
	}
	statusW.Close()
	// The init role closes its end on a successful exec (close-on-exec) and
	// writes the reason before exiting otherwise.
	failure, _ := io.ReadAll(statusR)
	statusR.Close()
	if len(failure) > 0 {
		_ = cmd.Wait()
		if cg != nil {
			_ = cg.remove()
		}
		send(launchReport{Error: string(failure)})
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

// runInit is the last step before the task: it joins the cgroup (so the
// task is limited from its first instruction, which no "start, then move"
// could promise), switches user and execs the command. Failures go to fd 3
// for the monitor, and from there to Launch's error.
func runInit(dir string, procs []string) int {
	status := os.NewFile(3, "status")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(status, format, a...)
		return 127
	}
	var rec taskRecord
	if err := readJSON(dir, taskFile, &rec); err != nil {
		return fail("%v", err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, f := range procs {
		if err := os.WriteFile(f, pid, 0o644); err != nil {
			return fail("join cgroup: %v", err)
		}
	}
	path, argv := "/bin/sh", []string{"sh", "-c", rec.Command}
	if !rec.Shell {
		// Look the executable up in the task's PATH, relative to the
		// sandbox (the working directory).
		for _, kv := range rec.Env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				os.Setenv("PATH", v)
			}
		}
		var err error
		if path, err = exec.LookPath(rec.Command); err != nil {
			return fail("%v", err)
		}
		argv = append([]string{rec.Command}, rec.Args...)
	}
	if rec.User != "" {
		if err := switchUser(rec.User); err != nil {
			return fail("user %s: %v", rec.User, err)
		}
	}
	if _, err := unix.FcntlInt(3, unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		return fail("%v", err)
	}
	err := syscall.Exec(path, argv, rec.Env)
	return fail("exec %s: %v", path, err)
}

// switchUser becomes user with its supplementary groups. Go applies
// set*id to every thread of the process, and exec follows immediately.
func switchUser(name string) error {
	c, err := lookupCredential(name)
	if err != nil {
		return err
	}
	groups := make([]int, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = int(g)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return err
	}
	if err := syscall.Setgid(int(c.GID)); err != nil {
		return err
	}
	return syscall.Setuid(int(c.UID))
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
