package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// processExecutor runs tasks as plain processes on the host, each under a
// monitor process (see runMonitor) that survives the agent and writes the
// task's exit into its state directory.
type processExecutor struct {
	root string // StateDir/process
	ns   string
	self string
	log  *slog.Logger

	// wake is an eventfd written by Close: every goroutine polling a
	// recovered monitor's pidfd also polls it, and returns.
	wake int
	wg   sync.WaitGroup

	mu     sync.Mutex
	tasks  map[string]*procTask // by id; nil while launching
	closed bool
}

func newProcess(opts Options, self string) (*processExecutor, error) {
	root := filepath.Join(opts.StateDir, "process")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("executor: state dir: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("executor: %w", err)
	}
	e := &processExecutor{
		root:  root,
		ns:    opts.Namespace,
		self:  self,
		log:   opts.Logger.With("executor", "process", "namespace", opts.Namespace),
		wake:  wake,
		tasks: map[string]*procTask{},
	}
	if _, err := hostCgroups(); err != nil {
		e.log.Warn("no usable cgroups; tasks run without cpu and memory limits", "err", err)
	}
	e.log.Info("executor ready", "state_dir", root)
	return e, nil
}

func (e *processExecutor) Name() string { return ModeProcess }

func (e *processExecutor) Launch(ctx context.Context, s Spec) (Task, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if s.Image != "" {
		return nil, fmt.Errorf("task requires container image %s but containerd is not available (executor: process)", s.Image)
	}
	if err := giveHostSandbox(s); err != nil {
		return nil, err
	}
	id := containerID(s.TaskID)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	if _, ok := e.tasks[id]; ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("a task with id %s already exists on this agent", id)
	}
	e.tasks[id] = nil
	e.mu.Unlock()

	t, err := e.launch(s, id)
	e.mu.Lock()
	if err != nil {
		delete(e.tasks, id)
	} else {
		e.tasks[id] = t
	}
	e.mu.Unlock()
	if err != nil {
		e.log.Info("launch failed", "task", s.TaskID, "err", err)
		return nil, err
	}
	e.log.Info("task launched", "task", s.TaskID, "id", id, "pid", t.mon.PID)
	return t, nil
}

// launch writes the task's record, starts its monitor and waits for the
// monitor's report. It does not take a context: the report comes as soon
// as the task's exec has succeeded or failed, or when the monitor dies.
func (e *processExecutor) launch(s Spec, id string) (_ *procTask, err error) {
	dir := filepath.Join(e.root, id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("a task with id %s already exists on this agent (state %s)", id, dir)
		}
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	rec := taskRecord{
		TaskID:    s.TaskID,
		Sandbox:   s.Sandbox,
		Command:   s.Command,
		Shell:     s.Shell,
		Args:      s.Args,
		Env:       taskEnv(s, s.Sandbox, true),
		User:      s.User,
		CPUs:      s.CPUs,
		MemMB:     s.MemMB,
		Cgroup:    cgroupPath(e.ns, id),
		StartedAt: time.Now().UTC(),
	}
	if err := writeJSON(dir, taskFile, rec); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, monitorLog))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	reportR, reportW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer reportR.Close()
	cmd := exec.Command(e.self, argMonitor, dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{reportW}
	// A session of its own: the monitor and the task outlive the agent and
	// do not get the signals of its terminal or process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	reportW.Close()
	if err != nil {
		return nil, fmt.Errorf("start task monitor: %w", err)
	}
	raw, _ := io.ReadAll(reportR)
	var rep launchReport
	if jerr := json.Unmarshal(bytes.TrimSpace(raw), &rep); jerr != nil || (rep.PID == 0 && rep.Error == "") {
		_ = cmd.Wait()
		log, _ := os.ReadFile(filepath.Join(dir, monitorLog))
		return nil, fmt.Errorf("task monitor exited without starting the task (does the binary call executor.MaybeRunMonitor first?): %s",
			strings.TrimSpace(string(log)))
	}
	if rep.Error != "" {
		_ = cmd.Wait()
		return nil, errors.New("cannot start the task: " + rep.Error)
	}
	if rep.CgroupError != "" {
		e.log.Warn("task runs without cgroup limits", "task", s.TaskID, "err", rep.CgroupError)
	}
	var mon monitorRecord
	if err := readJSON(dir, monitorFile, &mon); err != nil {
		// The monitor writes the record before it reports; without it a
		// restarted agent could not find the task.
		_ = cmd.Process.Kill()
		_ = syscall.Kill(-rep.PID, syscall.SIGKILL)
		_ = cmd.Wait()
		return nil, fmt.Errorf("task monitor state: %w", err)
	}
	t := e.newTask(dir, rec, mon)
	// The monitor is our child: reap it, then collect the exit it wrote.
	go func() {
		_ = cmd.Wait()
		t.collect()
	}()
	return t, nil
}

func (e *processExecutor) Recover(ctx context.Context) ([]Task, error) {
	entries, err := os.ReadDir(e.root)
	if err != nil {
		return nil, err
	}
	var out []Task
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		id := ent.Name()
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return nil, ErrClosed
		}
		known, ok := e.tasks[id]
		e.mu.Unlock()
		if ok {
			if known != nil {
				out = append(out, known)
			}
			continue
		}
		t, err := e.recover(filepath.Join(e.root, id))
		if err != nil {
			e.log.Warn("skipping unreadable task state", "dir", filepath.Join(e.root, id), "err", err)
			continue
		}
		e.mu.Lock()
		e.tasks[id] = t
		e.mu.Unlock()
		out = append(out, t)
	}
	e.log.Info("recovered tasks", "count", len(out))
	return out, nil
}

// recover rebuilds one task from its directory: exited (exit.json), still
// supervised by a live monitor (watched again through a pidfd), or lost
// (the monitor died without recording an exit; what is left of the task
// is killed).
func (e *processExecutor) recover(dir string) (*procTask, error) {
	var rec taskRecord
	if err := readJSON(dir, taskFile, &rec); err != nil {
		return nil, err
	}
	var mon monitorRecord
	monErr := readJSON(dir, monitorFile, &mon)
	t := e.newTask(dir, rec, mon)
	switch {
	case fileExists(filepath.Join(dir, exitFile)):
		t.collect()
	case monErr != nil:
		t.setExit(lostExit("the agent stopped while the task was being launched"))
	case alive(mon.MonitorPID, mon.MonitorStart):
		t.log.Info("re-attached to running task", "pid", mon.PID, "monitor", mon.MonitorPID)
		e.wg.Add(1)
		go t.watchMonitor()
	default:
		t.collect()
	}
	return t, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (e *processExecutor) forget(id string) {
	e.mu.Lock()
	delete(e.tasks, id)
	e.mu.Unlock()
}

func (e *processExecutor) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close stops watching recovered monitors; tasks and monitors keep running.
func (e *processExecutor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	_, _ = unix.Write(e.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	e.wg.Wait()
	return unix.Close(e.wake)
}
