package chronos

import (
	"maps"
	"slices"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/jobs/schedule"
)

// maxSleep bounds the loop's sleep, so that a wall-clock step (NTP) delays
// a run by at most this much.
const maxSleep = time.Minute

// tickLocked is one turn of the schedule loop (Chronos 3's mainLoop): it
// drops queued runs whose job is gone or disabled, skips runs whose 2.x
// epsilon has passed, queues every enabled scheduled job that is due and has
// no run queued yet, asks for offers when something can launch, and sleeps
// until the next due time. The caller holds mu.
//
// A due job is queued once; its schedule moves on when the run launches
// (launch.go), so however long the run waits for an offer, and however
// many periods a down leader missed, it runs once and then keeps its
// rhythm: Chronos 3's "never skip" rule.
func (s *Service) tickLocked() {
	if !s.active() {
		return
	}
	now := s.cfg.Clock.Now()
	st := s.st
	var c Change
	touched := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(st.queue)) {
		r := st.queue[id]
		j, ok := st.graph.Job(r.Job)
		switch {
		case !ok || j.Disabled:
			// Chronos' TaskManager drops the tasks of deleted and
			// disabled jobs when it meets them (JobExpired).
			c.Dequeue = append(c.Dequeue, id)
			delete(st.queue, id)
			s.metrics.Dropped++
		case r.Reason == ReasonSchedule && s.expired(j, r.Due, now):
			c.Dequeue = append(c.Dequeue, id)
			delete(st.queue, id)
			s.skip(j, now)
			touched[j.Name] = true
		}
	}
	for _, j := range st.graph.Jobs() {
		if j.Kind() != job.Scheduled || j.Disabled || s.scheduleQueued(j.Name) {
			continue
		}
		sched, err := st.schedule(j, now)
		if err != nil {
			s.log.Warn("job schedule does not parse", "job", j.Name, "schedule", j.Schedule, "error", err)
			continue
		}
		if !sched.Due(now) {
			continue
		}
		if s.expired(j, sched.Start(), now) {
			s.skip(j, now)
			touched[j.Name] = true
			continue
		}
		r := newRun(j.Name, sched.Start(), 0, "", ReasonSchedule, now)
		if _, running := st.tasks[r.TaskID]; running {
			continue
		}
		st.queue[r.TaskID] = r
		c.Enqueue = append(c.Enqueue, r)
		s.metrics.Queued++
	}
	for _, name := range slices.Sorted(maps.Keys(touched)) {
		if j, ok := st.graph.Job(name); ok {
			c.Jobs = append(c.Jobs, st.record(j))
		}
	}
	if !c.empty() {
		if err := s.apply(QueueRuns{c}); err != nil {
			s.armLocked(now)
			return
		}
		for _, r := range c.Enqueue {
			s.log.Info("job queued", "job", r.Job, "task", r.TaskID)
		}
	}
	s.wantOffersLocked(now)
	s.armLocked(now)
}

// expired is Chronos 2.x's epsilon test, applied to jobs posted with an
// epsilon and, in 2.x mode, to every job.
func (s *Service) expired(j *job.Job, due, now time.Time) bool {
	return s.epsilonApplies(j) && schedule.Expired(due, now, j.Epsilon.Length(due))
}

// epsilonApplies reports whether the job follows the 2.x epsilon rule.
func (s *Service) epsilonApplies(j *job.Job) bool {
	m := s.st.meta[j.Name]
	return s.cfg.Defaults.Mode == job.V2 || (m != nil && m.epsilonSet)
}

// skip moves a job past a run it missed by more than epsilon, counting it.
func (s *Service) skip(j *job.Job, now time.Time) {
	sched, err := s.st.schedule(j, now)
	if err != nil {
		return
	}
	s.st.setSchedule(j, sched.SkipForward(now))
	s.st.metaOf(j.Name).skipped++
	s.metrics.Skipped++
	s.log.Warn("job run skipped: later than its epsilon", "job", j.Name, "due", sched.Start(), "epsilon", j.Epsilon.String())
}

// scheduleQueued reports whether the job has a scheduled run waiting.
func (s *Service) scheduleQueued(name string) bool {
	for _, r := range s.st.queue {
		if r.Job == name && r.Reason == ReasonSchedule {
			return true
		}
	}
	return false
}

// launchable reports whether a queued run could launch now if an offer fits.
func (s *Service) launchable(r Run, now time.Time) bool {
	j, ok := s.st.graph.Job(r.Job)
	if !ok || j.Disabled || r.Due.After(now) {
		return false
	}
	return j.Concurrent || !s.st.running(j.Name)
}

// wantOffersLocked revives offers while a run can launch and suppresses
// them when none can, as Chronos' MesosOfferReviver does. Reviving also
// clears the filters of earlier declines, so a run that became due is
// offered resources at once.
func (s *Service) wantOffersLocked(now time.Time) {
	if s.drv == nil {
		return
	}
	want := false
	for _, r := range s.st.queue {
		if s.launchable(r, now) {
			want = true
			break
		}
	}
	switch {
	case want:
		if err := s.drv.Revive(); err == nil {
			s.suppressed = false
		}
	case !s.suppressed:
		if err := s.drv.Suppress(); err == nil {
			s.suppressed = true
		}
	}
}

// armLocked sleeps the loop until the next scheduled run, queued run or
// epsilon deadline after now.
func (s *Service) armLocked(now time.Time) {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if !s.active() {
		return
	}
	next := now.Add(maxSleep)
	consider := func(t time.Time) {
		if t.After(now) && t.Before(next) {
			next = t
		}
	}
	for _, j := range s.st.graph.Jobs() {
		if j.Kind() != job.Scheduled || j.Disabled {
			continue
		}
		if sched, err := s.st.schedule(j, now); err == nil {
			if n, infinite := sched.Remaining(); n > 0 || infinite {
				consider(sched.Start())
			}
		}
	}
	for _, r := range s.st.queue {
		consider(r.Due)
		if j, ok := s.st.graph.Job(r.Job); ok && r.Reason == ReasonSchedule && s.epsilonApplies(j) {
			// Wake just after the epsilon ran out, to skip and count the run.
			consider(r.Due.Add(j.Epsilon.Length(r.Due)).Add(time.Millisecond))
		}
	}
	var t clock.Timer
	t = s.cfg.Clock.AfterFunc(next.Sub(now), func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.timer != t {
			return
		}
		s.timer = nil
		s.tickLocked()
	})
	s.timer = t
}

// dropQueued removes queued runs (task/kill, task/all). A scheduled run's
// slot is used up: its schedule moves past now, as if it had run, so the
// loop does not queue it again at once.
func (s *Service) dropQueued(c *Change, runs []Run, now time.Time) {
	touched := map[string]bool{}
	for _, r := range runs {
		delete(s.st.queue, r.TaskID)
		c.Dequeue = append(c.Dequeue, r.TaskID)
		j, ok := s.st.graph.Job(r.Job)
		if !ok || r.Reason != ReasonSchedule {
			continue
		}
		if sched, err := s.st.schedule(j, now); err == nil && sched.Due(now) {
			s.st.setSchedule(j, sched.SkipForward(now))
			touched[j.Name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(touched)) {
		j, _ := s.st.graph.Job(name)
		c.Jobs = append(c.Jobs, s.st.record(j))
	}
}
