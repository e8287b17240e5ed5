package executor

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
)

// ctrTask is a task running (or run) as a containerd container.
type ctrTask struct {
	e       *containerdExecutor
	ctr     client.Container
	taskID  string
	sandbox string
	started time.Time
	memMB   float64
	cg      *taskCgroup // nil when cgroups are unknown
	log     *slog.Logger

	oom  atomic.Bool // a /tasks/oom event was seen
	done chan struct{}

	mu   sync.Mutex
	task client.Task // nil before attach and after the task is deleted
	pid  int
	exit Exit
}

func (e *containerdExecutor) newTask(ctr client.Container, labels map[string]string) *ctrTask {
	t := &ctrTask{
		e:       e,
		ctr:     ctr,
		taskID:  labels[labelTaskID],
		sandbox: labels[labelSandbox],
		done:    make(chan struct{}),
	}
	t.started, _ = time.Parse(time.RFC3339Nano, labels[labelStarted])
	t.memMB, _ = strconv.ParseFloat(labels[labelMemMB], 64)
	if e.cgroups.unified != "" || e.cgroups.v1["memory"] != "" {
		t.cg = e.cgroups.cgroup(cgroupPath(e.ns, ctr.ID()))
	}
	t.log = e.log.With("task", t.taskID, "container", ctr.ID())
	return t
}

func (t *ctrTask) attach(task client.Task) {
	t.mu.Lock()
	t.task, t.pid = task, int(task.Pid())
	t.mu.Unlock()
}

func (t *ctrTask) ID() string            { return t.taskID }
func (t *ctrTask) Sandbox() string       { return t.sandbox }
func (t *ctrTask) StartedAt() time.Time  { return t.started }
func (t *ctrTask) Done() <-chan struct{} { return t.done }

func (t *ctrTask) PID() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pid
}

func (t *ctrTask) Exit() Exit {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exit
}

// watch waits for the task to exit and records how. When the wait breaks
// because containerd restarted, it re-attaches: the shim kept the task.
func (t *ctrTask) watch(statusC <-chan client.ExitStatus) {
	defer t.e.wg.Done()
	ctx := t.e.ctx
	for {
		st := <-statusC
		code, _, err := st.Result()
		if err == nil {
			t.finish(ctx, t.exitFor(int(code)))
			return
		}
		for {
			if ctx.Err() != nil {
				return // the executor closed; a new one recovers the task
			}
			t.log.Warn("lost the wait on containerd, re-attaching", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			var task client.Task
			task, err = t.ctr.Task(ctx, nil)
			if errdefs.IsNotFound(err) {
				t.finish(ctx, lostExit("the task's container lost its process (deleted outside mesosbox?)"))
				return
			}
			if err == nil {
				statusC, err = task.Wait(ctx)
			}
			if err == nil {
				t.attach(task)
				break
			}
		}
	}
}

// exitFor turns the shim's exit status into an Exit, marking it OOM when
// the event was seen or the cgroup counted an OOM kill. It reads the
// cgroup, so it must run before the task is deleted.
func (t *ctrTask) exitFor(code int) Exit {
	return markOOM(exitFromStatus(code), t.oom.Load(), t.cg, t.memMB)
}

// finish records the exit in the container's labels, then deletes the
// task (its processes, cgroup and rootfs mount), then reports. In that
// order an agent crash at any point leaves either a stopped task or a
// recorded exit for Recover; never neither.
func (t *ctrTask) finish(ctx context.Context, x Exit) {
	raw, err := json.Marshal(x)
	if err == nil {
		for attempt := 0; ; attempt++ {
			_, err = t.ctr.SetLabels(ctx, map[string]string{labelExit: string(raw)})
			if err == nil || attempt == 4 || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return // closing: the next Recover records it
		}
		t.log.Error("could not record the task's exit in containerd", "err", err)
	}
	t.mu.Lock()
	task := t.task
	t.task, t.pid = nil, 0
	t.mu.Unlock()
	if task != nil {
		if _, err := task.Delete(ctx, client.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			t.log.Warn("delete exited task", "err", err)
		}
	}
	t.log.Info("task exited", "code", x.Code, "oom", x.OOMKilled, "lost", x.Lost, "message", x.Message)
	t.setExit(x)
}

func (t *ctrTask) setExit(x Exit) {
	t.mu.Lock()
	t.exit = x
	t.mu.Unlock()
	close(t.done)
}

func (t *ctrTask) Kill(ctx context.Context, grace time.Duration) error {
	if t.e.isClosed() {
		select {
		case <-t.done:
			return nil
		default:
			return ErrClosed
		}
	}
	ctx = namespaces.WithNamespace(ctx, t.e.ns)
	return killWithGrace(ctx, t.done, grace, func(sig syscall.Signal) error { return t.signal(ctx, sig) })
}

// signal sends sig to every process in the container (runc kill --all):
// pid 1 of a PID namespace ignores signals it has no handler for, so
// signalling it alone would not stop `sh -c 'sleep 100'`.
func (t *ctrTask) signal(ctx context.Context, sig syscall.Signal) error {
	t.mu.Lock()
	task := t.task
	t.mu.Unlock()
	if task == nil {
		return nil
	}
	err := task.Kill(ctx, sig, client.WithKillAll)
	if err != nil && !errdefs.IsNotFound(err) {
		return err
	}
	return nil
}

func (t *ctrTask) Remove(ctx context.Context) error {
	select {
	case <-t.done:
	default:
		return errors.New("task is still running; kill it first")
	}
	if t.e.isClosed() {
		return ErrClosed
	}
	ctx = namespaces.WithNamespace(ctx, t.e.ns)
	if err := t.ctr.Delete(ctx, client.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		return err
	}
	t.e.forget(t.ctr.ID())
	return nil
}
