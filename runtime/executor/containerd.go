package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
)

// Labels on each container: what Recover needs to rebuild a Task after an
// agent restart, and the exit once the task has ended.
const (
	labelTaskID  = "mesosbox.task-id"
	labelSandbox = "mesosbox.sandbox"
	labelStarted = "mesosbox.started"
	labelMemMB   = "mesosbox.mem-mb"
	labelImage   = "mesosbox.image"
	labelExit    = "mesosbox.exit"
)

// containerdExecutor runs every task as a containerd container in one
// namespace. The shim owns the task's processes and the copy of its
// output into the sandbox, so tasks and their stdout/stderr carry on while the
// agent is down; Recover re-attaches.
type containerdExecutor struct {
	client      *client.Client
	ns          string
	snapshotter string
	offline     bool
	cpuQuota    bool
	log         *slog.Logger
	cgroups     hierarchy // zero when undetectable; OOM then relies on events
	noSwap      bool      // the kernel accounts swap, so the limit can include it

	ctx    context.Context // namespaced; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	tasks  map[string]*ctrTask // by container id; nil while launching
	closed bool
}

func newContainerd(ctx context.Context, opts Options, timeout time.Duration) (*containerdExecutor, error) {
	if _, err := os.Stat(opts.Socket); err != nil {
		return nil, fmt.Errorf("containerd socket: %w", err)
	}
	c, err := client.New(opts.Socket, client.WithDefaultNamespace(opts.Namespace), client.WithTimeout(timeout))
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := c.Version(pctx)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("containerd at %s does not answer: %w", opts.Socket, err)
	}
	h, err := hostCgroups()
	if err != nil {
		opts.Logger.Warn("cgroups not found; OOM detection relies on containerd events only", "err", err)
	}
	ectx, ecancel := context.WithCancel(namespaces.WithNamespace(context.Background(), opts.Namespace))
	e := &containerdExecutor{
		client:      c,
		ns:          opts.Namespace,
		snapshotter: opts.Snapshotter,
		offline:     opts.Offline,
		cpuQuota:    opts.CPUQuota,
		log:         opts.Logger.With("executor", "containerd", "namespace", opts.Namespace),
		cgroups:     h,
		noSwap:      swapAccounted(h),
		ctx:         ectx,
		cancel:      ecancel,
		tasks:       map[string]*ctrTask{},
	}
	e.wg.Add(1)
	go e.watchOOM()
	e.log.Info("executor ready", "socket", opts.Socket, "containerd", v.Version)
	return e, nil
}

// swapAccounted says whether a swap limit can be set: always on cgroup v2
// (runc skips it when swap is off), on v1 only with swap accounting.
func swapAccounted(h hierarchy) bool {
	if h.unified != "" {
		return true
	}
	if mem := h.v1["memory"]; mem != "" {
		_, err := os.Stat(filepath.Join(mem, "memory.memsw.limit_in_bytes"))
		return err == nil
	}
	return false
}

func (e *containerdExecutor) Name() string { return ModeContainerd }

func (e *containerdExecutor) Launch(ctx context.Context, s Spec) (Task, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	id := containerID(s.TaskID)
	if err := e.reserve(id); err != nil {
		return nil, err
	}
	t, err := e.launch(namespaces.WithNamespace(ctx, e.ns), s, id)
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
	e.log.Info("task launched", "task", s.TaskID, "container", id, "pid", t.PID(), "image", s.Image)
	return t, nil
}

// reserve claims a container id for a launch, so that two launches of one
// task id cannot race.
func (e *containerdExecutor) reserve(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if _, ok := e.tasks[id]; ok {
		return fmt.Errorf("a task with id %s already exists on this agent", id)
	}
	e.tasks[id] = nil
	return nil
}

func (e *containerdExecutor) launch(ctx context.Context, s Spec, id string) (_ *ctrTask, err error) {
	var img client.Image
	if s.Image != "" {
		if img, err = e.ensureImage(ctx, s.Image); err != nil {
			return nil, err
		}
	}
	started := time.Now()
	phase := started
	var timings []any
	mark := func(name string) {
		now := time.Now()
		timings = append(timings, name, now.Sub(phase))
		phase = now
	}
	labels := map[string]string{
		labelTaskID:  s.TaskID,
		labelSandbox: s.Sandbox,
		labelStarted: started.UTC().Format(time.RFC3339Nano),
		labelMemMB:   strconv.FormatFloat(s.MemMB, 'g', -1, 64),
	}
	if s.Image != "" {
		labels[labelImage] = s.Image
	}
	ctr, err := e.client.NewContainer(ctx, id, e.containerOpts(s, id, img, labels)...)
	if errdefs.IsAlreadyExists(err) {
		return nil, fmt.Errorf("a task with id %s already exists in containerd namespace %s", id, e.ns)
	}
	if err != nil {
		return nil, fmt.Errorf("create container: %w", err)
	}
	mark("create")
	defer func() {
		if err != nil {
			if derr := ctr.Delete(context.WithoutCancel(ctx), client.WithSnapshotCleanup); derr != nil {
				e.log.Warn("remove container of failed launch", "container", id, "err", derr)
			}
		}
	}()
	task, err := ctr.NewTask(ctx, logTo(s.Sandbox))
	if err != nil {
		return nil, runtimeError(err)
	}
	mark("new_task")
	statusC, err := task.Wait(e.ctx)
	if err == nil {
		err = task.Start(ctx)
	}
	mark("start")
	if err != nil {
		if _, derr := task.Delete(context.WithoutCancel(ctx), client.WithProcessKill); derr != nil {
			e.log.Warn("remove task of failed launch", "container", id, "err", derr)
		}
		return nil, runtimeError(err)
	}
	t := e.newTask(ctr, labels)
	t.attach(task)
	e.wg.Add(1)
	go t.watch(statusC)
	t.log.Debug("launch timings", timings...)
	return t, nil
}

func (e *containerdExecutor) Recover(ctx context.Context) ([]Task, error) {
	ctx = namespaces.WithNamespace(ctx, e.ns)
	ctrs, err := e.client.Containers(ctx, fmt.Sprintf("labels.%q", labelTaskID))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []Task
	for _, ctr := range ctrs {
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return nil, ErrClosed
		}
		known, ok := e.tasks[ctr.ID()]
		e.mu.Unlock()
		if ok {
			if known != nil {
				out = append(out, known)
			}
			continue
		}
		t, err := e.recover(ctx, ctr)
		if err != nil {
			return nil, fmt.Errorf("recover container %s: %w", ctr.ID(), err)
		}
		e.mu.Lock()
		e.tasks[ctr.ID()] = t
		e.mu.Unlock()
		out = append(out, t)
	}
	e.log.Info("recovered tasks", "count", len(out))
	return out, nil
}

// recover rebuilds one task from its container: an exit recorded in the
// labels, a task that stopped while the agent was away (finished now), a
// running one (re-attached), or one whose process is gone (lost).
func (e *containerdExecutor) recover(ctx context.Context, ctr client.Container) (*ctrTask, error) {
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return nil, err
	}
	t := e.newTask(ctr, labels)
	if raw, ok := labels[labelExit]; ok {
		var x Exit
		if err := json.Unmarshal([]byte(raw), &x); err != nil {
			x = lostExit("the recorded exit of the task is unreadable: " + err.Error())
		}
		if task, err := ctr.Task(ctx, nil); err == nil {
			_, _ = task.Delete(ctx, client.WithProcessKill)
		}
		t.setExit(x)
		return t, nil
	}
	task, err := ctr.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		t.finish(ctx, lostExit("the task's process is gone and its exit status is unknown (was the machine restarted?)"))
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	t.attach(task)
	st, err := task.Status(ctx)
	if err != nil {
		return nil, err
	}
	switch st.Status {
	case client.Stopped:
		t.log.Info("task exited while the agent was away", "code", st.ExitStatus)
		t.finish(ctx, t.exitFor(int(st.ExitStatus)))
	case client.Created:
		t.finish(ctx, lostExit("the agent stopped while the task was being launched"))
	default:
		statusC, err := task.Wait(e.ctx)
		if err != nil {
			return nil, err
		}
		t.log.Info("re-attached to running task", "pid", t.PID())
		e.wg.Add(1)
		go t.watch(statusC)
	}
	return t, nil
}

func (e *containerdExecutor) forget(id string) {
	e.mu.Lock()
	delete(e.tasks, id)
	e.mu.Unlock()
}

func (e *containerdExecutor) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close stops watching; the tasks keep running under their shims.
func (e *containerdExecutor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return e.client.Close()
}

// runtimeError trims the layers containerd and runc wrap around a failed
// start down to the reason a user can act on, e.g.
// `exec: "nosuch": executable file not found in $PATH`.
func runtimeError(err error) error {
	msg := err.Error()
	const marker = "unable to start container process: "
	if i := strings.LastIndex(msg, marker); i >= 0 {
		return errors.New("cannot start the task: " + strings.TrimSuffix(msg[i+len(marker):], ": unknown"))
	}
	return fmt.Errorf("cannot start the task: %w", err)
}
