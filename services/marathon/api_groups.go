package marathon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/services/app"
)

// routeGroups dispatches /v2/groups and /v2/groups/*. As for apps, the
// sub-resources are recognised from the end of the path:
//
//	{id}/versions, {id}/versions/{version}, {id}/apps, else {id}.
func (s *Service) routeGroups(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(chi.URLParam(r, "*"), "/")
	var segs []string
	if rest != "" {
		segs = strings.Split(rest, "/")
	}
	n := len(segs)
	id := func(k int) string { return app.CanonicalPath(strings.Join(segs[:n-k], "/"), "/") }
	get := r.Method == http.MethodGet
	switch {
	case get && n >= 1 && segs[n-1] == "versions":
		s.handleGroupVersions(w, r, id(1))
	case get && n >= 2 && segs[n-2] == "versions":
		s.handleGroupVersion(w, r, id(2), segs[n-1])
	case get && n >= 1 && segs[n-1] == "apps":
		s.handleGroupAppList(w, r, id(1))
	case get:
		s.handleGetGroup(w, r, id(0))
	case r.Method == http.MethodPost:
		s.handleCreateGroup(w, r, id(0))
	case r.Method == http.MethodPut:
		s.handleUpdateGroup(w, r, id(0))
	case r.Method == http.MethodPatch:
		s.handlePatchGroup(w, r, id(0))
	case r.Method == http.MethodDelete:
		s.handleDeleteGroup(w, r, id(0))
	default:
		writeMessage(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
	}
}

func groupNotFound(id string) error { return notFound(fmt.Sprintf("Group '%s' does not exist", id)) }

// handleGetGroup serves GET /v2/groups[/{id}] with embed.
func (s *Service) handleGetGroup(w http.ResponseWriter, r *http.Request, id string) {
	e := parseGroupEmbed(r.URL.Query()["embed"])
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tree()
	if !t.hasGroup(id) {
		writeError(w, groupNotFound(id))
		return
	}
	g, err := s.renderGroup(t, id, e, true)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// handleGroupAppList serves GET /v2/groups/{id}/apps: the apps inside the
// group at any depth, as AppInfo.
func (s *Service) handleGroupAppList(w http.ResponseWriter, r *http.Request, id string) {
	e := parseEmbed(r.URL.Query()["embed"])
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tree()
	if !t.hasGroup(id) {
		writeError(w, groupNotFound(id))
		return
	}
	var items [][]byte
	for _, aid := range t.appsUnder(id) {
		b, err := s.appInfo(t.apps[aid], e)
		if err != nil {
			writeError(w, err)
			return
		}
		items = append(items, b)
	}
	writeRaw(w, http.StatusOK, wrapList("apps", items))
}

// handleGroupVersions serves GET /v2/groups[/{id}]/versions: the versions
// of the group found in the stored root snapshots, newest first, as a
// bare array.
func (s *Service) handleGroupVersions(w http.ResponseWriter, _ *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.tree().hasGroup(id) {
		writeError(w, groupNotFound(id))
		return
	}
	out := []string{}
	seen := map[string]bool{}
	for i := len(s.st.roots) - 1; i >= 0; i-- {
		t, err := loadRoot(s.cfg.Store, s.st.roots[i])
		if err != nil {
			writeError(w, err)
			return
		}
		if t == nil || !t.hasGroup(id) {
			continue
		}
		v := s.st.roots[i]
		if id != "/" {
			v = t.groupVersion(id)
		}
		if ts := app.FormatTimestamp(v); !seen[ts] {
			seen[ts] = true
			out = append(out, ts)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGroupVersion serves GET /v2/groups/{id}/versions/{version}: the
// group as it was, apps as plain definitions.
func (s *Service) handleGroupVersion(w http.ResponseWriter, _ *http.Request, id, version string) {
	missing := notFound(fmt.Sprintf("Group '%s' does not exist in version %s", id, version))
	ts, err := app.ParseTimestamp(version)
	if err != nil {
		writeError(w, missing)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := loadRoot(s.cfg.Store, ts)
	if err != nil {
		writeError(w, err)
		return
	}
	if t == nil || !t.hasGroup(id) {
		writeError(w, missing)
		return
	}
	g, err := s.renderGroup(*t, id, groupEmbed{apps: true, groups: true, pods: true}, false)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// handleCreateGroup serves POST /v2/groups[/{id}]: the body's id is
// relative to the path. 201 with Location and the deployment header; 409
// if the group exists.
func (s *Service) handleCreateGroup(w http.ResponseWriter, r *http.Request, base string) {
	gu, ok := s.readGroupUpdate(w, r)
	if !ok {
		return
	}
	gid := base
	if gu.ID != nil && *gu.ID != "" {
		gid = app.CanonicalPath(*gu.ID, base)
	}
	if gid == "/" {
		writeError(w, notValid("/id", "Path needs to be absolute"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.tree().hasGroup(gid) {
		writeError(w, &apiError{status: http.StatusConflict, message: fmt.Sprintf("Group %s is already created. Use PUT to change this group.", gid)})
		return
	}
	d, _, err := s.changeGroup(r.Context(), gid, gu, boolParam(r, "force", false), false)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", absoluteURL(r, "/v2/groups"+gid))
	deploymentResult(w, http.StatusCreated, d)
}

// handleUpdateGroup serves PUT /v2/groups[/{id}]: a change, a scale
// (scaleBy) or a rollback (version) of the group, created if missing;
// with dryRun=true only the steps it would take.
func (s *Service) handleUpdateGroup(w http.ResponseWriter, r *http.Request, gid string) {
	gu, ok := s.readGroupUpdate(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dry := boolParam(r, "dryRun", false)
	d, steps, err := s.changeGroup(r.Context(), gid, gu, boolParam(r, "force", false), dry)
	if err != nil {
		writeError(w, err)
		return
	}
	if dry {
		writeJSON(w, http.StatusOK, map[string]any{"steps": steps})
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

func (s *Service) readGroupUpdate(w http.ResponseWriter, r *http.Request) (*groupUpdate, bool) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	gu, err := decodeGroupUpdate(body)
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	return gu, true
}

// changeGroup computes the tree after a group update and deploys the
// difference; with dry it returns the steps of the plan instead. The
// caller holds s.mu.
func (s *Service) changeGroup(ctx context.Context, gid string, gu *groupUpdate, force, dry bool) (*Deployment, []stepJSONT, error) {
	now := s.now()
	u := newUpdater(s, now)
	if err := u.group(gid, gu, ""); err != nil {
		return nil, nil, err
	}
	if err := u.check(); err != nil {
		return nil, nil, err
	}
	changes, ge := u.diff()
	if dry {
		steps := []stepJSONT{}
		if d := plan(newUUID(), now, changes, u.next.effectiveDeps()); d != nil {
			for _, step := range d.Steps {
				steps = append(steps, stepJSON(step))
			}
		}
		return nil, steps, nil
	}
	d, err := s.deployTree(ctx, changes, ge, force, now)
	if err != nil {
		return nil, nil, err
	}
	s.publish(eventGroupChangeSuccess, map[string]any{"groupId": gid, "version": app.FormatTimestamp(now)})
	return d, nil, nil
}

// handlePatchGroup serves PATCH /v2/groups/{id}: only enforceRole, only
// of a top-level group; 200 with no body.
func (s *Service) handlePatchGroup(w http.ResponseWriter, r *http.Request, gid string) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var patch struct {
		EnforceRole *bool `json:"enforceRole"`
	}
	if err := json.Unmarshal(body, &patch); err != nil {
		writeError(w, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if gid == "/" || !s.st.tree().hasGroup(gid) {
		writeError(w, groupNotFound(gid))
		return
	}
	if parentOf(gid) != "/" {
		writeError(w, notValid("/", "Only top-level groups can be patched."))
		return
	}
	if patch.EnforceRole == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	if _, _, err := s.changeGroup(r.Context(), gid, &groupUpdate{EnforceRole: patch.EnforceRole}, true, false); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handleDeleteGroup serves DELETE /v2/groups[/{id}]: every app and group
// inside is removed (the root itself stays).
func (s *Service) handleDeleteGroup(w http.ResponseWriter, r *http.Request, gid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := newUpdater(s, s.now())
	if !u.cur.hasGroup(gid) {
		writeError(w, groupNotFound(gid))
		return
	}
	u.next.removeUnder(gid)
	delete(u.next.groups, gid)
	changes, ge := u.diff()
	force := boolParam(r, "force", false)
	pods := s.podsUnder(gid)
	if held := s.lockedBy(pods...); len(held) > 0 && !force {
		writeError(w, locked(held))
		return
	}
	d, err := s.deployTree(r.Context(), changes, ge, force, u.now)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.stopPods(r.Context(), pods); err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}
