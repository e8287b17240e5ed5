package marathon

import (
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// nextDelay is Marathon's launch backoff after a task of a failed: the
// first failure delays launches by backoffSeconds, every further failure
// multiplies the delay by backoffFactor, up to maxLaunchDelaySeconds. The
// delay counts from the failure.
func nextDelay(a *app.App, prev *Delay, now time.Time) *Delay {
	base := time.Duration(a.BackoffSeconds) * time.Second
	limit := time.Duration(a.MaxLaunchDelaySeconds) * time.Second
	cur := base
	if prev != nil && prev.Current > 0 {
		cur = time.Duration(float64(prev.Current) * a.BackoffFactor)
	}
	cur = min(cur, limit)
	return &Delay{AppID: a.ID, Current: cur, Until: now.Add(cur)}
}

// delayed reports whether the app may not launch now.
func (s *Service) delayed(appID string, now time.Time) bool {
	d := s.st.delays[appID]
	return d != nil && now.Before(d.Until)
}

// armDelay wakes the scheduler when an app's delay runs out.
func (s *Service) armDelay(appID string, d *Delay) {
	if t := s.timers[appID]; t != nil {
		t.Stop()
	}
	// Until is a wall-clock deadline; a wait longer than the delay itself
	// means the clock was stepped back since the failure.
	wait := min(max(d.Until.Sub(s.cfg.Clock.Now()), 0), d.Current)
	s.timers[appID] = s.cfg.Clock.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		// The delay has now been waited out on the monotonic clock. A wall
		// clock still before Until was stepped back: end the delay now
		// instead of holding the app until the clock catches up, as no
		// other timer would wake the scheduler for it.
		if !s.running {
			return
		}
		if now := s.cfg.Clock.Now(); s.st.delays[appID] == d && now.Before(d.Until) {
			ended := *d
			ended.Until = now
			s.st.delays[appID] = &ended
		}
		s.signal()
	})
}

// resetDelay forgets an app's launch delay (a new configuration, or DELETE
// /v2/queue/{app}/delay); the caller persists w.
func (s *Service) resetDelay(appID string, w *Write) {
	if _, ok := s.st.delays[appID]; !ok {
		return
	}
	delete(s.st.delays, appID)
	if t := s.timers[appID]; t != nil {
		t.Stop()
		delete(s.timers, appID)
	}
	w.DeleteDelays = append(w.DeleteDelays, appID)
}
