package marathon

import (
	"sort"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/services/app"
)

// Task is one Mesos task: an app instance's single task (which shares its
// id in the JSON), or one container of a pod instance (InstanceID set).
// It is persisted on every state change, so that a new leader knows every
// task its predecessor launched.
type Task struct {
	ID    string `json:"id"`
	AppID string `json:"appId"`
	// InstanceID and Container are set on the tasks of pod instances:
	// the instance the task belongs to and its container's name.
	InstanceID string `json:"instanceId,omitempty"`
	Container  string `json:"container,omitempty"`
	AgentID    string `json:"agentId"`
	Host       string `json:"host"`
	// Ports are the host ports taken from the offer, by port index.
	Ports        []uint64 `json:"ports,omitempty"`
	ServicePorts []int    `json:"servicePorts,omitempty"`
	Role         string   `json:"role"`

	StagedAt  time.Time  `json:"stagedAt"`
	StartedAt *time.Time `json:"startedAt,omitempty"`
	State     string     `json:"state"`
	Message   string     `json:"message,omitempty"`
	IPs       []string   `json:"ips,omitempty"`

	// Version is the version of the app the task was launched with;
	// ConfigVersion is that version's lastConfigChangeAt. A task runs the
	// current configuration when its ConfigVersion equals the app's:
	// a scale does not make running tasks old, a restart does.
	Version       time.Time `json:"version"`
	ConfigVersion time.Time `json:"configVersion"`

	// Killing is set once Marathon asked Mesos to kill the task; the task
	// stays until its terminal update arrives.
	Killing bool `json:"killing,omitempty"`
	// Placement is what constraints look at for later tasks.
	Placement app.Placement `json:"placement"`

	// Health holds one result per Marathon-run health check, by index in
	// the app's healthChecks; MesosHealthy is the executor's verdict for
	// MESOS_* checks, nil until it reports.
	Health       []HealthResult `json:"health,omitempty"`
	MesosHealthy *bool          `json:"mesosHealthy,omitempty"`

	// UnreachableSince is when the task's agent became unreachable
	// (TASK_UNREACHABLE); Inactive is set once the app's
	// unreachableStrategy.inactiveAfterSeconds passed: the task no longer
	// counts toward the instances and is replaced.
	UnreachableSince *time.Time `json:"unreachableSince,omitempty"`
	Inactive         bool       `json:"inactive,omitempty"`
}

// HealthResult is the state of one health check of one task, shaped as
// Marathon prints it in healthCheckResults.
type HealthResult struct {
	Alive               bool       `json:"alive"`
	ConsecutiveFailures int        `json:"consecutiveFailures"`
	FirstSuccess        *time.Time `json:"firstSuccess,omitempty"`
	LastSuccess         *time.Time `json:"lastSuccess,omitempty"`
	LastFailure         *time.Time `json:"lastFailure,omitempty"`
	LastFailureCause    string     `json:"lastFailureCause,omitempty"`
}

// Mesos task states as Marathon prints them.
const (
	stateStaging     = "TASK_STAGING"
	stateStarting    = "TASK_STARTING"
	stateRunning     = "TASK_RUNNING"
	stateKilling     = "TASK_KILLING"
	stateUnreachable = "TASK_UNREACHABLE"
)

// isTerminal reports whether a Mesos task state is final. TASK_UNREACHABLE
// is not (the unreachableStrategy decides); TASK_UNKNOWN (reconciliation
// of a task the master never heard of) is treated as gone.
func isTerminal(state string) bool {
	switch state {
	case "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
		"TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN":
		return true
	}
	return false
}

// isActive reports whether the task counts toward the app's instances.
func (t *Task) isActive() bool { return !isTerminal(t.State) }

// counts reports whether the task counts toward its app's instances: an
// unreachable task stops counting once inactive.
func (t *Task) counts() bool { return t.isActive() && !t.Inactive }

func (t *Task) isRunning() bool { return t.State == stateRunning }

// healthy reports whether the task is running and passes every health
// check the app has. A task of an app without checks is healthy when it
// runs; a check without a result yet (grace period) is not passed.
func (t *Task) healthy(a *app.App) bool {
	if !t.isRunning() {
		return false
	}
	for i, hc := range a.HealthChecks {
		if isMesosCheck(hc.Protocol) {
			if t.MesosHealthy == nil || !*t.MesosHealthy {
				return false
			}
			continue
		}
		if i >= len(t.Health) || !t.Health[i].Alive {
			return false
		}
	}
	return true
}

// unhealthy reports whether some check has failed since the task last
// passed it (Marathon's tasksUnhealthy).
func (t *Task) unhealthy(a *app.App) bool {
	if !t.isRunning() {
		return false
	}
	for i, hc := range a.HealthChecks {
		if isMesosCheck(hc.Protocol) {
			if t.MesosHealthy != nil && !*t.MesosHealthy {
				return true
			}
			continue
		}
		if i < len(t.Health) && !t.Health[i].Alive && t.Health[i].LastFailure != nil {
			return true
		}
	}
	return false
}

func isMesosCheck(protocol string) bool {
	switch protocol {
	case app.ProtoMesosHTTP, app.ProtoMesosHTTPS, app.ProtoMesosTCP, app.ProtoCommand:
		return true
	}
	return false
}

// TaskFailure is an app's lastTaskFailure.
type TaskFailure struct {
	AppID     string    `json:"appId"`
	Host      string    `json:"host"`
	Message   string    `json:"message"`
	State     string    `json:"state"`
	TaskID    string    `json:"taskId"`
	Timestamp time.Time `json:"timestamp"`
	Version   time.Time `json:"version"`
	SlaveID   string    `json:"slaveId"`
}

// Delay is the launch backoff of an app: after a task fails, no new task
// is launched before Until; the next failure multiplies Current by the
// app's backoffFactor, up to maxLaunchDelaySeconds.
type Delay struct {
	AppID   string        `json:"appId"`
	Current time.Duration `json:"current"`
	Until   time.Time     `json:"until"`
}

// state is the whole in-memory view of the framework, loaded from the
// store at start and written through to it on every change.
type state struct {
	frameworkID string
	apps        map[string]*app.App
	versions    map[string][]time.Time // app id → stored versions, ascending
	tasks       map[string]*Task
	deployments map[string]*Deployment
	delays      map[string]*Delay
	failures    map[string]*TaskFailure
	groups      map[string]*Group
	roots       []time.Time // versions of the stored root snapshots, ascending
	pods        map[string]*podRecord
	podVersions map[string][]time.Time // pod id → stored versions, ascending
}

func newState() *state {
	return &state{
		apps:        map[string]*app.App{},
		versions:    map[string][]time.Time{},
		tasks:       map[string]*Task{},
		deployments: map[string]*Deployment{},
		delays:      map[string]*Delay{},
		failures:    map[string]*TaskFailure{},
		groups:      map[string]*Group{},
		pods:        map[string]*podRecord{},
		podVersions: map[string][]time.Time{},
	}
}

// appIDs returns the app ids in order.
func (s *state) appIDs() []string {
	ids := make([]string, 0, len(s.apps))
	for id := range s.apps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// tasksOf returns the tasks of an app (terminal ones included until they
// are removed), oldest first.
func (s *state) tasksOf(appID string) []*Task {
	var out []*Task
	for _, t := range s.tasks {
		if t.AppID == appID {
			out = append(out, t)
		}
	}
	sortTasks(out)
	return out
}

// allTasks returns every task, by app then age.
func (s *state) allTasks() []*Task {
	out := make([]*Task, 0, len(s.tasks))
	for _, t := range s.tasks {
		out = append(out, t)
	}
	sortTasks(out)
	return out
}

func sortTasks(ts []*Task) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].AppID != ts[j].AppID {
			return ts[i].AppID < ts[j].AppID
		}
		if !ts[i].StagedAt.Equal(ts[j].StagedAt) {
			return ts[i].StagedAt.Before(ts[j].StagedAt)
		}
		return ts[i].ID < ts[j].ID
	})
}

// deploymentsOf returns the deployments that affect an app, oldest first.
func (s *state) deploymentsOf(appID string) []*Deployment {
	var out []*Deployment
	for _, d := range s.sortedDeployments() {
		if d.affects(appID) {
			out = append(out, d)
		}
	}
	return out
}

func (s *state) sortedDeployments() []*Deployment {
	out := make([]*Deployment, 0, len(s.deployments))
	for _, d := range s.deployments {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Version.Equal(out[j].Version) {
			return out[i].Version.Before(out[j].Version)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// usedServicePorts are the service ports taken by apps other than except.
func (s *state) usedServicePorts(except string) map[int]bool {
	used := map[int]bool{}
	for id, a := range s.apps {
		if id == except {
			continue
		}
		for _, p := range servicePorts(a) {
			used[p] = true
		}
	}
	return used
}

// servicePorts lists an app's service ports by port index.
func servicePorts(a *app.App) []int {
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		out := make([]int, len(a.Container.PortMappings))
		for i, pm := range a.Container.PortMappings {
			out[i] = pm.ServicePort
		}
		return out
	}
	out := make([]int, len(a.PortDefinitions))
	for i, pd := range a.PortDefinitions {
		out[i] = pd.Port
	}
	return out
}

// stateName is the name Marathon prints for a Mesos state.
func stateName(s mesos.TaskState) string { return s.String() }
