package marathon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/services/app"
)

// routeApp dispatches /v2/apps/*. App ids contain slashes (/group/app),
// so the sub-resources are recognised from the end of the path:
//
//	{id}/restart, {id}/tasks, {id}/tasks/{taskId}, {id}/versions,
//	{id}/versions/{version}, {group}/* (the apps of a group), else {id}.
//
// An app id may not end in "restart", "tasks" or "versions", which keeps
// this unambiguous, as in Marathon's JAX-RS routes.
func (s *Service) routeApp(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(chi.URLParam(r, "*"), "/")
	segs := strings.Split(rest, "/")
	n := len(segs)
	id := func(k int) string { return app.CanonicalPath(strings.Join(segs[:n-k], "/"), "/") }
	switch {
	case rest == "":
		writeMessage(w, http.StatusNotFound, "App '/' does not exist")
	case segs[n-1] == "*" && r.Method == http.MethodGet:
		s.handleGroupApps(w, r, id(1))
	case n >= 2 && segs[n-1] == "restart" && r.Method == http.MethodPost:
		s.handleRestart(w, r, id(1))
	case n >= 2 && segs[n-1] == "tasks":
		s.routeAppTasks(w, r, id(1), "")
	case n >= 3 && segs[n-2] == "tasks":
		s.routeAppTasks(w, r, id(2), segs[n-1])
	case n >= 2 && segs[n-1] == "versions" && r.Method == http.MethodGet:
		s.handleVersions(w, r, id(1))
	case n >= 3 && segs[n-2] == "versions" && r.Method == http.MethodGet:
		s.handleVersion(w, r, id(2), segs[n-1])
	default:
		switch r.Method {
		case http.MethodGet:
			s.handleGetApp(w, r, id(0))
		case http.MethodPut:
			s.handleUpdateApp(w, r, id(0), boolParam(r, "partialUpdate", true), true)
		case http.MethodPatch:
			s.handleUpdateApp(w, r, id(0), true, false)
		case http.MethodDelete:
			s.handleDeleteApp(w, r, id(0))
		default:
			writeMessage(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
		}
	}
}

// handleListApps serves GET /v2/apps with Marathon's filters: cmd (a
// substring of the command), id (a case-insensitive substring of the id),
// label (a selector), and embed.
func (s *Service) handleListApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sel *app.Selector
	if l := q.Get("label"); l != "" {
		var err error
		if sel, err = app.ParseSelector(l); err != nil {
			// Marathon's parser throws IllegalArgumentException, which
			// its exception mapper answers with 422 and the message.
			writeError(w, &apiError{status: http.StatusUnprocessableEntity, message: err.Error()})
			return
		}
	}
	cmd, idFilter := q.Get("cmd"), strings.ToLower(q.Get("id"))
	e := parseEmbed(q["embed"])
	s.serveView(w, r, "apps", func() func() ([]byte, error) {
		byApp := s.st.tasksByApp()
		var views []appInfoView
		for _, id := range s.st.appIDs() {
			a := s.st.apps[id]
			if cmd != "" && !strings.Contains(a.Cmd, cmd) {
				continue
			}
			if idFilter != "" && !strings.Contains(strings.ToLower(id), idFilter) {
				continue
			}
			if sel != nil && !sel.Matches(a.Labels) {
				continue
			}
			views = append(views, s.appInfoView(a, byApp[id], e, true, true))
		}
		return func() ([]byte, error) {
			items := make([][]byte, 0, len(views))
			for _, v := range views {
				b, err := v.encode()
				if err != nil {
					return nil, err
				}
				items = append(items, b)
			}
			return wrapList("apps", items), nil
		}
	})
}

// wrapList renders {"key":[item,...]} from encoded items.
func wrapList(key string, items [][]byte) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{%q:[", key)
	buf.Write(bytes.Join(items, []byte(",")))
	buf.WriteString("]}")
	return buf.Bytes()
}

// handleGroupApps serves GET /v2/apps/{group}/*: the apps under a group.
func (s *Service) handleGroupApps(w http.ResponseWriter, r *http.Request, group string) {
	e := parseEmbed(r.URL.Query()["embed"])
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := strings.TrimSuffix(group, "/") + "/"
	var items [][]byte
	for _, id := range s.st.appIDs() {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		b, err := s.appInfo(s.st.apps[id], e)
		if err != nil {
			writeError(w, err)
			return
		}
		items = append(items, b)
	}
	if len(items) == 0 {
		writeError(w, notFound(fmt.Sprintf("Group '%s' does not exist", group)))
		return
	}
	writeRaw(w, http.StatusOK, wrapList("*", items))
}

// handleGetApp serves GET /v2/apps/{id}: tasks, counts, deployments and
// lastTaskFailure are always embedded.
func (s *Service) handleGetApp(w http.ResponseWriter, r *http.Request, id string) {
	e := parseEmbed(r.URL.Query()["embed"])
	e.tasks, e.lastTaskFailure = true, true
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[id]
	if a == nil {
		writeError(w, appNotFound(id))
		return
	}
	b, err := s.appInfo(a, e)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, append(append([]byte(`{"app":`), b...), '}'))
}

// handleCreateApp serves POST /v2/apps: 201 with Location, the deployment
// header and the app with zero counts and its deployment.
func (s *Service) handleCreateApp(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	a, err := app.Decode(body, "/")
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.create(r.Context(), a, boolParam(r, "force", false))
	if err != nil {
		writeError(w, err)
		return
	}
	s.created(w, r, a, d)
}

// created writes the 201 answer of an app creation.
func (s *Service) created(w http.ResponseWriter, r *http.Request, a *app.App, d *Deployment) {
	s.publishAPIPost(r, a)
	w.Header().Set("Location", absoluteURL(r, "/v2/apps"+a.ID))
	w.Header().Set("Marathon-Deployment-Id", d.ID)
	b, err := app.EncodeWith(a, map[string]any{
		"tasksStaged": 0, "tasksRunning": 0, "tasksHealthy": 0, "tasksUnhealthy": 0,
		"deployments": []idJSON{{d.ID}}, "tasks": []taskJSON{},
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusCreated, b)
}

func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (s *Service) publishAPIPost(r *http.Request, a *app.App) {
	b, err := app.Encode(a)
	if err != nil {
		return
	}
	s.publish(eventAPIPost, map[string]any{"clientIp": r.RemoteAddr, "uri": r.URL.Path, "appDefinition": json.RawMessage(b)})
}

// create adds a new app (decoded, not yet defaulted) and starts its
// deployment. The caller holds s.mu.
func (s *Service) create(ctx context.Context, a *app.App, force bool) (*Deployment, error) {
	if err := applyRole(a, s.st.tree(), s.st.apps[a.ID]); err != nil {
		return nil, err
	}
	app.Defaults(a)
	if err := app.Validate(a); err != nil {
		return nil, err
	}
	if s.st.apps[a.ID] != nil {
		return nil, &apiError{status: http.StatusConflict, message: fmt.Sprintf("An app with id [%s] already exists.", a.ID)}
	}
	if err := s.checkTree(a.ID); err != nil {
		return nil, err
	}
	after := s.st.tree()
	after.apps[a.ID] = a
	if hasCycle(after.effectiveDeps()) {
		return nil, notValid("", "Dependency graph has cyclic dependencies.")
	}
	assignServicePorts(a, nil, s.st.usedServicePorts(a.ID))
	app.Stamp(nil, a, s.now())
	return s.deploy(ctx, map[string]appChange{a.ID: {After: a}}, force, a.Version)
}

// checkTree refuses an app id that is also a group: an app cannot sit
// where a group is, nor inside another app.
func (s *Service) checkTree(id string) error {
	if s.st.pods[id] != nil {
		return &apiError{status: http.StatusConflict, message: fmt.Sprintf("A pod with id [%s] already exists.", id)}
	}
	t := s.st.tree()
	clash := t.hasGroup(id)
	for _, p := range ancestors(id) {
		clash = clash || t.apps[p] != nil
	}
	if clash {
		return treeClash()
	}
	return nil
}

func treeClash() error {
	var v app.Violations
	v.Add("/", "Groups and Applications may not have the same identifier.")
	return &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageNotValid, Details: v.Details()}
}

// now is the clock's time at Marathon's millisecond precision, made
// strictly later than every version already stored, so two changes in the
// same millisecond still get distinct versions.
func (s *Service) now() time.Time {
	now := s.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	for _, vs := range s.st.versions {
		if len(vs) > 0 && !now.After(vs[len(vs)-1]) {
			now = vs[len(vs)-1].Add(time.Millisecond)
		}
	}
	for _, d := range s.st.deployments {
		if !now.After(d.Version) {
			now = d.Version.Add(time.Millisecond)
		}
	}
	if n := len(s.st.roots); n > 0 && !now.After(s.st.roots[n-1]) {
		now = s.st.roots[n-1].Add(time.Millisecond)
	}
	return now
}

// lockedBy returns the ids of the deployments that hold any of the apps.
func (s *Service) lockedBy(ids ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		for _, d := range s.st.deploymentsOf(id) {
			if !seen[d.ID] {
				seen[d.ID] = true
				out = append(out, d.ID)
			}
		}
	}
	return out
}

// update is one app of a PUT, PATCH or batch: its id and body. reserved
// holds the service ports given to the apps before it in the same batch,
// which the store does not know yet (nil outside a batch).
type update struct {
	id       string
	body     []byte
	reserved map[int]bool
}

// prepare computes the new definition of an app from an update body:
// a rollback to a stored version, a scale, or a patch (partial) or
// replacement of the app. A missing app is created from the body when
// create is set. The caller holds s.mu.
func (s *Service) prepare(u update, partial, create bool, now time.Time) (prev, next *app.App, err error) {
	kind, version, err := app.Inspect(u.body)
	if err != nil {
		return nil, nil, err
	}
	prev = s.st.apps[u.id]
	if prev == nil && (!create || kind == app.UpdateRollback) {
		return nil, nil, appNotFound(u.id)
	}
	switch {
	case kind == app.UpdateRollback:
		stored, err := loadVersion(s.cfg.Store, u.id, version)
		if err != nil {
			return nil, nil, err
		}
		if stored == nil {
			return nil, nil, notFound(fmt.Sprintf("App '%s' does not exist in version %s", u.id, app.FormatTimestamp(version)))
		}
		next = stored.Clone()
	case prev == nil:
		next, err = decodeWithID(u.body, u.id)
	case partial:
		next, err = app.Merge(prev, u.body)
	default:
		next, err = app.Replace(prev, u.body)
	}
	if err != nil {
		return nil, nil, err
	}
	next.ID = u.id
	if err := applyRole(next, s.st.tree(), prev); err != nil {
		return nil, nil, err
	}
	app.Defaults(next)
	if err := app.Validate(next); err != nil {
		return nil, nil, err
	}
	if prev == nil {
		if err := s.checkTree(next.ID); err != nil {
			return nil, nil, err
		}
	}
	used := s.st.usedServicePorts(next.ID)
	for p := range u.reserved {
		used[p] = true
	}
	assignServicePorts(next, prev, used)
	for _, p := range servicePorts(next) {
		if u.reserved != nil && p != 0 {
			u.reserved[p] = true
		}
	}
	app.Stamp(prev, next, now)
	return prev, next, nil
}

// handleUpdateApp serves PUT (create allowed) and PATCH /v2/apps/{id}.
func (s *Service) handleUpdateApp(w http.ResponseWriter, r *http.Request, id string, partial, create bool) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, next, err := s.prepare(update{id: id, body: body}, partial, create, s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := s.deploy(r.Context(), map[string]appChange{id: {Before: prev, After: next}}, boolParam(r, "force", false), next.Version)
	if err != nil {
		writeError(w, err)
		return
	}
	s.publishAPIPost(r, next)
	if prev == nil {
		w.Header().Set("Location", absoluteURL(r, "/v2/apps"+id))
		deploymentResult(w, http.StatusCreated, d)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

// handleBatchUpdate serves PUT and PATCH /v2/apps: a JSON array of app
// updates, each with its id, carried out in one deployment.
func (s *Service) handleBatchUpdate(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		writeError(w, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: err.Error()})
		return
	}
	if raws == nil { // a JSON null, which Play reads as no array at all
		var v app.Violations
		v.Add("", "error.expected.jsarray")
		writeError(w, &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageInvalidJSON, Details: v.Details()})
		return
	}
	if err := checkAppCount(len(raws)); err != nil {
		writeError(w, err)
		return
	}
	partial := r.Method == http.MethodPatch || boolParam(r, "partialUpdate", true)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	changes := map[string]appChange{}
	reserved := map[int]bool{}
	for i, raw := range raws {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		if head.ID == "" {
			var v app.Violations
			v.Add(fmt.Sprintf("/(%d)/id", i), "error.path.missing")
			writeError(w, &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageInvalidJSON, Details: v.Details()})
			return
		}
		id := app.CanonicalPath(head.ID, "/")
		prev, next, err := s.prepare(update{id: id, body: raw, reserved: reserved}, partial, true, now)
		if err != nil {
			writeError(w, err)
			return
		}
		changes[id] = appChange{Before: prev, After: next}
	}
	d, err := s.deploy(r.Context(), changes, boolParam(r, "force", false), now)
	if err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

// deploy checks locks (force cancels the holding deployments) and starts
// the deployment of a set of changes. A change that needs no action
// still stores the new versions and gets a deployment id, which is never
// listed: it is complete at once. The caller holds s.mu.
func (s *Service) deploy(ctx context.Context, changes map[string]appChange, force bool, version time.Time) (*Deployment, error) {
	return s.deployTree(ctx, changes, groupEdits{}, force, version)
}

// deployTree is deploy with changes of group records besides the apps'.
func (s *Service) deployTree(ctx context.Context, changes map[string]appChange, ge groupEdits, force bool, version time.Time) (*Deployment, error) {
	ids := make([]string, 0, len(changes))
	for id := range changes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if held := s.lockedBy(ids...); len(held) > 0 && !force {
		return nil, locked(held)
	}
	var puts []*app.App
	var deletes []string
	for _, id := range ids {
		if a := changes[id].After; a != nil {
			puts = append(puts, a)
		} else if changes[id].Before != nil {
			deletes = append(deletes, id)
		}
	}
	cur := s.st.tree()
	ge = treeEdits(cur, version, puts, deletes, ge)
	next := cur.after(puts, deletes, ge)
	d := plan(newUUID(), version, changes, next.effectiveDeps())
	if d == nil {
		d = &Deployment{ID: newUUID(), Version: version}
		w := &Write{PutApps: puts, DeleteApps: deletes}
		s.addTree(w, next, ge, version)
		if err := s.write(ctx, w); err != nil {
			return nil, err
		}
		s.applyTree(puts, deletes, ge, version)
		s.metrics.deployments.Inc()
		s.publish(eventDeploymentSuccess, map[string]any{"id": d.ID, "plan": s.planJSON(d)})
		return d, nil
	}
	if err := s.startDeployment(ctx, d, puts, deletes, ge, next); err != nil {
		return nil, err
	}
	return d, nil
}

// addTree adds the group records and the root snapshot of a change.
func (s *Service) addTree(w *Write, next tree, ge groupEdits, version time.Time) {
	w.PutGroups, w.DeleteGroups = ge.put, ge.del
	w.PutRoot = next.snapshot(version)
}

// applyTree applies a persisted change to the in-memory state.
func (s *Service) applyTree(puts []*app.App, deletes []string, ge groupEdits, version time.Time) {
	for _, a := range puts {
		s.st.apps[a.ID] = a
		s.st.versions[a.ID] = appendVersion(s.st.versions[a.ID], a.Version)
	}
	for _, id := range deletes {
		delete(s.st.apps, id)
		delete(s.st.versions, id)
		delete(s.st.failures, id)
	}
	for _, id := range ge.del {
		delete(s.st.groups, id)
	}
	for _, g := range ge.put {
		s.st.groups[g.ID] = g
	}
	s.st.roots = appendVersion(s.st.roots, version)
}

// handleDeleteApp serves DELETE /v2/apps/{id}; force defaults to true
// here, unlike everywhere else in Marathon.
func (s *Service) handleDeleteApp(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.st.apps[id]
	if prev == nil {
		writeError(w, appNotFound(id))
		return
	}
	d, err := s.deploy(r.Context(), map[string]appChange{id: {Before: prev}}, boolParam(r, "force", true), s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

// handleRestart serves POST /v2/apps/{id}/restart: the same definition
// with a new configuration version, so every task is replaced under the
// upgradeStrategy.
func (s *Service) handleRestart(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.st.apps[id]
	if prev == nil {
		writeError(w, appNotFound(id))
		return
	}
	next := prev.Clone()
	app.Stamp(nil, next, s.now())
	d, err := s.deploy(r.Context(), map[string]appChange{id: {Before: prev, After: next}}, boolParam(r, "force", false), next.Version)
	if err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

// handleVersions serves GET /v2/apps/{id}/versions, newest first.
func (s *Service) handleVersions(w http.ResponseWriter, _ *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.apps[id] == nil {
		writeError(w, appNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string][]string{"versions": newestFirst(s.st.versions[id])})
}

// newestFirst prints stored versions (ascending) newest first.
func newestFirst(vs []time.Time) []string {
	out := make([]string, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		out = append(out, app.FormatTimestamp(vs[i]))
	}
	return out
}

// handleVersion serves GET /v2/apps/{id}/versions/{version}: the bare app
// as it was.
func (s *Service) handleVersion(w http.ResponseWriter, _ *http.Request, id, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.apps[id] == nil {
		writeError(w, appNotFound(id))
		return
	}
	missing := notFound(fmt.Sprintf("App '%s' does not exist in version %s", id, version))
	serveVersion(w, version, missing, func(ts time.Time) ([]byte, error) {
		a, err := loadVersion(s.cfg.Store, id, ts)
		if a == nil || err != nil {
			return nil, err
		}
		return app.Encode(a)
	})
}

// serveVersion answers GET .../versions/{version} with the definition
// load finds stored at that version (nil: none), 404 missing otherwise.
func serveVersion(w http.ResponseWriter, version string, missing error, load func(time.Time) ([]byte, error)) {
	ts, err := app.ParseTimestamp(version)
	if err != nil {
		writeError(w, missing)
		return
	}
	b, err := load(ts)
	if err != nil {
		writeError(w, err)
		return
	}
	if b == nil {
		writeError(w, missing)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// decodeWithID decodes a PUT body that creates an app: a whole app
// definition whose id is the one of the URL.
func decodeWithID(body []byte, id string) (*app.App, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err == nil && fields != nil {
		fields["id"], _ = json.Marshal(id)
		body, _ = json.Marshal(fields)
	}
	return app.Decode(body, "/")
}
