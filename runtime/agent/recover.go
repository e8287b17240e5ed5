package agent

import (
	"context"
	"path/filepath"
	"slices"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// recoverTasks rebuilds the agent's tasks from the checkpoints and the
// executor after a restart:
//
//   - a task the executor still runs is re-attached and watched; its
//     TASK_RUNNING was sent before, so nothing is sent now (the Subscribe
//     task list tells the master it is there);
//   - a task that ended while the agent was down gets its terminal update;
//   - a task the executor no longer knows fails with a message saying so;
//   - updates not acknowledged before the restart are resent, in order,
//     once the agent has registered;
//   - a task the executor runs but no checkpoint mentions is an orphan of
//     a lost checkpoint: it is killed, as Mesos destroys unknown containers.
func (a *Agent) recoverTasks(ctx context.Context) error {
	recs, bad, err := a.ckpt.loadTasks()
	if err != nil {
		return err
	}
	for _, err := range bad {
		a.log.Error("ignoring an unreadable task checkpoint", "err", err)
	}
	running, err := a.exec.Recover(ctx)
	if err != nil {
		return err
	}
	bySandbox := map[string]executor.Task{}
	for _, et := range running {
		bySandbox[filepath.Clean(et.Sandbox())] = et
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	var completed []*task
	for _, r := range recs {
		t := &task{rec: *r}
		if r.Completed {
			completed = append(completed, t)
			continue
		}
		a.tasks[t.key()] = t
	}
	slices.SortFunc(completed, func(x, y *task) int { return x.rec.CompletedAt.Compare(y.rec.CompletedAt) })
	for _, t := range completed {
		a.addCompletedLocked(t)
	}
	for _, t := range a.sortedTasksLocked() {
		et := bySandbox[filepath.Clean(t.rec.Sandbox)]
		delete(bySandbox, filepath.Clean(t.rec.Sandbox))
		a.recoverTaskLocked(t, et)
	}
	for _, et := range bySandbox {
		a.log.Warn("killing a task no checkpoint knows of", "task", et.ID(), "sandbox", et.Sandbox())
		a.goLocked(func() {
			kctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
			defer cancel()
			if err := et.Kill(kctx, 0); err == nil {
				_ = et.Remove(kctx)
			}
		})
	}
	a.log.Info("recovered tasks", "active", len(a.tasks), "completed", len(a.completed), "reattached", len(running)-len(bySandbox))
	return nil
}

func (a *Agent) recoverTaskLocked(t *task, et executor.Task) {
	switch {
	case t.rec.terminal():
		// Ended before the restart; only its updates may be left to send.
		t.exec = et
		if len(t.rec.Pending) == 0 || t.rec.Shutdown {
			a.finishLocked(t)
		}
	case et != nil:
		t.exec = et
		t.rec.Launched = true
		a.log.Info("re-attached to task", "task", t.id(), "framework", t.rec.FrameworkID, "pid", et.PID())
		select {
		case <-et.Done():
			// Ended while the agent was down: watch reports it at once.
		default:
			if l := t.rec.latest(); l != nil && l.GetState() == mesos.TASK_STARTING {
				// The agent stopped between launching the task and
				// reporting it: report it now.
				st := newStatus(t, mesos.TASK_RUNNING, nil, "")
				st.ContainerStatus = a.containerStatus(t, et.PID())
				a.emitLocked(t, st)
			}
			a.armMaxCompletionLocked(t, et.StartedAt())
			a.startHealthLocked(t)
			switch {
			case t.rec.Shutdown:
				a.killLocked(t, t.killGrace(), killedByShutdown)
			case t.rec.Killed != notKilled:
				// The kill was under way when the agent stopped; its
				// SIGKILL was never sent. Finish it.
				why := t.rec.Killed
				t.rec.Killed = notKilled
				a.killLocked(t, t.killGrace(), why)
			}
		}
		a.goLocked(func() { a.watch(t, et) })
	case t.rec.Launched:
		a.emitLocked(t, newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_EXECUTOR_TERMINATED),
			"The task's process was gone when the agent restarted, without a recorded exit status"))
	case t.rec.Killed != notKilled:
		a.emitLocked(t, newStatus(t, mesos.TASK_KILLED, reasonOf(mesos.REASON_TASK_KILLED_DURING_LAUNCH),
			"Task was killed before it started"))
	default:
		a.emitLocked(t, newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_CONTAINER_LAUNCH_FAILED),
			"The agent restarted while the task was being launched"))
	}
}
