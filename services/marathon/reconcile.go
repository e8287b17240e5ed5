package marathon

import (
	"context"
	"sort"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// reconcile is one scheduling pass: deployments whose current step is
// complete move on, every app's tasks are driven toward its definition
// (kills are sent, launches queued), tasks of apps that no longer exist
// are killed, and offers are revived or suppressed. The deployments'
// progress is persisted last: a step's launches need not wait for that
// write (an app's first launch did, for a Raft commit), and a new leader
// that finds an older step finds it done again, since a step is done by
// the state of its apps' tasks (as Marathon restarts a deployment's plan
// after a failover).
func (s *Service) reconcile(ctx context.Context) {
	progress, events := s.advanceDeployments()
	s.startReadiness()
	kills := s.plan(ctx)
	s.kill(ctx, kills)
	s.updateRoles()
	s.adjustOffers(s.drv)
	if err := s.write(ctx, progress); err != nil {
		s.log.Error("persist deployment progress", "error", err)
		return
	}
	for _, e := range events {
		e()
	}
}

// plan recomputes the launch queue and returns the tasks to kill.
func (s *Service) plan(ctx context.Context) []*Task {
	now := s.cfg.Clock.Now()
	var kills []*Task
	queue := map[string]int{}
	byApp := s.st.tasksByApp()
	for _, id := range s.st.appIDs() {
		a := s.st.apps[id]
		d := converge(a, byApp[id], s.modeOf(id), s.readyFn(a, s.currentDeployment(id)))
		kills = append(kills, d.kill...)
		if d.launch > 0 {
			queue[id] = d.launch
			if _, ok := s.since[id]; !ok {
				s.since[id] = now
			}
		}
	}
	for _, id := range s.st.podIDs() {
		launch, podKills := s.planPod(id)
		kills = append(kills, podKills...)
		if launch > 0 {
			queue[id] = launch
			if _, ok := s.since[id]; !ok {
				s.since[id] = now
			}
		}
	}
	for id := range s.since {
		if queue[id] == 0 {
			delete(s.since, id)
			delete(s.stats, id)
		}
	}
	for _, t := range s.st.allTasks() {
		if s.runSpec(t.AppID) == nil && t.isActive() && !t.Killing {
			kills = append(kills, t)
		}
	}
	s.queue = queue
	return kills
}

// queueOrder is the order apps get offers in: longest waiting first.
func (s *Service) queueOrder() []string {
	ids := make([]string, 0, len(s.queue))
	for id, n := range s.queue {
		if n > 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := s.since[ids[i]], s.since[ids[j]]
		if !a.Equal(b) {
			return a.Before(b)
		}
		return ids[i] < ids[j]
	})
	return ids
}

// modeOf is how an app is driven now: rolling while a restart of it is
// the current step of its deployment, held while its step has not come,
// steady otherwise.
func (s *Service) modeOf(appID string) mode {
	for _, d := range s.st.deploymentsOf(appID) {
		action, step, ok := d.actionFor(appID)
		if !ok {
			continue
		}
		switch {
		case step > d.CurrentStep:
			return modeHold
		case step == d.CurrentStep && action.Action == ActionRestart:
			return modeRolling
		}
	}
	return modeSteady
}

// kill marks tasks as being killed (persisted, so a new leader does not
// count them as up) and asks Mesos to kill them with the app's grace
// period.
func (s *Service) kill(ctx context.Context, tasks []*Task) {
	if len(tasks) == 0 {
		return
	}
	w := &Write{}
	var marked []*Task
	for _, t := range tasks {
		if t.Killing || !t.isActive() {
			continue
		}
		next := *t
		next.Killing = true
		w.PutTasks = append(w.PutTasks, &next)
		marked = append(marked, t)
	}
	if err := s.write(ctx, w); err != nil {
		s.log.Error("persist kills", "error", err)
		return
	}
	for _, t := range marked {
		t.Killing = true
		s.stopChecks(t.ID)
		s.stopReadiness(t.ID)
		s.unarm("launch/" + t.ID)
		s.log.Info("killing task", "app", t.AppID, "task", t.ID)
		s.metrics.kills.Inc()
		if s.drv != nil {
			_ = s.drv.Kill(t.ID, t.AgentID, killGrace(s.st.apps[t.AppID]))
		}
		s.armKillRetry(t.ID)
		s.publishInstanceChanged(&Task{ID: t.ID, AppID: t.AppID, AgentID: t.AgentID, Host: t.Host, Version: t.Version, State: stateKilling})
	}
}

// advanceDeployments moves every deployment whose current step is done to
// its next step, and removes finished ones, in memory; it returns the
// write that persists that and the events to publish once it is written.
func (s *Service) advanceDeployments() (*Write, []func()) {
	w := &Write{}
	var events []func()
	publish := func(kind string, payload map[string]any) {
		events = append(events, func() { s.publish(kind, payload) })
	}
	for _, d := range s.st.sortedDeployments() {
		advanced := false
		for s.stepDone(d) {
			advanced = true
			publish(eventDeploymentStepSuccess, map[string]any{"plan": s.planJSON(d), "currentStep": stepJSON(d.Steps[d.CurrentStep-1])})
			if d.CurrentStep == len(d.Steps) {
				w.DeleteDeployments = append(w.DeleteDeployments, d.ID)
				delete(s.st.deployments, d.ID)
				for _, appID := range d.AffectedApps {
					for _, t := range s.st.tasksOf(appID) {
						s.stopReadiness(t.ID)
					}
				}
				s.log.Info("deployment finished", "deployment", d.ID)
				publish(eventDeploymentSuccess, map[string]any{"id": d.ID, "plan": s.planJSON(d)})
				for _, a := range d.Steps[len(d.Steps)-1] {
					if a.Action == ActionStop {
						publish(eventAppTerminated, map[string]any{"appId": a.App})
					}
				}
				advanced = false
				break
			}
			next := *d
			next.CurrentStep++
			*d = next
			publish(eventDeploymentInfo, map[string]any{"plan": s.planJSON(d), "currentStep": stepJSON(d.currentActions())})
		}
		if advanced {
			next := *d
			w.PutDeployments = append(w.PutDeployments, &next)
		}
	}
	return w, events
}

// stepDone reports whether every action of a deployment's current step is
// complete.
func (s *Service) stepDone(d *Deployment) bool {
	actions := d.currentActions()
	if actions == nil {
		return true
	}
	for _, a := range actions {
		if d.isPod(a.App) {
			instances, _ := instanceTasks(s.st.pods[a.App], s.st.tasksOf(a.App))
			if !done(a.Action, podApp(s.st.pods[a.App]), instances, nil) {
				return false
			}
			continue
		}
		app := s.st.apps[a.App]
		if !done(a.Action, app, s.st.tasksOf(a.App), s.readyFn(app, d)) {
			return false
		}
	}
	return true
}

// startDeployment records a new deployment together with the app changes
// it carries out; force cancels the deployments of the affected apps
// (they stop being tracked, their apps take the new definitions).
// Changing an app's configuration resets its launch delay.
func (s *Service) startDeployment(ctx context.Context, d *Deployment, puts []*app.App, deletes []string, ge groupEdits, next tree) error {
	w := &Write{PutApps: puts, DeleteApps: deletes, PutDeployments: []*Deployment{d}}
	s.addTree(w, next, ge, d.Version)
	var canceled []*Deployment
	for _, id := range d.AffectedApps {
		for _, old := range s.st.deploymentsOf(id) {
			if old.ID != d.ID && !containsDeployment(canceled, old) {
				canceled = append(canceled, old)
				w.DeleteDeployments = append(w.DeleteDeployments, old.ID)
			}
		}
	}
	for _, a := range puts {
		if prev := s.st.apps[a.ID]; prev == nil || !configVersion(prev).Equal(configVersion(a)) {
			s.resetDelay(a.ID, w)
		}
	}
	for _, id := range deletes {
		s.resetDelay(id, w)
	}
	if err := s.write(ctx, w); err != nil {
		return err
	}
	s.applyTree(puts, deletes, ge, d.Version)
	s.metrics.deployments.Inc()
	for _, old := range canceled {
		delete(s.st.deployments, old.ID)
		s.log.Info("deployment canceled", "deployment", old.ID, "by", d.ID)
		s.publish(eventDeploymentFailed, map[string]any{"id": old.ID, "plan": s.planJSON(old)})
	}
	s.st.deployments[d.ID] = d
	s.log.Info("deployment started", "deployment", d.ID, "apps", d.AffectedApps)
	s.publish(eventDeploymentInfo, map[string]any{"plan": s.planJSON(d), "currentStep": stepJSON(d.currentActions())})
	s.publish(eventGroupChangeSuccess, map[string]any{"groupId": "/", "version": app.FormatTimestamp(d.Version)})
	s.signal()
	return nil
}

func containsDeployment(ds []*Deployment, d *Deployment) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func appendVersion(vs []time.Time, v time.Time) []time.Time {
	for _, x := range vs {
		if x.Equal(v) {
			return vs
		}
	}
	vs = append(vs, v)
	if len(vs) > maxVersions {
		vs = vs[len(vs)-maxVersions:]
	}
	return vs
}
