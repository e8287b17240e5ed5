package chronos

import (
	"context"
	"maps"
	"slices"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/driver"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/jobs/job"
)

// Refuse filters for declined offers: short while runs wait (an offer
// that did not fit may fit once another task ends), long when nothing is
// queued (offers are also suppressed then, and a new run revives them).
const (
	refuseWhileWaiting = 5 * time.Second
	refuseIdle         = 2 * time.Minute
	// refuseAfterLaunch is the filter on what a launch leaves of an offer.
	refuseAfterLaunch = time.Second
)

// handlers is the Service's driver.Scheduler; it keeps the event methods
// out of the Service's exported API.
type handlers struct{ s *Service }

var _ driver.Scheduler = (*handlers)(nil)

// Subscribed stores the framework id and reconciles the running tasks
// recorded in the store: after a leader change they are asked about
// instead of being launched again.
func (h *handlers) Subscribed(_ context.Context, d *driver.Driver, frameworkID string) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return
	}
	if s.st.frameworkID != frameworkID {
		if err := s.apply(SetFrameworkID{ID: frameworkID}); err == nil {
			s.st.frameworkID = frameworkID
		}
	}
	s.log.Info("chronos subscribed", "framework", frameworkID, "running", len(s.st.tasks))
	if len(s.st.tasks) > 0 {
		tasks := map[string]string{}
		for id, t := range s.st.tasks {
			tasks[id] = t.AgentID
		}
		if err := d.Reconcile(tasks); err != nil {
			s.log.Warn("reconcile failed", "error", err)
		}
	}
	s.suppressed = false
	s.tickLocked()
}

// Rescind needs nothing: offers are used or declined as they come.
func (h *handlers) Rescind(context.Context, *driver.Driver, mesos.OfferID) {}

// Offers launches what fits of the launchable runs, in order: high
// priority jobs first, then by due time.
func (h *handlers) Offers(_ context.Context, d *driver.Driver, offers []mesos.Offer) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		return
	}
	now := s.cfg.Clock.Now()
	for i := range offers {
		s.useOffer(d, &offers[i], now)
	}
	if len(s.candidates(now)) == 0 && !s.suppressed {
		if err := d.Suppress(); err == nil {
			s.suppressed = true
		}
	}
}

// candidates are the launchable runs in launch order.
func (s *Service) candidates(now time.Time) []Run {
	var out []Run
	for _, id := range slices.Sorted(maps.Keys(s.st.queue)) {
		r := s.st.queue[id]
		if !s.launchable(r, now) {
			continue
		}
		if j, _ := s.st.graph.Job(r.Job); r.Reason == ReasonSchedule && s.expired(j, r.Due, now) {
			continue // the loop skips and counts it
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Run) int {
		ja, _ := s.st.graph.Job(a.Job)
		jb, _ := s.st.graph.Job(b.Job)
		if ja.HighPriority != jb.HighPriority {
			if ja.HighPriority {
				return -1
			}
			return 1
		}
		return a.Due.Compare(b.Due)
	})
	return out
}

// useOffer launches the runs that fit in one offer, recording the launch
// decision in the store first; it declines the offer if none fits.
func (s *Service) useOffer(d *driver.Driver, o *mesos.Offer, now time.Time) {
	pool, err := resourcepb.FromProto(o.Resources)
	runs := s.candidates(now)
	if err != nil || len(runs) == 0 {
		refuse := refuseIdle
		if len(runs) > 0 {
			refuse = refuseWhileWaiting
		}
		_ = d.Decline([]mesos.OfferID{o.ID}, refuse)
		return
	}
	role := ""
	if o.AllocationInfo != nil {
		role = o.AllocationInfo.GetRole()
	}
	attrs := offerAttributes(o)
	var c Change
	var infos []mesos.TaskInfo
	taken := map[string]bool{}
	touched := map[string]bool{}
	for _, r := range runs {
		j, _ := s.st.graph.Job(r.Job)
		if !j.Concurrent && taken[j.Name] {
			continue
		}
		want := demand(j)
		if !pool.Contains(want) || !job.MatchConstraints(j.Constraints, attrs) {
			continue
		}
		pool = pool.Sub(want)
		taken[j.Name] = true
		infos = append(infos, taskInfo(j, r, o, role))
		c.Dequeue = append(c.Dequeue, r.TaskID)
		c.Tasks = append(c.Tasks, TaskRecord{TaskID: r.TaskID, Job: r.Job, AgentID: o.AgentID.Value, Hostname: o.Hostname,
			Due: r.Due, Attempt: r.Attempt, Arguments: r.Arguments, Reason: r.Reason, Launched: now.UTC(),
			State: mesos.TASK_STAGING.String()})
		if s.launched(j, r, now) {
			touched[j.Name] = true
		}
		if j.Kind() == job.Dependent {
			c.Edges = mergeEdges(c.Edges, s.st.edges(j.Name))
		}
	}
	if len(infos) == 0 {
		_ = d.Decline([]mesos.OfferID{o.ID}, refuseWhileWaiting)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(touched)) {
		j, _ := s.st.graph.Job(name)
		c.Jobs = append(c.Jobs, s.st.record(j))
	}
	for i, id := range c.Dequeue {
		delete(s.st.queue, id)
		t := c.Tasks[i]
		s.st.tasks[id] = &t
	}
	if err := s.apply(LaunchRuns{c}); err != nil {
		_ = d.Decline([]mesos.OfferID{o.ID}, refuseWhileWaiting)
		return
	}
	if err := d.Launch([]mesos.OfferID{o.ID}, infos, refuseAfterLaunch); err != nil {
		// The decision is stored; the tasks will be reconciled as lost
		// and retried when the framework subscribes again.
		s.log.Warn("launch call failed", "error", err)
	}
	for _, t := range c.Tasks {
		s.metrics.Launched++
		s.log.Info("job launched", "job", t.Job, "task", t.TaskID, "agent", t.AgentID)
	}
}

// launched applies the launch of a run to its job, reporting whether the
// job changed: a scheduled run moves the schedule past now (one run used
// however many periods were missed), and a dependent job's edge counts
// start again (Chronos' resetDependencyInvocations).
func (s *Service) launched(j *job.Job, r Run, now time.Time) bool {
	if j.Kind() == job.Dependent {
		s.st.graph.ChildStarted(j.Name)
		return false
	}
	if r.Reason != ReasonSchedule {
		return false
	}
	sched, err := s.st.schedule(j, now)
	if err != nil || !sched.Due(now) {
		return false
	}
	s.st.setSchedule(j, sched.SkipForward(now))
	return true
}

func mergeEdges(dst, src map[string][]job.EdgeCount) map[string][]job.EdgeCount {
	if dst == nil {
		dst = map[string][]job.EdgeCount{}
	}
	maps.Copy(dst, src)
	return dst
}
