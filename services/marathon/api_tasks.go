package marathon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/mesosbox/mesosbox/services/app"
)

// routeAppTasks dispatches /v2/apps/{id}/tasks[/{taskId}].
func (s *Service) routeAppTasks(w http.ResponseWriter, r *http.Request, id, taskID string) {
	switch {
	case r.Method == http.MethodGet && taskID == "":
		s.handleAppTasks(w, r, id)
	case r.Method == http.MethodDelete && taskID == "":
		s.handleKillAppTasks(w, r, id)
	case r.Method == http.MethodDelete:
		s.handleKillAppTask(w, r, id, taskID)
	default:
		writeMessage(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
	}
}

func (s *Service) renderTasks(ts []*Task) []taskJSON {
	out := []taskJSON{}
	for _, t := range ts {
		if t.isActive() {
			out = append(out, renderTask(t, s.st.apps[t.AppID]))
		}
	}
	return out
}

// handleAppTasks serves GET /v2/apps/{id}/tasks.
func (s *Service) handleAppTasks(w http.ResponseWriter, r *http.Request, id string) {
	if acceptsOnlyText(r) {
		notAcceptable(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.apps[id] == nil {
		writeError(w, appNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": s.renderTasks(s.st.tasksOf(id))})
}

// handleListTasks serves GET /v2/tasks; status (or status[]) keeps only
// running or staging tasks.
func (s *Service) handleListTasks(w http.ResponseWriter, r *http.Request) {
	if acceptsOnlyText(r) {
		notAcceptable(w)
		return
	}
	q := r.URL.Query()
	want := map[string]bool{}
	for _, v := range append(q["status"], q["status[]"]...) {
		want[strings.ToLower(v)] = true
	}
	s.serveView(w, r, "tasks", func() func() ([]byte, error) {
		var keep []*Task
		for _, t := range s.st.allTasks() {
			if len(want) > 0 {
				running := t.isRunning()
				if !(want["running"] && running) && !(want["staging"] && !running) {
					continue
				}
			}
			keep = append(keep, t)
		}
		tasks := s.renderTasks(keep)
		return func() ([]byte, error) { return marshal(map[string]any{"tasks": tasks}) }
	})
}

// handleKillAppTasks serves DELETE /v2/apps/{id}/tasks?host&scale&wipe.
func (s *Service) handleKillAppTasks(w http.ResponseWriter, r *http.Request, id string) {
	host := r.URL.Query().Get("host")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.apps[id] == nil {
		writeError(w, appNotFound(id))
		return
	}
	var targets []*Task
	for _, t := range s.st.tasksOf(id) {
		if t.isActive() && (host == "" || host == "*" || t.Host == host) {
			targets = append(targets, t)
		}
	}
	s.killAndAnswer(w, r, targets, func(killed []taskJSON) any { return map[string]any{"tasks": killed} })
}

// handleKillAppTask serves DELETE /v2/apps/{id}/tasks/{taskId}.
//
// go-marathon v0.7.1 derives the app id from the task id by cutting at
// the last dot and turning "_" into "/", which for 1.9+ task ids
// ("web.instance-<uuid>._app.1") names an app that does not exist. A task
// found by its id is therefore killed even when the URL names another app.
func (s *Service) handleKillAppTask(w http.ResponseWriter, r *http.Request, id, taskID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tasks[taskID]
	if s.st.apps[id] == nil && (t == nil || s.st.apps[t.AppID] == nil) {
		writeError(w, appNotFound(id))
		return
	}
	if t == nil || !t.isActive() {
		writeError(w, notFound(fmt.Sprintf("Task '%s' does not exist", taskID)))
		return
	}
	s.killAndAnswer(w, r, []*Task{t}, func(killed []taskJSON) any { return map[string]any{"task": killed[0]} })
}

// handleDeleteTasks serves POST /v2/tasks/delete with {"ids":[...]}.
func (s *Service) handleDeleteTasks(w http.ResponseWriter, r *http.Request) {
	if boolParam(r, "scale", false) && boolParam(r, "wipe", false) {
		writeError(w, badRequest("You cannot use scale and wipe at the same time."))
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var req struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: err.Error()})
		return
	}
	if req.IDs == nil { // absent or null: Marathon requires the list
		var v app.Violations
		v.Add("/ids", "error.path.missing")
		writeError(w, &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageInvalidJSON, Details: v.Details()})
		return
	}
	for _, id := range req.IDs {
		if _, ok := app.ParseTaskID(id); !ok {
			writeError(w, badRequest(fmt.Sprintf("Invalid task id '%s'.", id)))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var targets []*Task
	for _, id := range req.IDs {
		if t := s.st.tasks[id]; t != nil && t.isActive() {
			targets = append(targets, t)
		}
	}
	s.killAndAnswer(w, r, targets, func(killed []taskJSON) any { return map[string]any{"tasks": killed} })
}

// killAndAnswer kills tasks. With scale=true the apps' instances are
// lowered by the tasks killed (a deployment, answered with its
// DeploymentResult); otherwise the tasks are replaced and the answer is
// built from the killed tasks. wipe only matters for resident tasks, which
// mesosbox does not run, so it is a plain kill. The caller holds s.mu.
func (s *Service) killAndAnswer(w http.ResponseWriter, r *http.Request, targets []*Task, answer func([]taskJSON) any) {
	ctx := r.Context()
	if !boolParam(r, "scale", false) {
		killed := s.renderTasks(targets)
		s.kill(ctx, targets)
		for i := range killed {
			killed[i].State = stateKilling
		}
		s.signal()
		if len(killed) == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"tasks": killed})
			return
		}
		writeJSON(w, http.StatusOK, answer(killed))
		return
	}
	d, err := s.scaleDown(ctx, targets, boolParam(r, "force", false))
	if err != nil {
		writeError(w, err)
		return
	}
	deploymentResult(w, http.StatusOK, d)
}

// scaleDown kills tasks and lowers their apps' instances accordingly, in
// one deployment. The tasks are marked as being killed first, so the
// deployment's scale does not pick other ones.
func (s *Service) scaleDown(ctx context.Context, targets []*Task, force bool) (*Deployment, error) {
	byApp := map[string]int{}
	for _, t := range targets {
		byApp[t.AppID]++
	}
	ids := make([]string, 0, len(byApp))
	for id := range byApp {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if held := s.lockedBy(ids...); len(held) > 0 && !force {
		return nil, locked(held)
	}
	now := s.now()
	changes := map[string]appChange{}
	for _, id := range ids {
		prev := s.st.apps[id]
		if prev == nil {
			continue
		}
		next := prev.Clone()
		next.Instances = max(0, prev.Instances-byApp[id])
		app.Stamp(prev, next, now)
		changes[id] = appChange{Before: prev, After: next}
	}
	s.kill(ctx, targets)
	return s.deploy(ctx, changes, true, now)
}

// notAcceptable is Marathon 1.10's answer to text/plain task lists
// (removed in 1.11; only --deprecated_features=text_plain_tasks kept it).
func notAcceptable(w http.ResponseWriter) {
	writeMessage(w, http.StatusNotAcceptable, "The text/plain task list is deprecated; request application/json")
}
