package marathon

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// Pod events (Marathon's PodEvent).
const (
	eventPodCreated = "pod_created_event"
	eventPodUpdated = "pod_updated_event"
	eventPodDeleted = "pod_deleted_event"
)

// deployPod changes one pod (after nil deletes it) through a deployment:
// the plan is computed on the pods' app views, so StartPod, ScalePod,
// RestartPod and StopPod follow the same rules, locks and upgrade
// strategy as the app actions. The caller holds s.mu.
func (s *Service) deployPod(ctx context.Context, before, after *podRecord, force bool, version time.Time) (*Deployment, error) {
	id := ""
	if before != nil {
		id = before.Spec.ID
	} else {
		id = after.Spec.ID
	}
	if held := s.lockedBy(id); len(held) > 0 && !force {
		return nil, locked(held)
	}
	w := &Write{}
	if after != nil {
		w.PutPods = []*podRecord{after}
		ge := treeEdits(s.st.tree(), version, []*app.App{{ID: id}}, nil, groupEdits{})
		w.PutGroups = ge.put
	} else {
		w.DeletePods = []string{id}
	}
	d := plan(newUUID(), version, map[string]appChange{id: {Before: podApp(before), After: podApp(after)}}, nil)
	if d != nil {
		d.Pods = []string{id}
		if before != nil {
			d.OriginalPods = map[string]*podRecord{id: before}
		}
		// The app views are not apps: a rollback of the deployment
		// (DELETE /v2/deployments) must not store them as such.
		d.Original, d.Target = map[string]*app.App{}, map[string]*app.App{}
		w.PutDeployments = []*Deployment{d}
		for _, old := range s.st.deploymentsOf(id) {
			w.DeleteDeployments = append(w.DeleteDeployments, old.ID)
		}
	}
	if before == nil || after == nil || !before.ConfigVersion.Equal(after.ConfigVersion) {
		s.resetDelay(id, w)
	}
	if err := s.write(ctx, w); err != nil {
		return nil, err
	}
	if after != nil {
		s.st.pods[id] = after
		s.st.podVersions[id] = appendVersion(s.st.podVersions[id], after.Spec.Version)
		for _, g := range w.PutGroups {
			s.st.groups[g.ID] = g
		}
	} else {
		delete(s.st.pods, id)
		delete(s.st.podVersions, id)
		delete(s.st.failures, id)
	}
	s.metrics.deployments.Inc()
	for _, old := range w.DeleteDeployments {
		if prev := s.st.deployments[old]; prev != nil {
			delete(s.st.deployments, old)
			s.publish(eventDeploymentFailed, map[string]any{"id": old, "plan": s.planJSON(prev)})
		}
	}
	if d == nil {
		d = &Deployment{ID: newUUID(), Version: version}
		s.publish(eventDeploymentSuccess, map[string]any{"id": d.ID, "plan": s.planJSON(d)})
	} else {
		s.st.deployments[d.ID] = d
		s.log.Info("deployment started", "deployment", d.ID, "pod", id)
		s.publish(eventDeploymentInfo, map[string]any{"plan": s.planJSON(d), "currentStep": podStepJSON(d, stepJSON(d.currentActions()))})
	}
	s.signal()
	return d, nil
}

// preparePod decodes, defaults and validates a pod body for id (the id of
// the URL; "" for a POST, which takes the body's) against the current
// state. The caller holds s.mu.
func (s *Service) preparePod(body []byte, id string) (*app.Pod, error) {
	p, err := app.DecodePod(body, "/")
	if err != nil {
		return nil, err
	}
	if id != "" {
		if p.ID != "" && p.ID != id {
			return nil, notValid("/id", "Pod id in the body does not match the id of the URL")
		}
		p.ID = id
	}
	if p.ID == "" {
		var v app.Violations
		v.Add("/id", "error.path.missing")
		return nil, &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageInvalidJSON, Details: v.Details()}
	}
	var existing *app.App
	if r := s.st.pods[p.ID]; r != nil {
		existing = &app.App{ID: p.ID, Role: r.Spec.Role}
	}
	role := &app.App{ID: p.ID, Role: p.Role}
	if err := applyRole(role, s.st.tree(), existing); err != nil {
		return nil, err
	}
	p.Role = role.Role
	app.DefaultPod(p)
	if err := app.ValidatePod(p); err != nil {
		return nil, err
	}
	return p, nil
}

// stampPod gives a pod its version and configuration version: a change
// of instances only keeps the running instances current.
func stampPod(prev *podRecord, p *app.Pod, now time.Time) *podRecord {
	p.Version = now
	r := &podRecord{Spec: p, ConfigVersion: now}
	if prev != nil && samePodConfig(prev.Spec, p) {
		r.ConfigVersion = prev.ConfigVersion
	}
	return r
}

// samePodConfig reports whether two pods differ at most in version and
// instances.
func samePodConfig(a, b *app.Pod) bool {
	ca, cb := a.Clone(), b.Clone()
	ca.Version, cb.Version = time.Time{}, time.Time{}
	ca.Scaling.Instances, cb.Scaling.Instances = 0, 0
	ja, _ := json.Marshal(ca)
	jb, _ := json.Marshal(cb)
	return string(ja) == string(jb)
}

// podNow is s.now() also later than every stored pod version.
func (s *Service) podNow() time.Time {
	now := s.now()
	for _, vs := range s.st.podVersions {
		if n := len(vs); n > 0 && !now.After(vs[n-1]) {
			now = vs[n-1].Add(time.Millisecond)
		}
	}
	return now
}

// groupPods are the pods directly in group id, for /v2/groups (a stored
// root version holds apps only, so it lists none).
func (s *Service) groupPods(id string, live bool) *[]json.RawMessage {
	out := []json.RawMessage{}
	if !live {
		return &out
	}
	for _, pid := range s.st.podIDs() {
		if parentOf(pid) == id {
			if b, err := json.Marshal(s.st.pods[pid].Spec); err == nil {
				out = append(out, b)
			}
		}
	}
	return &out
}

// podsUnder are the pods inside group gid.
func (s *Service) podsUnder(gid string) []string {
	var out []string
	for _, id := range s.st.podIDs() {
		if under(id, gid) {
			out = append(out, id)
		}
	}
	return out
}

// stopPods deletes pods whose group was deleted, each with its StopPod
// deployment (the caller checked the locks).
func (s *Service) stopPods(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := s.deployPod(ctx, s.st.pods[id], nil, true, s.podNow()); err != nil {
			return err
		}
	}
	return nil
}

// rollbackPods starts, for each pod of deployment d, the deployment that
// puts it back as it was before d (a pod d created is deleted). The
// rollback overrides d.
func (s *Service) rollbackPods(ctx context.Context, d *Deployment) (*Deployment, error) {
	var last *Deployment
	for _, id := range d.Pods {
		cur, orig := s.st.pods[id], d.OriginalPods[id]
		if cur == nil && orig == nil {
			continue
		}
		var next *podRecord
		if orig != nil {
			spec := orig.Spec.Clone()
			next = stampPod(cur, spec, s.podNow())
		}
		rb, err := s.deployPod(ctx, cur, next, true, s.podNow())
		if err != nil {
			return nil, err
		}
		last = rb
	}
	return last, nil
}
