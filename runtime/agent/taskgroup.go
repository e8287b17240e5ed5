package agent

import (
	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// failGroupLocked does what Mesos' default executor does for a task
// group: when one of its tasks fails (any terminal state but FINISHED and
// KILLED), the other tasks of the group are killed, so a pod instance
// never runs with a container missing. The caller holds a.mu.
func (a *Agent) failGroupLocked(t *task, st mesos.TaskStatus) {
	switch st.GetState() {
	case mesos.TASK_FINISHED, mesos.TASK_KILLED, mesos.TASK_RUNNING, mesos.TASK_STARTING, mesos.TASK_STAGING:
		return
	}
	for _, id := range t.rec.Group {
		if id == t.id() {
			continue
		}
		sibling := a.tasks[taskKey{t.rec.FrameworkID, id}]
		if sibling == nil || sibling.rec.terminal() {
			continue
		}
		a.log.Info("killing a task of a failed task group", "task", id, "failed", t.id())
		a.killLocked(sibling, sibling.killGrace(), killedByFramework)
	}
}
