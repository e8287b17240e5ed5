package marathon

import (
	"context"
	"time"
)

// later runs f under s.mu after d on the service's clock, unless the
// service stopped or another timer replaced it under the same key. The
// timers of a leadership end with it (Stop); a new leader re-arms them
// from the persisted times.
func (s *Service) later(key string, d time.Duration, f func()) {
	if s.pending == nil {
		return
	}
	if t := s.pending[key]; t != nil {
		t.Stop()
	}
	var self any
	t := s.cfg.Clock.AfterFunc(max(d, 0), func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.running || s.pending[key] == nil || s.pending[key] != self {
			return
		}
		delete(s.pending, key)
		f()
	})
	self = t
	s.pending[key] = t
}

// unarm stops a timer armed with later.
func (s *Service) unarm(key string) {
	if t := s.pending[key]; t != nil {
		t.Stop()
		delete(s.pending, key)
	}
}

// armLaunchTimeout kills a task still not running task_launch_timeout
// after it was staged; the scheduling pass then launches a replacement
// (a task being killed no longer counts toward the instances).
func (s *Service) armLaunchTimeout(t *Task) {
	id := t.ID
	s.later("launch/"+id, t.StagedAt.Add(s.cfg.LaunchTimeout).Sub(s.cfg.Clock.Now()), func() {
		t := s.st.tasks[id]
		if t == nil || t.Killing || t.isRunning() || !t.isActive() || t.State == stateUnreachable || t.StartedAt != nil {
			return
		}
		s.log.Warn("task not running after the launch timeout; killing it", "app", t.AppID, "task", id, "state", t.State)
		s.metrics.launchOverdue.Inc()
		s.kill(context.Background(), []*Task{t})
		s.signal()
	})
}

// armKillRetry sends a kill again every kill_retry_timeout until the
// task's terminal update arrives: a kill can be lost (an agent that was
// away, a master fail-over).
func (s *Service) armKillRetry(id string) {
	s.later("kill/"+id, s.cfg.KillRetry, func() {
		t := s.st.tasks[id]
		if t == nil || !t.Killing || !t.isActive() {
			return
		}
		s.log.Info("task still not terminal; killing it again", "app", t.AppID, "task", id, "state", t.State)
		s.metrics.killRetries.Inc()
		if s.drv != nil {
			_ = s.drv.Kill(t.ID, t.AgentID, killGrace(s.st.apps[t.AppID]))
		}
		s.armKillRetry(id)
	})
}

// armTaskTimers re-arms what a task waits for, at start of a leadership.
func (s *Service) armTaskTimers(t *Task) {
	switch {
	case t.Killing && t.isActive():
		s.armKillRetry(t.ID)
	case t.State == stateUnreachable:
		s.armUnreachable(t)
	case t.isActive() && !t.isRunning() && t.StartedAt == nil:
		s.armLaunchTimeout(t)
	}
}

// cancelTaskTimers drops the timers of a task that is gone.
func (s *Service) cancelTaskTimers(id string) {
	for _, k := range []string{"launch/", "kill/", "inactive/", "expunge/"} {
		s.unarm(k + id)
	}
	s.stopReadiness(id)
}
