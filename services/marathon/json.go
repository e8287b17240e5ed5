package marathon

import (
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// instanceID is the instance part of a task id: Marathon 1.9+ task ids are
// "<instance id>._app.<incarnation>".
func instanceID(taskID string) string {
	if i := strings.LastIndex(taskID, "."+app.TaskIncarnationContainer+"."); i > 0 {
		return taskID[:i]
	}
	return taskID
}

type ipJSON struct {
	IPAddress string `json:"ipAddress"`
	Protocol  string `json:"protocol"`
}

func ipAddresses(t *Task) []ipJSON {
	out := []ipJSON{}
	for _, ip := range t.IPs {
		proto := "IPv4"
		if strings.Contains(ip, ":") {
			proto = "IPv6"
		}
		out = append(out, ipJSON{ip, proto})
	}
	return out
}

func nonNilPorts(p []uint64) []uint64 {
	if p == nil {
		return []uint64{}
	}
	return p
}

// healthJSON is one entry of a task's healthCheckResults. go-marathon
// reads the older "taskId" key, so both it and "instanceId" are sent.
type healthJSON struct {
	Alive               bool    `json:"alive"`
	ConsecutiveFailures int     `json:"consecutiveFailures"`
	FirstSuccess        *string `json:"firstSuccess"`
	LastFailure         *string `json:"lastFailure"`
	LastSuccess         *string `json:"lastSuccess"`
	LastFailureCause    *string `json:"lastFailureCause,omitempty"`
	InstanceID          string  `json:"instanceId"`
	TaskID              string  `json:"taskId"`
}

// taskJSON is a task as /v2/tasks and /v2/apps/{id}/tasks print it
// (RAML types/task.raml).
type taskJSON struct {
	ID                 string       `json:"id"`
	AppID              string       `json:"appId"`
	Host               string       `json:"host"`
	SlaveID            string       `json:"slaveId"`
	Ports              []uint64     `json:"ports"`
	ServicePorts       []int        `json:"servicePorts"`
	IPAddresses        []ipJSON     `json:"ipAddresses"`
	StagedAt           string       `json:"stagedAt"`
	StartedAt          *string      `json:"startedAt,omitempty"`
	State              string       `json:"state"`
	Version            string       `json:"version"`
	HealthCheckResults []healthJSON `json:"healthCheckResults,omitempty"`
	LocalVolumes       []struct{}   `json:"localVolumes"`
	Role               string       `json:"role"`
}

func fmtTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := app.FormatTimestamp(*t)
	return &s
}

// renderTask prints a task; a task being killed shows TASK_KILLING, as
// Marathon shows the kill in progress.
func renderTask(t *Task, a *app.App) taskJSON {
	out := taskJSON{
		ID: t.ID, AppID: t.AppID, Host: t.Host, SlaveID: t.AgentID,
		// Copies: a view is encoded after s.mu is released.
		Ports: append([]uint64{}, t.Ports...), ServicePorts: append([]int{}, t.ServicePorts...), IPAddresses: ipAddresses(t),
		StagedAt: app.FormatTimestamp(t.StagedAt), StartedAt: fmtTime(t.StartedAt),
		State: t.State, Version: app.FormatTimestamp(t.Version), LocalVolumes: []struct{}{}, Role: t.Role,
	}
	if t.Killing && t.isActive() {
		out.State = stateKilling
	}
	if a == nil {
		return out
	}
	for i, hc := range a.HealthChecks {
		if isMesosCheck(hc.Protocol) {
			if t.MesosHealthy != nil {
				out.HealthCheckResults = append(out.HealthCheckResults, healthJSON{
					Alive: *t.MesosHealthy, InstanceID: instanceID(t.ID), TaskID: t.ID})
			}
			continue
		}
		if i >= len(t.Health) {
			continue
		}
		h := t.Health[i]
		if h.FirstSuccess == nil && h.LastFailure == nil {
			continue
		}
		hj := healthJSON{Alive: h.Alive, ConsecutiveFailures: h.ConsecutiveFailures,
			FirstSuccess: fmtTime(h.FirstSuccess), LastSuccess: fmtTime(h.LastSuccess), LastFailure: fmtTime(h.LastFailure),
			InstanceID: instanceID(t.ID), TaskID: t.ID}
		if h.LastFailureCause != "" {
			cause := h.LastFailureCause
			hj.LastFailureCause = &cause
		}
		out.HealthCheckResults = append(out.HealthCheckResults, hj)
	}
	return out
}

type actionJSON struct {
	Action string `json:"action"`
	App    string `json:"app,omitempty"`
	Pod    string `json:"pod,omitempty"`
}

type currentActionJSON struct {
	Action                string          `json:"action"`
	App                   string          `json:"app,omitempty"`
	Pod                   string          `json:"pod,omitempty"`
	ReadinessCheckResults []readinessJSON `json:"readinessCheckResults"`
}

type stepJSONT struct {
	Actions []actionJSON `json:"actions"`
}

func stepJSON(actions []Action) stepJSONT {
	out := stepJSONT{Actions: []actionJSON{}}
	for _, a := range actions {
		out.Actions = append(out.Actions, actionJSON{Action: a.Action, App: a.App})
	}
	return out
}

// planJSONT is a DeploymentPlan as GET /v2/deployments prints it.
type planJSONT struct {
	ID             string              `json:"id"`
	Version        string              `json:"version"`
	AffectedApps   []string            `json:"affectedApps"`
	AffectedPods   []string            `json:"affectedPods"`
	Steps          []stepJSONT         `json:"steps"`
	CurrentActions []currentActionJSON `json:"currentActions"`
	CurrentStep    int                 `json:"currentStep"`
	TotalSteps     int                 `json:"totalSteps"`
}

func (s *Service) planJSON(d *Deployment) planJSONT {
	out := planJSONT{ID: d.ID, Version: app.FormatTimestamp(d.Version), AffectedApps: d.AffectedApps,
		AffectedPods: []string{}, Steps: []stepJSONT{}, CurrentActions: []currentActionJSON{},
		CurrentStep: min(d.CurrentStep, len(d.Steps)), TotalSteps: len(d.Steps)}
	if out.AffectedApps == nil {
		out.AffectedApps = []string{}
	}
	for _, step := range d.Steps {
		out.Steps = append(out.Steps, podStepJSON(d, stepJSON(step)))
	}
	for _, a := range d.currentActions() {
		ca := currentActionJSON{Action: a.Action, App: a.App, ReadinessCheckResults: s.readinessResults(a.App)}
		if d.isPod(a.App) {
			ca = currentActionJSON{Action: podAction(a.Action), Pod: a.App, ReadinessCheckResults: []readinessJSON{}}
		}
		out.CurrentActions = append(out.CurrentActions, ca)
	}
	if len(d.Pods) > 0 {
		out.AffectedApps = []string{}
		for _, id := range d.AffectedApps {
			if d.isPod(id) {
				out.AffectedPods = append(out.AffectedPods, id)
			} else {
				out.AffectedApps = append(out.AffectedApps, id)
			}
		}
	}
	return out
}

type idJSON struct {
	ID string `json:"id"`
}

type failureJSON struct {
	AppID     string `json:"appId"`
	Host      string `json:"host"`
	Message   string `json:"message"`
	State     string `json:"state"`
	TaskID    string `json:"taskId"`
	Timestamp string `json:"timestamp"`
	Version   string `json:"version"`
	SlaveID   string `json:"slaveId"`
}

func renderFailure(f *TaskFailure) *failureJSON {
	if f == nil {
		return nil
	}
	return &failureJSON{AppID: f.AppID, Host: f.Host, Message: f.Message, State: f.State, TaskID: f.TaskID,
		Timestamp: app.FormatTimestamp(f.Timestamp), Version: app.FormatTimestamp(f.Version), SlaveID: f.SlaveID}
}

// embed is what an AppInfo carries besides the app.
type embed struct {
	tasks, lastTaskFailure, taskStats, readiness bool
}

// parseEmbed reads Marathon's embed parameters; the prefixes "app.",
// "apps." and "group.apps." and no prefix are all accepted.
// "apps.failures" (deprecated) means tasks and lastTaskFailure.
func parseEmbed(values []string) embed {
	var e embed
	for _, v := range values {
		for _, p := range []string{"group.apps.", "apps.", "app."} {
			v = strings.TrimPrefix(v, p)
		}
		switch v {
		case "tasks":
			e.tasks = true
		case "lastTaskFailure":
			e.lastTaskFailure = true
		case "failures":
			e.tasks, e.lastTaskFailure = true, true
		case "taskStats":
			e.taskStats = true
		case "readiness":
			e.readiness = true
		}
	}
	return e
}

// appInfo is an app with the AppInfo fields Marathon adds: task counts
// and deployments always, tasks, lastTaskFailure, taskStats and readiness
// results when embedded.
func (s *Service) appInfo(a *app.App, e embed) ([]byte, error) {
	return s.appInfoWith(a, e, true, true)
}

// appInfoWith is appInfo with counts and deployments optional, as the
// group.apps.* embeds of /v2/groups ask for them.
func (s *Service) appInfoWith(a *app.App, e embed, counts, deployments bool) ([]byte, error) {
	return s.appInfoView(a, s.st.tasksOf(a.ID), e, counts, deployments).encode()
}

// appInfoView is an AppInfo read under s.mu, to be encoded after the
// unlock: the app (never changed in place: an update stores a new one)
// and extras built afresh.
type appInfoView struct {
	app   *app.App
	extra map[string]any
}

func (v appInfoView) encode() ([]byte, error) { return app.EncodeWith(v.app, v.extra) }

// appInfoView reads the AppInfo of a with its tasks (s.st.tasksOf(a.ID)).
// The caller holds s.mu.
func (s *Service) appInfoView(a *app.App, tasks []*Task, e embed, counts, deployments bool) appInfoView {
	extra := map[string]any{}
	staged, running, healthy, unhealthy := 0, 0, 0, 0
	for _, t := range tasks {
		switch {
		case !t.isActive():
			continue
		case t.isRunning():
			running++
		default:
			staged++
		}
		if len(a.HealthChecks) > 0 && t.healthy(a) {
			healthy++
		}
		if t.unhealthy(a) {
			unhealthy++
		}
	}
	if counts {
		extra["tasksStaged"], extra["tasksRunning"] = staged, running
		extra["tasksHealthy"], extra["tasksUnhealthy"] = healthy, unhealthy
	}
	if deployments {
		deps := []idJSON{}
		for _, d := range s.st.deploymentsOf(a.ID) {
			deps = append(deps, idJSON{d.ID})
		}
		extra["deployments"] = deps
	}
	if e.tasks {
		ts := []taskJSON{}
		for _, t := range tasks {
			ts = append(ts, renderTask(t, a))
		}
		extra["tasks"] = ts
	}
	if f := s.st.failures[a.ID]; e.lastTaskFailure && f != nil {
		extra["lastTaskFailure"] = renderFailure(f)
	}
	if e.readiness {
		extra["readinessCheckResults"] = s.readinessResults(a.ID)
	}
	if e.taskStats {
		extra["taskStats"] = s.taskStats(a, tasks)
	}
	return appInfoView{app: a, extra: extra}
}

// taskStats is Marathon's taskStats embed: counts of tasks started after
// the last scaling or config change (startedAfterLastScaling,
// withLatestConfig) and of all tasks (totalSummary), without the
// life-time statistics.
func (s *Service) taskStats(a *app.App, tasks []*Task) map[string]any {
	count := func(keep func(*Task) bool) map[string]any {
		staged, running, healthy, unhealthy := 0, 0, 0, 0
		n := 0
		for _, t := range tasks {
			if !t.isActive() || !keep(t) {
				continue
			}
			n++
			if t.isRunning() {
				running++
			} else {
				staged++
			}
			if len(a.HealthChecks) > 0 && t.healthy(a) {
				healthy++
			}
			if t.unhealthy(a) {
				unhealthy++
			}
		}
		if n == 0 {
			return nil
		}
		return map[string]any{"stats": map[string]any{"counts": map[string]int{
			"staged": staged, "running": running, "healthy": healthy, "unhealthy": unhealthy}}}
	}
	out := map[string]any{}
	cv := configVersion(a)
	scaled := a.Version
	if a.VersionInfo != nil {
		scaled = a.VersionInfo.LastScalingAt
	}
	if v := count(func(t *Task) bool { return !t.StagedAt.Before(scaled) }); v != nil {
		out["startedAfterLastScaling"] = v
	}
	if v := count(func(t *Task) bool { return t.ConfigVersion.Equal(cv) }); v != nil {
		out["withLatestConfig"] = v
	}
	if v := count(func(t *Task) bool { return !t.ConfigVersion.Equal(cv) }); v != nil {
		out["withOutdatedConfig"] = v
	}
	if v := count(func(*Task) bool { return true }); v != nil {
		out["totalSummary"] = v
	}
	return out
}
