package master

import (
	"net/http"
	"sort"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	mmaster "github.com/mesos/mesos-go/api/v1/lib/master"

	"github.com/mesosbox/mesosbox/appliance/master/drf"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/appliance/master/v1http"
)

// serveOperator is POST /api/v1, the v1 operator API: single responses in
// the request's Accept encoding (mesos-go's httpmaster compares the
// Content-Type exactly).
func (m *Master) serveOperator(w http.ResponseWriter, r *http.Request) {
	in, out, streaming, body, ok := readCall(w, r)
	if !ok {
		return
	}
	var call mmaster.Call
	if err := in.Decode(body, &call); err != nil {
		httpError(w, http.StatusBadRequest, "Failed to parse body into Call: "+err.Error())
		return
	}
	if call.Type == mmaster.Call_SUBSCRIBE {
		m.serveOperatorSubscribe(w, r, out, streaming)
		return
	}
	m.mu.Lock()
	resp, status, msg := m.operatorCall(&call)
	m.mu.Unlock()
	m.syncRegistry()
	if status != 0 {
		httpError(w, status, msg)
		return
	}
	v1http.Write(w, out, resp)
}

// operatorCall answers one operator call; callers hold mu.
func (m *Master) operatorCall(call *mmaster.Call) (*mmaster.Response, int, string) {
	// Response.Type numbers differ from Call.Type's (the response enum
	// has no SET_LOGGING_LEVEL): match them by name.
	resp := &mmaster.Response{Type: mmaster.Response_Type(mmaster.Response_Type_value[call.Type.String()])}
	switch call.Type {
	case mmaster.Call_GET_HEALTH:
		resp.GetHealth = &mmaster.Response_GetHealth{Healthy: true}
	case mmaster.Call_GET_VERSION:
		resp.GetVersion = &mmaster.Response_GetVersion{VersionInfo: v1http.VersionInfo()}
	case mmaster.Call_GET_FLAGS:
		resp.GetFlags = &mmaster.Response_GetFlags{}
		flags := m.flags()
		for _, k := range sortedKeys(flags) {
			v := flags[k]
			resp.GetFlags.Flags = append(resp.GetFlags.Flags, mesos.Flag{Name: k, Value: &v})
		}
	case mmaster.Call_GET_METRICS:
		m.mu.Unlock()
		snap := m.metricsSnapshot()
		m.mu.Lock()
		resp.GetMetrics = &mmaster.Response_GetMetrics{}
		for _, k := range sortedKeys(snap) {
			v := snap[k]
			resp.GetMetrics.Metrics = append(resp.GetMetrics.Metrics, mesos.Metric{Name: k, Value: &v})
		}
	case mmaster.Call_GET_STATE:
		resp.GetState = m.opState()
	case mmaster.Call_GET_AGENTS:
		resp.GetAgents = m.opAgents()
	case mmaster.Call_GET_FRAMEWORKS:
		resp.GetFrameworks = m.opFrameworks()
	case mmaster.Call_GET_TASKS:
		resp.GetTasks = m.opTasks()
	case mmaster.Call_GET_EXECUTORS:
		resp.GetExecutors = &mmaster.Response_GetExecutors{}
	case mmaster.Call_GET_ROLES:
		resp.GetRoles = m.opRoles()
	case mmaster.Call_GET_WEIGHTS:
		resp.GetWeights = &mmaster.Response_GetWeights{}
		for _, r := range sortedKeys(m.weights) {
			role := r
			resp.GetWeights.WeightInfos = append(resp.GetWeights.WeightInfos, mesos.WeightInfo{Role: &role, Weight: m.weights[r]})
		}
	case mmaster.Call_GET_MASTER:
		start, elected := secs(m.startedAt), secs(m.electedAt)
		resp.GetMaster = &mmaster.Response_GetMaster{MasterInfo: m.masterInfo(), StartTime: &start, ElectedTime: &elected}
	case mmaster.Call_UNKNOWN:
		return nil, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'type' to be present"
	default:
		if _, known := mmaster.Call_Type_name[int32(call.Type)]; !known {
			// A number this Mesos does not know: protobuf parsing leaves
			// the type unset, which Mesos' validation refuses.
			return nil, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'type' to be present"
		}
		return nil, http.StatusNotImplemented, "Operator call " + call.Type.String() + " is not supported by mesosbox"
	}
	return resp, 0, ""
}

func (m *Master) opState() *mmaster.Response_GetState {
	return &mmaster.Response_GetState{GetTasks: m.opTasks(), GetExecutors: &mmaster.Response_GetExecutors{},
		GetFrameworks: m.opFrameworks(), GetAgents: m.opAgents()}
}

func (m *Master) agentInfo(a *agent) mesos.AgentInfo {
	port := int32(portOf(a.Address))
	return mesos.AgentInfo{Hostname: a.Hostname, Port: &port, Resources: a.Resources, Attributes: a.Attributes, ID: &mesos.AgentID{Value: a.ID}}
}

func (m *Master) opAgents() *mmaster.Response_GetAgents {
	out := &mmaster.Response_GetAgents{}
	for _, a := range m.sortedAgents() {
		pid := a.pid()
		reg := mesos.TimeInfo{Nanoseconds: a.RegisteredAt.UnixNano()}
		out.Agents = append(out.Agents, mmaster.Response_GetAgents_Agent{
			AgentInfo: m.agentInfo(a), Active: a.conn != nil && !a.unreachable, Version: mesosVersion, PID: &pid,
			RegisteredTime: &reg, TotalResources: a.Resources,
			AllocatedResources: resourcepb.ToProto(a.used(), ""), OfferedResources: resourcepb.ToProto(a.offered, ""),
		})
	}
	return out
}

func (m *Master) opFramework(f *framework) mmaster.Response_GetFrameworks_Framework {
	reg := mesos.TimeInfo{Nanoseconds: f.registeredAt.UnixNano()}
	out := mmaster.Response_GetFrameworks_Framework{FrameworkInfo: f.info, Active: f.connected(), Connected: f.connected(), RegisteredTime: &reg}
	for _, o := range f.offers {
		if a := m.agents[o.agentID]; a != nil {
			out.Offers = append(out.Offers, m.offerProto(o, a))
		}
	}
	return out
}

func (m *Master) opFrameworks() *mmaster.Response_GetFrameworks {
	out := &mmaster.Response_GetFrameworks{}
	for _, f := range m.sortedFrameworks() {
		out.Frameworks = append(out.Frameworks, m.opFramework(f))
	}
	for _, f := range m.completedFw {
		out.CompletedFrameworks = append(out.CompletedFrameworks, m.opFramework(f))
	}
	return out
}

func taskProto(t *task) mesos.Task {
	state := t.state()
	out := mesos.Task{Name: t.Info.Name, TaskID: t.Info.TaskID, FrameworkID: mesos.FrameworkID{Value: t.FrameworkID},
		AgentID: mesos.AgentID{Value: t.AgentID}, State: &state, Resources: t.Info.Resources, Statuses: t.Statuses,
		Labels: t.Info.Labels, Discovery: t.Info.Discovery, Container: t.Info.Container, HealthCheck: t.Info.HealthCheck}
	if t.Info.Command != nil {
		out.User = t.Info.Command.User
	}
	return out
}

func (m *Master) opTasks() *mmaster.Response_GetTasks {
	out := &mmaster.Response_GetTasks{}
	for _, f := range m.sortedFrameworks() {
		for _, t := range sortedTasks(f.tasks) {
			if t.state() == mesos.TASK_UNREACHABLE {
				out.UnreachableTasks = append(out.UnreachableTasks, taskProto(t))
			} else {
				out.Tasks = append(out.Tasks, taskProto(t))
			}
		}
	}
	for _, t := range m.completed {
		out.CompletedTasks = append(out.CompletedTasks, taskProto(t))
	}
	return out
}

func (m *Master) opRoles() *mmaster.Response_GetRoles {
	v0 := m.v0Roles()["roles"].([]obj)
	out := &mmaster.Response_GetRoles{}
	for _, r := range v0 {
		name := r["name"].(string)
		w := m.weights[name]
		if w <= 0 {
			w = drf.DefaultWeight
		}
		role := mesos.Role{Name: name, Weight: w}
		fids := r["frameworks"].([]string)
		sort.Strings(fids)
		for _, id := range fids {
			role.Frameworks = append(role.Frameworks, mesos.FrameworkID{Value: id})
		}
		out.Roles = append(out.Roles, role)
	}
	return out
}
