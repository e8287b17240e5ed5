package agent

import (
	"maps"
	"net/http"
	"slices"
	"strconv"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	magent "github.com/mesos/mesos-go/api/v1/lib/agent"

	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/appliance/master/v1http"
)

// maxOperatorBytes bounds a call's body, as the master's operator API.
const maxOperatorBytes = 1 << 20

// serveOperator is POST /api/v1 on the agent, the v1 agent operator API:
// its read calls (health, flags, version, state, tasks, executors,
// frameworks, containers, agent), answered in the request's Accept
// encoding. The calls that read files, change or attach to containers
// are not supported (501).
func (a *Agent) serveOperator(w http.ResponseWriter, r *http.Request) {
	in, out, streaming, body, ok := v1http.ReadCall(w, r, maxOperatorBytes)
	if !ok {
		return
	}
	if streaming {
		v1http.Error(w, http.StatusNotAcceptable, "Expecting 'Accept' to allow application/json or application/x-protobuf")
		return
	}
	var call magent.Call
	if err := in.Decode(body, &call); err != nil {
		v1http.Error(w, http.StatusBadRequest, "Failed to parse body into Call: "+err.Error())
		return
	}
	resp, code, msg := a.operatorCall(&call)
	if code != 0 {
		v1http.Error(w, code, msg)
		return
	}
	v1http.Write(w, out, resp)
}

func (a *Agent) operatorCall(call *magent.Call) (*magent.Response, int, string) {
	// Response.Type numbers differ from Call.Type's: match them by name.
	resp := &magent.Response{Type: magent.Response_Type(magent.Response_Type_value[call.Type.String()])}
	switch call.Type {
	case magent.Call_GET_HEALTH:
		resp.GetHealth = &magent.Response_GetHealth{Healthy: true}
	case magent.Call_GET_VERSION:
		resp.GetVersion = &magent.Response_GetVersion{VersionInfo: v1http.VersionInfo()}
	case magent.Call_GET_FLAGS:
		a.mu.Lock()
		flags := a.flagsLocked()
		a.mu.Unlock()
		resp.GetFlags = &magent.Response_GetFlags{}
		for _, k := range slices.Sorted(maps.Keys(flags)) {
			v := flags[k]
			resp.GetFlags.Flags = append(resp.GetFlags.Flags, mesos.Flag{Name: k, Value: &v})
		}
	case magent.Call_GET_METRICS:
		snap := a.metricsSnapshot()
		resp.GetMetrics = &magent.Response_GetMetrics{}
		for _, k := range slices.Sorted(maps.Keys(snap)) {
			v := snap[k]
			resp.GetMetrics.Metrics = append(resp.GetMetrics.Metrics, mesos.Metric{Name: k, Value: &v})
		}
	case magent.Call_GET_STATE:
		a.mu.Lock()
		resp.GetState = &magent.Response_GetState{GetTasks: a.opTasksLocked(), GetExecutors: a.opExecutorsLocked(),
			GetFrameworks: a.opFrameworksLocked()}
		a.mu.Unlock()
	case magent.Call_GET_TASKS:
		a.mu.Lock()
		resp.GetTasks = a.opTasksLocked()
		a.mu.Unlock()
	case magent.Call_GET_EXECUTORS:
		a.mu.Lock()
		resp.GetExecutors = a.opExecutorsLocked()
		a.mu.Unlock()
	case magent.Call_GET_FRAMEWORKS:
		a.mu.Lock()
		resp.GetFrameworks = a.opFrameworksLocked()
		a.mu.Unlock()
	case magent.Call_GET_CONTAINERS:
		containers, err := a.opContainers()
		if err != nil {
			return nil, http.StatusInternalServerError, "Failed to read the process table: " + err.Error()
		}
		resp.GetContainers = containers
	case magent.Call_GET_AGENT:
		a.mu.Lock()
		info := a.agentInfoLocked()
		a.mu.Unlock()
		resp.GetAgent = &magent.Response_GetAgent{AgentInfo: &info}
	case magent.Call_UNKNOWN:
		return nil, http.StatusBadRequest, "Failed to validate agent::Call: Expecting 'type' to be present"
	default:
		if _, known := magent.Call_Type_name[int32(call.Type)]; !known {
			return nil, http.StatusBadRequest, "Failed to validate agent::Call: Expecting 'type' to be present"
		}
		return nil, http.StatusNotImplemented, "Agent call " + call.Type.String() + " is not supported by mesosbox"
	}
	return resp, 0, ""
}

// shown reports whether a task has an executor to show: one that never ran
// here (a kill answered "Cannot find executor") has none.
func shown(t *task) bool { return t.rec.RunID != "" }

// opTask is a task as the v1 API writes it.
func (a *Agent) opTask(t *task) mesos.Task {
	info := &t.rec.Info
	state := mesos.TASK_STAGING
	if l := t.rec.latest(); l != nil {
		state = l.GetState()
	}
	agentID := info.AgentID
	if agentID.Value == "" {
		agentID.Value = a.agentID
	}
	return mesos.Task{Name: info.Name, TaskID: info.TaskID, FrameworkID: mesos.FrameworkID{Value: t.rec.FrameworkID},
		ExecutorID: &mesos.ExecutorID{Value: t.id()}, AgentID: agentID, State: &state, Resources: info.Resources,
		Statuses: t.rec.Statuses, Labels: info.Labels, Discovery: info.Discovery, Container: info.Container,
		HealthCheck: info.HealthCheck, KillPolicy: info.KillPolicy}
}

func (a *Agent) opTasksLocked() *magent.Response_GetTasks {
	out := &magent.Response_GetTasks{}
	for _, t := range a.sortedTasksLocked() {
		switch {
		case !shown(t):
		case t.rec.terminal():
			out.TerminatedTasks = append(out.TerminatedTasks, a.opTask(t))
		default:
			out.LaunchedTasks = append(out.LaunchedTasks, a.opTask(t))
		}
	}
	for _, t := range a.completed {
		if shown(t) {
			out.CompletedTasks = append(out.CompletedTasks, a.opTask(t))
		}
	}
	return out
}

// opExecutor is a task's command executor, whose id is the task's.
func (a *Agent) opExecutor(t *task) magent.Response_GetExecutors_Executor {
	name := executorName(&t.rec.Info)
	return magent.Response_GetExecutors_Executor{ExecutorInfo: mesos.ExecutorInfo{
		ExecutorID: mesos.ExecutorID{Value: t.id()}, FrameworkID: &mesos.FrameworkID{Value: t.rec.FrameworkID},
		Command: t.rec.Info.Command, Resources: t.rec.Info.Resources, Name: &name, Source: new(t.id())}}
}

func (a *Agent) opExecutorsLocked() *magent.Response_GetExecutors {
	out := &magent.Response_GetExecutors{}
	for _, t := range a.sortedTasksLocked() {
		if shown(t) {
			out.Executors = append(out.Executors, a.opExecutor(t))
		}
	}
	for _, t := range a.completed {
		if shown(t) {
			out.CompletedExecutors = append(out.CompletedExecutors, a.opExecutor(t))
		}
	}
	return out
}

// opFrameworksLocked lists the frameworks with a task here, and as
// completed those with only completed tasks.
func (a *Agent) opFrameworksLocked() *magent.Response_GetFrameworks {
	out := &magent.Response_GetFrameworks{}
	active := map[string]bool{}
	framework := func(t *task) magent.Response_GetFrameworks_Framework {
		id := mesos.FrameworkID{Value: t.rec.FrameworkID}
		return magent.Response_GetFrameworks_Framework{FrameworkInfo: mesos.FrameworkInfo{
			ID: &id, Name: t.rec.FrameworkName, User: t.rec.FrameworkUser}}
	}
	for _, t := range a.sortedTasksLocked() {
		if shown(t) && !active[t.rec.FrameworkID] {
			active[t.rec.FrameworkID] = true
			out.Frameworks = append(out.Frameworks, framework(t))
		}
	}
	done := map[string]bool{}
	for _, t := range a.completed {
		if shown(t) && !active[t.rec.FrameworkID] && !done[t.rec.FrameworkID] {
			done[t.rec.FrameworkID] = true
			out.CompletedFrameworks = append(out.CompletedFrameworks, framework(t))
		}
	}
	return out
}

// opContainers are the running containers with their status and usage
// (the /containers endpoint's content).
func (a *Agent) opContainers() (*magent.Response_GetContainers, error) {
	measured, err := a.measure()
	if err != nil {
		return nil, err
	}
	out := &magent.Response_GetContainers{}
	for _, m := range measured {
		out.Containers = append(out.Containers, magent.Response_GetContainers_Container{
			FrameworkID: &mesos.FrameworkID{Value: m.frameworkID}, ExecutorID: &mesos.ExecutorID{Value: m.taskID},
			ExecutorName: new(m.name), ContainerID: mesos.ContainerID{Value: m.runID}, ContainerStatus: m.containerStatus,
			ResourceStatistics: m.stats})
	}
	return out, nil
}

func (a *Agent) agentInfoLocked() mesos.AgentInfo {
	info := mesos.AgentInfo{Hostname: a.hostname, Resources: resourcepb.ToProto(a.res, ""), Attributes: a.attrs}
	if a.agentID != "" {
		info.ID = &mesos.AgentID{Value: a.agentID}
	}
	if p, err := strconv.Atoi(a.port); err == nil {
		port := int32(p)
		info.Port = &port
	}
	return info
}
