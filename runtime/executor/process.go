package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// processExecutor runs tasks as plain processes on the host, all under
// one supervisor process per state directory (see runSupervisor) that
// survives the agent and writes each task's exit into its state directory.
type processExecutor struct {
	root string // StateDir/process
	ns   string
	self string
	log  *slog.Logger
	// cpuQuota caps tasks at their cpus (Options.CPUQuota)
	cpuQuota bool

	// wake is an eventfd written by Close: every goroutine polling the
	// pidfd of a monitor of the per-task layout that came before the
	// supervisor also polls it, and returns.
	wake int
	wg   sync.WaitGroup

	supMu sync.Mutex // serialises connecting to (and starting) the supervisor
	sup   *supConn

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
		root:     root,
		ns:       opts.Namespace,
		self:     self,
		cpuQuota: opts.CPUQuota,
		log:      opts.Logger.With("executor", "process", "namespace", opts.Namespace),
		wake:     wake,
		tasks:    map[string]*procTask{},
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
	e.log.Info("task launched", "task", s.TaskID, "id", id, "pid", t.PID())
	return t, nil
}

// launch writes the task's record and has the supervisor start it. It
// does not take a context: the answer comes as soon as the task's exec
// has succeeded or failed, or when the supervisor dies.
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
		CPUQuota:  e.cpuQuota,
		MemMB:     s.MemMB,
		Cgroup:    cgroupPath(e.ns, id),
		StartedAt: time.Now().UTC(),
	}
	if err := writeJSON(dir, taskFile, rec); err != nil {
		return nil, err
	}
	sup, err := e.supervisor()
	if err != nil {
		return nil, err
	}
	t := e.newTask(dir, rec, monitorRecord{})
	rep, err := sup.launch(id, t)
	if err != nil {
		// The supervisor died while starting the task: whatever of it
		// started must not run on unsupervised.
		var mon monitorRecord
		if readJSON(dir, monitorFile, &mon) == nil {
			t.setRecord(mon)
		}
		t.killLeftovers()
		return nil, fmt.Errorf("cannot start the task: %w", err)
	}
	if rep.Error != "" {
		return nil, errors.New("cannot start the task: " + rep.Error)
	}
	if rep.Record.CgroupError != "" {
		e.log.Warn("task runs without cgroup limits", "task", s.TaskID, "err", rep.Record.CgroupError)
	}
	return t, nil
}

func (e *processExecutor) Recover(ctx context.Context) ([]Task, error) {
	entries, err := os.ReadDir(e.root)
	if err != nil {
		return nil, err
	}
	var sup *supConn // connected on the first task that needs it
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
		dir := filepath.Join(e.root, id)
		var rec taskRecord
		if err := readJSON(dir, taskFile, &rec); err != nil {
			e.log.Warn("skipping unreadable task state", "dir", dir, "err", err)
			continue
		}
		var mon monitorRecord
		monErr := readJSON(dir, monitorFile, &mon)
		t := e.newTask(dir, rec, mon)
		e.mu.Lock()
		e.tasks[id] = t
		e.mu.Unlock()
		if sup == nil && !fileExists(filepath.Join(dir, exitFile)) && (monErr != nil || mon.Supervised) {
			sup = e.runningSupervisor()
		}
		e.recover(t, id, monErr == nil, sup)
		out = append(out, t)
	}
	e.log.Info("recovered tasks", "count", len(out))
	return out, nil
}

// recover re-attaches one task found in its directory: exited
// (exit.json), run by the live supervisor (sup, nil if there is none;
// its exit notice will come), run by a live monitor of the per-task
// layout that came before the supervisor (watched through a pidfd), or
// lost (whoever ran it died without recording an exit; what is left of it
// is killed).
func (e *processExecutor) recover(t *procTask, id string, hasRecord bool, sup *supConn) {
	mon := t.record()
	switch {
	case fileExists(filepath.Join(t.dir, exitFile)):
		t.collect()
	case sup != nil && sup.running[id] && sup.watch(id, t):
		// Watched before this second look, so an exit recorded since
		// the first one is seen here or notified.
		if fileExists(filepath.Join(t.dir, exitFile)) {
			t.collect()
			return
		}
		t.log.Info("re-attached to running task", "pid", mon.PID, "supervisor", sup.pid)
	case !hasRecord:
		t.setExit(lostExit("the agent stopped while the task was being launched"))
	case !mon.Supervised && alive(mon.MonitorPID, mon.MonitorStart):
		t.log.Info("re-attached to running task", "pid", mon.PID, "monitor", mon.MonitorPID)
		e.wg.Add(1)
		go t.watchMonitor()
	default:
		t.collect()
	}
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

// Close disconnects from the supervisor and stops watching monitors of
// the per-task layout; tasks, supervisor and monitors keep running.
func (e *processExecutor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.supMu.Lock()
	if e.sup != nil {
		e.sup.close()
	}
	e.supMu.Unlock()
	_, _ = unix.Write(e.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	e.wg.Wait()
	return unix.Close(e.wake)
}
