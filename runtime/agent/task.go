package agent

import (
	"context"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// taskKey identifies a task on the agent: task ids are unique within a
// framework.
type taskKey struct{ framework, task string }

func keyOf(r *taskRecord) taskKey { return taskKey{r.FrameworkID, r.Info.TaskID.Value} }

// killReason says why the agent killed a task, which decides the terminal
// state: a framework's kill gives TASK_KILLED whatever the exit status was
// (as Mesos' command executor does), an exceeded max_completion_time gives
// TASK_FAILED.
type killReason int

const (
	notKilled killReason = iota
	killedByFramework
	killedByShutdown
	killedMaxCompletion
	killedUnhealthy
)

// task is the agent's live view of one task. All fields are guarded by
// Agent.mu.
type task struct {
	rec taskRecord
	// exec is the executor's task once launched (or recovered).
	exec executor.Task
	// cancelLaunch stops a fetch or launch in progress.
	cancelLaunch context.CancelFunc
	// killing is set while a kill is under way; the reason for it is
	// checkpointed (rec.Killed) so that the terminal state survives a
	// restart.
	killing bool
	// retry resends the head-of-line update; retryEvery is its current
	// interval, doubling from updateRetryMin to updateRetryMax.
	retry      clock.Timer
	retryEvery time.Duration
	// maxCompletion kills the task at its max_completion_time.
	maxCompletion clock.Timer
	health        *healthChecker
	// healthy is the latest health check result, nil before the first.
	healthy *bool
}

func (t *task) key() taskKey { return keyOf(&t.rec) }

func (t *task) id() string { return t.rec.Info.TaskID.Value }

// stopTimers cancels everything scheduled for the task.
func (t *task) stopTimers() {
	if t.retry != nil {
		t.retry.Stop()
		t.retry = nil
	}
	t.stopWatchers()
}

// stopWatchers cancels what only matters while the task runs: its max
// completion timer and its health checks.
func (t *task) stopWatchers() {
	if t.maxCompletion != nil {
		t.maxCompletion.Stop()
		t.maxCompletion = nil
	}
	if t.health != nil {
		t.health.stop()
		t.health = nil
	}
}

// killGrace is how long a kill waits between SIGTERM and SIGKILL: the
// task's kill_policy.grace_period, else 3 s like Mesos' command executor.
func (t *task) killGrace() time.Duration {
	if kp := t.rec.Info.GetKillPolicy(); kp != nil && kp.GracePeriod != nil {
		return max(0, time.Duration(kp.GracePeriod.Nanoseconds))
	}
	return defaultKillGrace
}

const defaultKillGrace = 3 * time.Second
