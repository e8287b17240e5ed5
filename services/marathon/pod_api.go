package marathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/services/app"
)

// mountPods registers /v2/pods. Pod ids contain slashes, so the
// sub-resources are recognised by Marathon's "::" suffixes:
//
//	::status (every pod), {id}::status, {id}::versions,
//	{id}::versions/{version}, {id}::instances, {id}::instances/{instance}.
func (s *Service) mountPods(r chi.Router) {
	r.Head("/v2/pods", s.leader(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	r.Get("/v2/pods", s.leader(s.handleListPods))
	r.Post("/v2/pods", s.leader(s.handleCreatePod))
	r.HandleFunc("/v2/pods/*", s.leader(s.routePod))
}

func (s *Service) routePod(w http.ResponseWriter, r *http.Request) {
	rest := chi.URLParam(r, "*")
	idPart, sub, _ := strings.Cut(rest, "::")
	id := app.CanonicalPath(strings.Trim(idPart, "/"), "/")
	switch {
	case rest == "::status" && r.Method == http.MethodGet:
		s.handleAllPodStatus(w)
	case sub == "status" && r.Method == http.MethodGet:
		s.handlePodStatus(w, id)
	case sub == "versions" && r.Method == http.MethodGet:
		s.handlePodVersions(w, id)
	case strings.HasPrefix(sub, "versions/") && r.Method == http.MethodGet:
		s.handlePodVersion(w, id, strings.TrimPrefix(sub, "versions/"))
	case sub == "instances" && r.Method == http.MethodDelete:
		s.handleKillPodInstances(w, r, id, "")
	case strings.HasPrefix(sub, "instances/") && r.Method == http.MethodDelete:
		s.handleKillPodInstances(w, r, id, strings.TrimPrefix(sub, "instances/"))
	case sub != "" || idPart == "":
		writeMessage(w, http.StatusNotFound, "HTTP 404 Not Found")
	case r.Method == http.MethodGet:
		s.handleGetPod(w, id)
	case r.Method == http.MethodPut:
		s.handleUpdatePod(w, r, id)
	case r.Method == http.MethodDelete:
		s.handleDeletePod(w, r, id)
	default:
		writeMessage(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
	}
}

func podNotFound(id string) error { return notFound(fmt.Sprintf("Pod '%s' does not exist", id)) }

func (s *Service) handleListPods(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*app.Pod{}
	for _, id := range s.st.podIDs() {
		out = append(out, s.st.pods[id].Spec)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) handleGetPod(w http.ResponseWriter, id string) {
	s.withPod(w, id, func(r *podRecord) { writeJSON(w, http.StatusOK, r.Spec) })
}

// checkPodID refuses a new pod whose id an app has (409), or that sits
// where a group is or inside an app or pod (422).
func (s *Service) checkPodID(id string) error {
	if s.st.apps[id] != nil {
		return &apiError{status: http.StatusConflict, message: fmt.Sprintf("An app with id [%s] already exists.", id)}
	}
	if err := s.checkTree(id); err != nil {
		return err
	}
	for _, p := range ancestors(id) {
		if s.st.pods[p] != nil {
			return treeClash()
		}
	}
	return nil
}

// handleCreatePod serves POST /v2/pods: 201 with Location, the deployment
// header and the pod with its defaults.
func (s *Service) handleCreatePod(w http.ResponseWriter, r *http.Request) {
	s.savePod(w, r, "")
}

// handleUpdatePod serves PUT /v2/pods/{id}: the whole new definition
// (a missing pod is created, 201).
func (s *Service) handleUpdatePod(w http.ResponseWriter, r *http.Request, id string) {
	s.savePod(w, r, id)
}

// savePod creates (POST, id "") or replaces (PUT) a pod and deploys it.
func (s *Service) savePod(w http.ResponseWriter, r *http.Request, id string) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.preparePod(body, id)
	if err != nil {
		writeError(w, err)
		return
	}
	prev := s.st.pods[p.ID]
	switch {
	case prev != nil && id == "":
		err = &apiError{status: http.StatusConflict, message: fmt.Sprintf("A pod with id [%s] already exists.", p.ID)}
	case prev == nil:
		err = s.checkPodID(p.ID)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := s.deployPod(r.Context(), prev, stampPod(prev, p, s.podNow()), boolParam(r, "force", false), p.Version)
	if err != nil {
		writeError(w, err)
		return
	}
	status, event := http.StatusCreated, eventPodCreated
	if prev != nil {
		status, event = http.StatusOK, eventPodUpdated
	}
	s.publish(event, map[string]any{"clientIp": r.RemoteAddr, "uri": r.URL.Path})
	w.Header().Set("Location", absoluteURL(r, "/v2/pods"+p.ID))
	w.Header().Set("Marathon-Deployment-Id", d.ID)
	writeJSON(w, status, p)
}

// handleDeletePod serves DELETE /v2/pods/{id}: 202 with the deployment
// that stops its instances.
func (s *Service) handleDeletePod(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.st.pods[id]
	if prev == nil {
		writeError(w, podNotFound(id))
		return
	}
	d, err := s.deployPod(r.Context(), prev, nil, boolParam(r, "force", false), s.podNow())
	if err != nil {
		writeError(w, err)
		return
	}
	s.publish(eventPodDeleted, map[string]any{"clientIp": r.RemoteAddr, "uri": r.URL.Path})
	w.Header().Set("Location", absoluteURL(r, "/v2/deployments/"+d.ID))
	w.Header().Set("Marathon-Deployment-Id", d.ID)
	w.WriteHeader(http.StatusAccepted)
}

// handlePodVersions serves GET /v2/pods/{id}::versions, newest first.
func (s *Service) handlePodVersions(w http.ResponseWriter, id string) {
	s.withPod(w, id, func(*podRecord) { writeJSON(w, http.StatusOK, newestFirst(s.st.podVersions[id])) })
}

// handlePodVersion serves GET /v2/pods/{id}::versions/{version}.
func (s *Service) handlePodVersion(w http.ResponseWriter, id, version string) {
	s.withPod(w, id, func(*podRecord) {
		missing := notFound(fmt.Sprintf("Pod '%s' does not exist in version %s", id, version))
		serveVersion(w, version, missing, func(ts time.Time) ([]byte, error) {
			p, err := loadPodVersion(s.cfg.Store, id, ts)
			if p == nil || err != nil {
				return nil, err
			}
			return json.Marshal(p)
		})
	})
}

// withPod runs fn with the pod under s.mu, or answers 404.
func (s *Service) withPod(w http.ResponseWriter, id string, fn func(*podRecord)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.pods[id]
	if r == nil {
		writeError(w, podNotFound(id))
		return
	}
	fn(r)
}

// handleKillPodInstances serves DELETE /v2/pods/{id}::instances/{instance}
// and DELETE /v2/pods/{id}::instances with a JSON list of instance ids:
// the instances are killed (and replaced, as the pod's instance count is
// kept) and their status returned. wipe is accepted: mesosbox keeps no
// reservations to forget.
func (s *Service) handleKillPodInstances(w http.ResponseWriter, r *http.Request, id, one string) {
	var ids []string
	if one != "" {
		ids = []string{one}
	} else {
		body, err := readBody(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if err := json.Unmarshal(body, &ids); err != nil {
			writeError(w, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: err.Error()})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.pods[id]
	if rec == nil {
		writeError(w, podNotFound(id))
		return
	}
	var kills []*Task
	var out []instanceStatusJSON
	for _, iid := range ids {
		members := s.instanceMembers(id, iid)
		if len(members) == 0 {
			writeError(w, notFound(fmt.Sprintf("Instance '%s' does not exist", iid)))
			return
		}
		kills = append(kills, members...)
	}
	s.kill(r.Context(), kills)
	for _, iid := range ids {
		out = append(out, s.instanceStatus(rec, iid, s.instanceMembers(id, iid)))
	}
	s.signal()
	if one != "" {
		writeJSON(w, http.StatusOK, out[0])
		return
	}
	writeJSON(w, http.StatusOK, out)
}
