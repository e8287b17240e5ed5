package marathon

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/services/app"
)

// handleListDeployments serves GET /v2/deployments: a bare array of plans,
// which go-marathon's WaitOnDeployment polls until its id is gone.
func (s *Service) handleListDeployments(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []planJSONT{}
	for _, d := range s.st.sortedDeployments() {
		out = append(out, s.planJSON(d))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDeleteDeployment serves DELETE /v2/deployments/{id}. Without
// force it starts a new deployment that rolls the affected apps back to
// their definitions before the change (apps it created are removed, apps
// it removed come back); with force=true it only stops tracking the
// deployment (202, no body), leaving the apps as they are.
func (s *Service) handleDeleteDeployment(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.deployments[id]
	if d == nil {
		writeError(w, notFound(fmt.Sprintf("DeploymentPlan %s does not exist", id)))
		return
	}
	if boolParam(r, "force", false) {
		if err := s.write(r.Context(), &Write{DeleteDeployments: []string{id}}); err != nil {
			writeError(w, err)
			return
		}
		delete(s.st.deployments, id)
		s.log.Info("deployment canceled", "deployment", id)
		s.publish(eventDeploymentFailed, map[string]any{"id": id, "plan": s.planJSON(d)})
		s.signal()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if len(d.Pods) > 0 {
		rollback, err := s.rollbackPods(r.Context(), d)
		if err != nil {
			writeError(w, err)
			return
		}
		if rollback == nil {
			rollback = &Deployment{ID: newUUID(), Version: s.podNow()}
		}
		deploymentResult(w, http.StatusOK, rollback)
		return
	}
	now := s.now()
	changes := map[string]appChange{}
	for _, appID := range d.AffectedApps {
		cur := s.st.apps[appID]
		orig := d.Original[appID]
		var next *app.App
		if orig != nil {
			next = orig.Clone()
			app.Stamp(cur, next, now)
		}
		if cur == nil && next == nil {
			continue
		}
		changes[appID] = appChange{Before: cur, After: next}
	}
	rollback, err := s.deploy(r.Context(), changes, true, now)
	if err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, rollback)
}
