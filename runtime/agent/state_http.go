package agent

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/appliance/master/mesosjson"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// Mount serves the agent's endpoints on its port. Each is reachable both
// as itself and under the libprocess id "slave(1)", as on a Mesos agent;
// the .json aliases were removed in Mesos 1.8 but megos and mesos-dns
// era tools still call them.
func (a *Agent) Mount(r chi.Router) {
	for _, p := range []string{"/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"} {
		r.Get(p, a.serveState)
	}
	for _, p := range []string{"/flags", "/slave(1)/flags"} {
		r.Get(p, a.serveFlags)
	}
	for _, p := range []string{"/monitor/statistics", "/monitor/statistics.json", "/slave(1)/monitor/statistics", "/slave(1)/monitor/statistics.json"} {
		r.Get(p, a.serveStatistics)
	}
	for _, p := range []string{"/metrics/snapshot", "/metrics/snapshot.json"} {
		r.Get(p, a.serveMetrics)
	}
	for _, p := range []string{"/containers", "/slave(1)/containers"} {
		r.Get(p, a.serveContainers)
	}
	for _, p := range []string{"/api/v1", "/slave(1)/api/v1"} {
		r.HandleFunc(p, a.serveOperator) // every method: a wrong one gets Mesos' 405
	}
	for _, p := range []string{"/health", "/slave(1)/health"} {
		r.Get(p, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	}
	for _, suffix := range []string{"", ".json"} {
		r.Get("/files/browse"+suffix, a.serveBrowse)
		r.Get("/files/read"+suffix, a.serveRead)
		r.Get("/files/download"+suffix, a.serveDownload)
		r.Get("/files/debug"+suffix, a.serveDebug)
	}
}

func (a *Agent) serveState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, a.state())
}

func (a *Agent) serveFlags(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	flags := a.flagsLocked()
	a.mu.Unlock()
	writeJSON(w, r, map[string]any{"flags": flags})
}

// state is the v0 /slave(1)/state document.
func (a *Agent) state() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	buildTime := 0.0
	if t, err := time.Parse(time.RFC3339, buildinfo.BuildDate); err == nil {
		buildTime = float64(t.Unix())
	}
	masterHost := ""
	if a.conn != nil {
		if u, err := url.Parse(a.conn.base); err == nil {
			masterHost = u.Hostname()
		}
	}
	active := map[string][]*task{}
	var order []string
	for _, t := range a.sortedTasksLocked() {
		if !shown(t) {
			continue
		}
		fw := t.rec.FrameworkID
		if _, ok := active[fw]; !ok {
			order = append(order, fw)
		}
		active[fw] = append(active[fw], t)
	}
	done := map[string][]*task{}
	var doneOrder []string
	for _, t := range a.completed {
		if !shown(t) {
			continue
		}
		fw := t.rec.FrameworkID
		if _, ok := done[fw]; !ok {
			doneOrder = append(doneOrder, fw)
		}
		done[fw] = append(done[fw], t)
	}
	frameworks := []any{}
	for _, fw := range order {
		frameworks = append(frameworks, a.frameworkV0(active[fw], done[fw]))
	}
	completedFrameworks := []any{}
	for _, fw := range doneOrder {
		if _, ok := active[fw]; !ok {
			completedFrameworks = append(completedFrameworks, a.frameworkV0(nil, done[fw]))
		}
	}
	return map[string]any{
		"version":              buildinfo.MesosVersion,
		"git_sha":              buildinfo.GitSHA,
		"build_date":           buildinfo.BuildDate,
		"build_time":           buildTime,
		"build_user":           "mesosbox",
		"start_time":           float64(a.startTime.UnixNano()) / 1e9,
		"id":                   a.agentID,
		"pid":                  "slave(1)@" + net.JoinHostPort(a.ip, a.port),
		"hostname":             a.hostname,
		"resources":            a.res.V0(),
		"unreserved_resources": a.res.V0(),
		"reserved_resources":   map[string]any{},
		"attributes":           attributesV0(a.attrs),
		"master_hostname":      masterHost,
		"log_dir":              "",
		"flags":                a.flagsLocked(),
		"frameworks":           frameworks,
		"completed_frameworks": completedFrameworks,
	}
}

// flagsLocked are the agent's settings under the names of Mesos' flags.
func (a *Agent) flagsLocked() map[string]string {
	master := ""
	if a.conn != nil {
		master = a.conn.base
	}
	return map[string]string{
		"hostname":       a.hostname,
		"ip":             a.ip,
		"port":           a.port,
		"advertise_ip":   a.ip,
		"advertise_port": a.port,
		"master":         master,
		"work_dir":       a.workDir,
		"resources":      a.res.String(),
		"attributes":     a.cfg.Attributes,
		"containerizers": "mesos",
		"isolation":      a.exec.Name(),
		"switch_user":    "true",
		"version":        a.cfg.Version,
	}
}

// frameworkV0 describes one framework's executors: a task runs under its
// own command executor whose id is the task id.
func (a *Agent) frameworkV0(active, done []*task) map[string]any {
	any0 := active
	if len(any0) == 0 {
		any0 = done
	}
	first := any0[0].rec
	executors := make([]any, 0, len(active))
	for _, t := range active {
		executors = append(executors, a.executorV0(t, false))
	}
	completed := make([]any, 0, len(done))
	for _, t := range done {
		completed = append(completed, a.executorV0(t, true))
	}
	return map[string]any{
		"id":                  first.FrameworkID,
		"name":                first.FrameworkName,
		"user":                first.FrameworkUser,
		"role":                "*",
		"executors":           executors,
		"completed_executors": completed,
	}
}

func (a *Agent) executorV0(t *task, completed bool) map[string]any {
	tasks, done := []any{}, []any{}
	if completed {
		done = append(done, a.taskV0(t))
	} else {
		tasks = append(tasks, a.taskV0(t))
	}
	return map[string]any{
		"id":              t.id(),
		"name":            executorName(&t.rec.Info),
		"source":          t.id(),
		"framework_id":    t.rec.FrameworkID,
		"container":       t.rec.RunID,
		"directory":       t.rec.Sandbox,
		"type":            "COMMAND",
		"role":            "*",
		"resources":       taskResourcesV0(t.rec.Info.Resources),
		"tasks":           tasks,
		"queued_tasks":    []any{},
		"completed_tasks": done,
	}
}

func taskResourcesV0(rs []mesos.Resource) map[string]any {
	res, err := resourcepb.FromProto(rs)
	if err != nil {
		return map[string]any{}
	}
	return res.V0()
}

// taskV0 is a task in the v0 shape the Mesos UI, mesos-dns and megos read.
func (a *Agent) taskV0(t *task) map[string]any {
	info := &t.rec.Info
	state := mesos.TASK_STAGING.String()
	if l := t.rec.latest(); l != nil {
		state = l.GetState().String()
	}
	slaveID := info.AgentID.Value
	if slaveID == "" {
		slaveID = a.agentID
	}
	statuses := make([]any, 0, len(t.rec.Statuses))
	for _, st := range t.rec.Statuses {
		s := map[string]any{"state": st.GetState().String(), "timestamp": st.GetTimestamp()}
		if st.ContainerStatus != nil {
			s["container_status"] = mesosjson.Object(st.ContainerStatus)
		}
		if st.Healthy != nil {
			s["healthy"] = *st.Healthy
		}
		if st.Labels != nil {
			s["labels"] = st.Labels.Labels
		}
		statuses = append(statuses, s)
	}
	m := map[string]any{
		"id":           info.TaskID.Value,
		"name":         info.Name,
		"framework_id": t.rec.FrameworkID,
		"executor_id":  "",
		"slave_id":     slaveID,
		"state":        state,
		"resources":    taskResourcesV0(info.Resources),
		"role":         "*",
		"statuses":     statuses,
	}
	if info.Labels != nil {
		m["labels"] = info.Labels.Labels
	}
	if info.Discovery != nil {
		m["discovery"] = info.Discovery
	}
	if info.Container != nil {
		m["container"] = info.Container
	}
	if info.HealthCheck != nil {
		m["health_check"] = info.HealthCheck
	}
	if u := info.GetCommand().GetUser(); u != "" {
		m["user"] = u
	} else if t.rec.FrameworkUser != "" {
		m["user"] = t.rec.FrameworkUser
	}
	return m
}

// writeJSON answers with v as JSON, or as JSONP when ?jsonp= names a
// callback (the Mesos UI's cross-origin requests).
func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Failed to encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if cb := r.URL.Query().Get("jsonp"); cb != "" {
		if !validCallback(cb) {
			http.Error(w, "Invalid 'jsonp' callback name", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(cb + "("))
		w.Write(body)
		w.Write([]byte(");"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// validCallback keeps JSONP to JavaScript identifiers and dotted paths,
// so the endpoint cannot be made to serve arbitrary script.
func validCallback(s string) bool {
	if len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '$' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
