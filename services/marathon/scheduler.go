package marathon

import (
	"context"
	"errors"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/driver"
	"github.com/mesosbox/mesosbox/services/app"
)

// scheduler is the Service seen by the driver: its event handlers.
type scheduler Service

var _ driver.BatchScheduler = (*scheduler)(nil)

// Subscribed persists the framework id and reconciles every known task,
// explicitly (so tasks the master forgot come back as TASK_LOST) and
// implicitly (so tasks Marathon forgot are found and killed).
func (sc *scheduler) Subscribed(ctx context.Context, d *driver.Driver, frameworkID string) {
	s := (*Service)(sc)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	if s.st.frameworkID != frameworkID {
		if err := s.write(ctx, &Write{FrameworkID: frameworkID}); err != nil {
			s.log.Error("persist framework id", "error", err)
		}
		s.st.frameworkID = frameworkID
	}
	s.log.Info("subscribed", "framework", frameworkID)
	s.reconcileTasks(d)
	s.armReconciliation(reconcileInitialDelay)
	for _, t := range s.st.tasks {
		if t.Killing && t.isActive() {
			_ = d.Kill(t.ID, t.AgentID, killGrace(s.st.apps[t.AppID]))
		}
	}
	_ = d.Revive()
	s.revived = true
	s.publish(eventSchedulerRegistered, map[string]any{"frameworkId": frameworkID, "master": s.cfg.MasterURL})
	s.signal()
}

// Rescind needs nothing: offers are used or declined as they arrive.
func (sc *scheduler) Rescind(context.Context, *driver.Driver, mesos.OfferID) {}

// errNotRunning refuses a status that arrives while this node's Marathon
// is not (or no longer) the leader: the next leader records it.
var errNotRunning = errors.New("marathon is not running on this node")

// Update records one task status; see Updates.
func (sc *scheduler) Update(ctx context.Context, d *driver.Driver, status mesos.TaskStatus) error {
	return sc.Updates(ctx, d, []mesos.TaskStatus{status})
}

// Updates records a batch of task statuses in one Raft write (the driver
// acknowledges them after Updates returns, so a status is acknowledged
// only once it is persisted, as Marathon acknowledges after its
// repository write): it drops terminal tasks with their failure and
// launch backoff, and kills tasks Marathon does not know. One write per
// batch rather than per status: a thousand tasks starting at once send
// two thousand updates, which one at a time queue behind each other's
// disk syncs for tens of seconds.
//
// The in-memory state changes status by status (a later status of the
// batch builds on an earlier one); the events go out once the write has
// committed. A failed write is returned, its events dropped and its
// statuses left unacknowledged: it fails when leadership is lost, and the
// next leader reloads the store and gets the statuses again from the
// agents, which resend what was not acknowledged. (Acknowledging them
// anyway once left a killed task TASK_KILLING in Marathon for good, its
// restart deployment waiting on it.)
func (sc *scheduler) Updates(ctx context.Context, d *driver.Driver, statuses []mesos.TaskStatus) error {
	s := (*Service)(sc)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return errNotRunning
	}
	w := &Write{}
	var after []func()
	for _, st := range statuses {
		if f := s.recordStatus(d, st, w); f != nil {
			after = append(after, f)
		}
	}
	if err := s.write(ctx, w); err != nil {
		s.log.Error("persist task updates", "updates", len(statuses), "error", err)
		return err
	}
	for _, f := range after {
		f()
	}
	s.signal()
	return nil
}

// recordStatus applies one status to the in-memory state, adds what it
// changes to w and returns what to do once w is persisted (events,
// unreachable timers); nil for a status of a task Marathon does not know.
func (s *Service) recordStatus(d *driver.Driver, status mesos.TaskStatus, w *Write) func() {
	id := status.TaskID.Value
	state := stateName(status.GetState())
	s.metrics.taskUpdate(state)
	t := s.st.tasks[id]
	if t == nil {
		if !isTerminal(state) {
			agent := ""
			if status.AgentID != nil {
				agent = status.AgentID.Value
			}
			s.log.Warn("killing a task Marathon does not know", "task", id, "state", state)
			_ = d.Kill(id, agent, 0)
		}
		return nil
	}
	now := s.cfg.Clock.Now()
	a := s.runSpec(t.AppID)
	next := *t
	next.State = state
	next.Message = status.GetMessage()
	if status.Healthy != nil {
		h := status.GetHealthy()
		next.MesosHealthy = &h
	}
	if ips := statusIPs(status); len(ips) > 0 {
		next.IPs = ips
	}
	if state == stateRunning && next.StartedAt == nil {
		started := now
		next.StartedAt = &started
	}
	reachable := false
	switch {
	case state == stateUnreachable && next.UnreachableSince == nil:
		since := unreachableSince(status, now)
		next.UnreachableSince = &since
	case state != stateUnreachable && next.UnreachableSince != nil:
		next.UnreachableSince, next.Inactive, reachable = nil, false, true
	}
	healthChanged := status.Healthy != nil && (t.MesosHealthy == nil) != (next.MesosHealthy == nil)
	var unreachable *Task
	if isTerminal(state) {
		w.DeleteTasks = append(w.DeleteTasks, id)
		f := &TaskFailure{AppID: t.AppID, Host: t.Host, Message: status.GetMessage(), State: state,
			TaskID: id, Timestamp: now, Version: t.Version, SlaveID: t.AgentID}
		w.PutFailures = append(w.PutFailures, f)
		delete(s.st.tasks, id)
		s.st.failures[t.AppID] = f
		if !t.Killing && a != nil {
			delay := nextDelay(a, s.st.delays[a.ID], now)
			w.PutDelays = append(w.PutDelays, delay)
			s.st.delays[a.ID] = delay
			s.armDelay(a.ID, delay)
			s.log.Info("task failed; launches delayed", "app", a.ID, "task", id, "state", state, "delay", delay.Current)
		}
		s.stopChecks(id)
		s.cancelTaskTimers(id)
	} else {
		w.PutTasks = append(w.PutTasks, &next)
		*t = next
		if state == stateRunning && !t.Killing {
			s.startChecks(t)
			s.unarm("launch/" + id)
		}
		if reachable {
			s.unarm("inactive/" + id)
			s.unarm("expunge/" + id)
			s.log.Info("unreachable task is back", "app", t.AppID, "task", id, "state", state)
		}
		if state == stateUnreachable {
			s.stopChecks(id)
			unreachable = t
		}
	}
	return func() {
		s.publishStatus(&next, status)
		if healthChanged {
			s.publishHealth(&next, *next.MesosHealthy)
		}
		if unreachable != nil {
			s.armUnreachable(unreachable)
		}
	}
}

// statusIPs are the task's addresses from its container status.
func statusIPs(st mesos.TaskStatus) []string {
	var out []string
	if cs := st.ContainerStatus; cs != nil {
		for _, ni := range cs.NetworkInfos {
			for _, ip := range ni.IPAddresses {
				if ip.IPAddress != nil {
					out = append(out, *ip.IPAddress)
				}
			}
		}
	}
	return out
}

// Offers launches what the queue needs on the offers that fit and
// declines the rest.
func (sc *scheduler) Offers(ctx context.Context, d *driver.Driver, offers []mesos.Offer) {
	s := (*Service)(sc)
	s.metrics.offersIncoming.Add(float64(len(offers)))
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		s.metrics.offersDeclined.Add(float64(len(offers)))
		ids := make([]mesos.OfferID, len(offers))
		for i, o := range offers {
			ids[i] = o.ID
		}
		_ = d.Decline(ids, s.cfg.DeclineRefuse)
		return
	}
	s.plan(ctx)
	for _, o := range offers {
		s.useOffer(ctx, d, o)
	}
	s.adjustOffers(d)
}

// useOffer places as many queued tasks as fit on one offer.
func (s *Service) useOffer(ctx context.Context, d *driver.Driver, o mesos.Offer) {
	now := s.cfg.Clock.Now()
	pool, err := newOfferPool(o)
	if err != nil {
		s.log.Warn("unusable offer", "offer", o.ID.Value, "error", err)
		s.metrics.offersDeclined.Inc()
		_ = d.Decline([]mesos.OfferID{o.ID}, s.cfg.DeclineRefuse)
		return
	}
	var infos []mesos.TaskInfo
	var groups []mesos.Offer_Operation
	var created []*Task
	for _, appID := range s.queueOrder() {
		a := s.runSpec(appID)
		if a == nil || s.queue[appID] == 0 || s.delayed(appID, now) {
			continue
		}
		stats := s.offerStatsOf(appID)
		used := false
		placed := s.placements(appID, created)
		var rejected []string
		for s.queue[appID] > 0 {
			f, reasons := match(a, pool, placed)
			if len(reasons) > 0 {
				rejected = reasons
				break
			}
			if r := s.st.pods[appID]; r != nil {
				tasks, group, exec := s.newPodInstance(r, pool, f, now)
				groups = append(groups, mesos.Offer_Operation{Type: mesos.Offer_Operation_LAUNCH_GROUP,
					LaunchGroup: &mesos.Offer_Operation_LaunchGroup{Executor: exec, TaskGroup: group}})
				created = append(created, tasks...)
				placed = append(placed, tasks[0].Placement)
			} else {
				t, info := s.newTask(a, pool, f, now)
				infos = append(infos, info)
				created = append(created, t)
				placed = append(placed, t.Placement)
			}
			pool.free = pool.free.Sub(f.res)
			s.queue[appID]--
			used = true
		}
		stats.record(now, used, rejected)
	}
	if len(created) == 0 {
		s.metrics.offersDeclined.Inc()
		_ = d.Decline([]mesos.OfferID{o.ID}, s.cfg.DeclineRefuse)
		return
	}
	w := &Write{PutTasks: created}
	if err := s.write(ctx, w); err != nil {
		s.log.Error("persist launched tasks; declining the offer", "error", err)
		s.metrics.offersDeclined.Inc()
		_ = d.Decline([]mesos.OfferID{o.ID}, 0)
		s.signal()
		return
	}
	for _, t := range created {
		s.st.tasks[t.ID] = t
		s.armLaunchTimeout(t)
	}
	s.metrics.offersUsed.Inc()
	s.metrics.launched.Add(float64(len(created)))
	var ops []mesos.Offer_Operation
	if len(infos) > 0 {
		ops = append(ops, mesos.Offer_Operation{Type: mesos.Offer_Operation_LAUNCH, Launch: &mesos.Offer_Operation_Launch{TaskInfos: infos}})
	}
	if err := d.Accept([]mesos.OfferID{o.ID}, append(ops, groups...), s.cfg.DeclineRefuse); err != nil {
		// Not subscribed any more: reconciliation after re-subscribing
		// reports the tasks lost, and they are replaced.
		s.log.Warn("launch failed", "error", err)
	}
	for _, t := range created {
		s.log.Info("launching task", "app", t.AppID, "task", t.ID, "host", t.Host, "ports", t.Ports)
		s.publishInstanceChanged(t)
	}
}

// newTask creates the record and the TaskInfo of a task placed on pool.
func (s *Service) newTask(a *app.App, pool *offerPool, f fit, now time.Time) (*Task, mesos.TaskInfo) {
	id := app.NewTaskID(a.ID, newUUID())
	t := &Task{
		ID: id, AppID: a.ID, AgentID: pool.offer.AgentID.Value, Host: pool.offer.Hostname,
		Ports: f.hostPorts, ServicePorts: servicePorts(a), Role: pool.role,
		StagedAt: now, State: stateStaging, Version: a.Version, ConfigVersion: configVersion(a),
		Placement: pool.placement,
	}
	return t, taskInfo(a, id, pool, f)
}

// placements are where an app's active tasks are, for constraints.
func (s *Service) placements(appID string, extra []*Task) []app.Placement {
	var out []app.Placement
	for _, t := range s.st.tasksOf(appID) {
		if t.isActive() {
			out = append(out, t.Placement)
		}
	}
	for _, t := range extra {
		if t.AppID == appID {
			out = append(out, t.Placement)
		}
	}
	return out
}

// adjustOffers suppresses offers while nothing can launch and revives
// them when something can (which also clears decline filters).
func (s *Service) adjustOffers(d *driver.Driver) {
	now := s.cfg.Clock.Now()
	launchable := 0
	for id, n := range s.queue {
		if n > 0 && !s.delayed(id, now) {
			launchable += n
		}
	}
	switch {
	case launchable > 0 && (!s.revived || launchable > s.wanted):
		if d.Revive() == nil {
			s.revived = true
		}
	case launchable == 0 && s.revived:
		if d.Suppress() == nil {
			s.revived = false
		}
	}
	s.wanted = launchable
}

// killGrace is the app's taskKillGracePeriodSeconds; 0 keeps the task's
// kill policy (Mesos' default of 3 s).
func killGrace(a *app.App) time.Duration {
	if a == nil || a.TaskKillGracePeriodSeconds == nil {
		return 0
	}
	return time.Duration(*a.TaskKillGracePeriodSeconds) * time.Second
}
