package marathon

import (
	"context"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// The framework is PARTITION_AWARE: a task on an agent that is cut off is
// reported TASK_UNREACHABLE, not TASK_LOST, and Marathon 1.9+ applies the
// app's unreachableStrategy. After inactiveAfterSeconds the task stops
// counting toward the instances (a replacement is launched); after
// expungeAfterSeconds it is forgotten (should it come back, it is killed
// as unknown). With the 0/0 default both happen at once; "disabled" keeps
// waiting for the task.

// unreachableSince is when the master lost the task's agent, never later
// than now on this service's clock.
func unreachableSince(st mesos.TaskStatus, now time.Time) time.Time {
	if ut := st.UnreachableTime; ut != nil {
		if at := time.Unix(0, ut.Nanoseconds).UTC(); at.Before(now) {
			return at
		}
	}
	return now
}

// armUnreachable arms the inactive and expunge timers of an unreachable
// task from its app's strategy.
func (s *Service) armUnreachable(t *Task) {
	a := s.st.apps[t.AppID]
	if t.UnreachableSince == nil || a == nil || a.UnreachableStrategy == nil || a.UnreachableStrategy.Disabled {
		return
	}
	us := a.UnreachableStrategy
	now := s.cfg.Clock.Now()
	id := t.ID
	inactive := t.UnreachableSince.Add(time.Duration(us.InactiveAfterSeconds) * time.Second).Sub(now)
	expunge := t.UnreachableSince.Add(time.Duration(us.ExpungeAfterSeconds) * time.Second).Sub(now)
	switch {
	case t.Inactive:
	case inactive <= 0:
		s.markInactive(id)
	default:
		s.later("inactive/"+id, inactive, func() { s.markInactive(id) })
	}
	if expunge <= 0 {
		s.expunge(id)
		return
	}
	s.later("expunge/"+id, expunge, func() { s.expunge(id) })
}

// markInactive stops counting an unreachable task: its replacement is
// launched.
func (s *Service) markInactive(id string) {
	t := s.st.tasks[id]
	if t == nil || t.State != stateUnreachable || t.Inactive {
		return
	}
	next := *t
	next.Inactive = true
	if err := s.write(context.Background(), &Write{PutTasks: []*Task{&next}}); err != nil {
		s.log.Error("persist unreachable inactive", "task", id, "error", err)
		return
	}
	*t = next
	s.log.Info("unreachable task is inactive; replacing it", "app", t.AppID, "task", id)
	s.publishInstanceChanged(t)
	s.signal()
}

// expunge forgets an unreachable task.
func (s *Service) expunge(id string) {
	t := s.st.tasks[id]
	if t == nil || t.State != stateUnreachable {
		return
	}
	if err := s.write(context.Background(), &Write{DeleteTasks: []string{id}}); err != nil {
		s.log.Error("persist expunge", "task", id, "error", err)
		return
	}
	delete(s.st.tasks, id)
	s.cancelTaskTimers(id)
	s.stopChecks(id)
	s.metrics.expunged.Inc()
	s.log.Info("unreachable task expunged", "app", t.AppID, "task", id)
	gone := *t
	gone.State = "TASK_GONE"
	s.publishInstanceChanged(&gone)
	s.signal()
}
