package master

import (
	"encoding/json"
	"sort"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/appliance/master/mesosjson"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// The v0 endpoints speak the JSON of Mesos' master/http.cpp: flat resource
// maps with ports as a string, seconds as floats, "master@ip:port" pids.
// Readers such as the Mesos UI, mesos-dns and megos parse exactly these.

type obj = map[string]any

func secs(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// v0State builds /master/state. Callers hold mu.
func (m *Master) v0State() obj {
	st := m.v0Header()
	var slaves, frameworks, completed []obj
	activated, deactivated, unreachable := 0, 0, 0
	for _, a := range m.sortedAgents() {
		slaves = append(slaves, m.v0Agent(a))
		switch {
		case a.unreachable:
			unreachable++
		case a.conn != nil:
			activated++
		default:
			deactivated++
		}
	}
	for _, f := range m.sortedFrameworks() {
		frameworks = append(frameworks, m.v0Framework(f, true))
	}
	for _, f := range m.completedFw {
		completed = append(completed, m.v0Framework(f, true))
	}
	st["activated_slaves"] = activated
	st["deactivated_slaves"] = deactivated
	st["unreachable_slaves"] = unreachable
	st["slaves"] = nonNil(slaves)
	st["frameworks"] = nonNil(frameworks)
	st["completed_frameworks"] = nonNil(completed)
	st["orphan_tasks"] = []obj{}
	st["unregistered_frameworks"] = []string{}
	return st
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func (m *Master) v0Header() obj {
	return obj{
		"version":      mesosVersion,
		"git_sha":      buildinfo.GitSHA,
		"git_tag":      buildinfo.Version,
		"build_date":   buildinfo.BuildDate,
		"build_time":   0.0,
		"build_user":   "mesosbox",
		"start_time":   secs(m.startedAt),
		"elected_time": secs(m.electedAt),
		"id":           m.id,
		"pid":          m.pid(),
		"hostname":     m.cfg.Hostname,
		"capabilities": []string{"AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"},
		"cluster":      m.cfg.Cluster,
		"leader":       m.pid(),
		"leader_info":  m.v0MasterInfo(),
		"log_dir":      "",
		"flags":        m.flags(),
	}
}

func (m *Master) v0MasterInfo() obj {
	return obj{"id": m.id, "pid": m.pid(), "port": m.cfg.Port, "hostname": m.cfg.Hostname, "version": mesosVersion,
		"address": obj{"hostname": m.cfg.Hostname, "ip": m.cfg.Hostname, "port": m.cfg.Port},
		"ip":      ipToUint32(m.cfg.Hostname)}
}

func (m *Master) flags() map[string]string {
	return map[string]string{
		"allocation_interval":       m.cfg.AllocationInterval.String(),
		"offer_timeout":             m.cfg.OfferTimeout.String(),
		"agent_ping_timeout":        m.cfg.AgentPingInterval.String(),
		"max_agent_ping_timeouts":   "1",
		"min_allocatable_resources": "cpus:0.01|mem:32",
		"hostname":                  m.cfg.Hostname,
		"port":                      itoa(m.cfg.Port),
		"cluster":                   m.cfg.Cluster,
		"authenticate_frameworks":   "false",
		"authenticate_agents":       "false",
		"role_sorter":               "drf",
		"framework_sorter":          "drf",
		"registry":                  "raft",
	}
}

func (m *Master) sortedAgents() []*agent {
	out := make([]*agent, 0, len(m.agents))
	for _, a := range m.agents {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (m *Master) sortedFrameworks() []*framework {
	out := make([]*framework, 0, len(m.frameworks))
	for _, f := range m.frameworks {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (m *Master) v0Agent(a *agent) obj {
	used := a.used()
	return obj{
		"id":                   a.ID,
		"pid":                  a.pid(),
		"hostname":             a.Hostname,
		"port":                 portOf(a.Address),
		"registered_time":      secs(a.RegisteredAt),
		"reregistered_time":    secs(a.reregisteredAt),
		"resources":            a.total.V0(),
		"used_resources":       used.V0(),
		"offered_resources":    a.offered.V0(),
		"reserved_resources":   obj{},
		"unreserved_resources": a.total.V0(),
		"attributes":           v0Attributes(a.Attributes),
		"active":               a.conn != nil && !a.unreachable,
		"deactivated":          false,
		"version":              mesosVersion,
		"capabilities":         []string{"MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"},
	}
}

func v0Attributes(attrs []mesos.Attribute) obj {
	out := obj{}
	for _, a := range attrs {
		switch {
		case a.Text != nil:
			out[a.Name] = a.Text.Value
		case a.Scalar != nil:
			out[a.Name] = a.Scalar.Value
		case a.Ranges != nil:
			var r resources.Ranges
			for _, v := range a.Ranges.Range {
				r = r.Add(resources.NewRanges(resources.Range{Begin: v.Begin, End: v.End}))
			}
			out[a.Name] = r.String()
		case a.Set != nil:
			out[a.Name] = "{" + joinComma(a.Set.Item) + "}"
		}
	}
	return out
}

func joinComma(items []string) string {
	s := ""
	for i, it := range items {
		if i > 0 {
			s += ","
		}
		s += it
	}
	return s
}

func (m *Master) v0Framework(f *framework, withTasks bool) obj {
	var used, offered resources.Resources
	var tasks, unreachable []*v0TaskJSON
	for _, t := range sortedTasks(f.tasks) {
		if t.state() == mesos.TASK_UNREACHABLE {
			unreachable = append(unreachable, m.v0Task(t))
			continue
		}
		if !isTerminal(t.state()) {
			used = used.Add(t.res)
		}
		tasks = append(tasks, m.v0Task(t))
	}
	var offers []obj
	for _, o := range f.offers {
		offered = offered.Add(o.res)
		offers = append(offers, obj{"id": o.id, "framework_id": o.frameworkID, "slave_id": o.agentID, "resources": o.res.V0()})
	}
	var completed []*v0TaskJSON
	for _, t := range m.completed {
		if t.FrameworkID == f.id {
			completed = append(completed, m.v0Task(t))
		}
	}
	role := "*"
	if f.info.Role != nil {
		role = *f.info.Role
	}
	caps := []string{}
	for _, c := range f.info.Capabilities {
		caps = append(caps, c.Type.String())
	}
	out := obj{
		"id":                f.id,
		"name":              f.info.Name,
		"pid":               "",
		"user":              f.info.User,
		"role":              role,
		"roles":             f.roles(),
		"principal":         f.info.GetPrincipal(),
		"hostname":          f.info.GetHostname(),
		"webui_url":         f.info.GetWebUiURL(),
		"active":            f.connected(),
		"connected":         f.connected(),
		"recovered":         false,
		"failover_timeout":  f.info.GetFailoverTimeout(),
		"checkpoint":        f.info.GetCheckpoint(),
		"capabilities":      caps,
		"registered_time":   secs(f.registeredAt),
		"reregistered_time": secs(f.reregisteredAt),
		"unregistered_time": 0.0,
		"resources":         used.Add(offered).V0(),
		"used_resources":    used.V0(),
		"offered_resources": offered.V0(),
		"executors":         []obj{},
	}
	if withTasks {
		out["tasks"] = nonNil(tasks)
		out["unreachable_tasks"] = nonNil(unreachable)
		out["completed_tasks"] = nonNil(completed)
		out["offers"] = nonNil(offers)
	}
	return out
}

func sortedTasks(ts map[string]*task) []*task {
	out := make([]*task, 0, len(ts))
	for _, t := range ts {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	return out
}

// v0TaskJSON is a task as the v0 endpoints print it. Its fields are in
// the order of their JSON names, as encoding/json sorts a map's keys: the
// bytes are those of the generic map it replaced, at a fraction of the
// encoding cost (10 000 tasks are most of /master/state).
type v0TaskJSON struct {
	Container   any             `json:"container,omitempty"`
	Discovery   any             `json:"discovery,omitempty"`
	ExecutorID  string          `json:"executor_id"`
	FrameworkID string          `json:"framework_id"`
	HealthCheck any             `json:"health_check,omitempty"`
	ID          string          `json:"id"`
	Labels      *any            `json:"labels,omitempty"` // set, possibly to [], when the task has labels
	Name        string          `json:"name"`
	Resources   json.RawMessage `json:"resources"`
	Role        string          `json:"role"`
	SlaveID     string          `json:"slave_id"`
	State       string          `json:"state"`
	Statuses    []v0StatusJSON  `json:"statuses"`
	User        *string         `json:"user,omitempty"`
}

// v0StatusJSON is one of a task's statuses, fields in name order.
type v0StatusJSON struct {
	ContainerStatus any     `json:"container_status,omitempty"`
	Healthy         *bool   `json:"healthy,omitempty"`
	Labels          *any    `json:"labels,omitempty"`
	State           string  `json:"state"`
	Timestamp       float64 `json:"timestamp"`
}

func (m *Master) v0Task(t *task) *v0TaskJSON {
	var statuses []v0StatusJSON
	for i := range t.Statuses {
		s := &t.Statuses[i]
		so := v0StatusJSON{State: s.GetState().String(), Timestamp: s.GetTimestamp(), Healthy: s.Healthy}
		if s.ContainerStatus != nil {
			so.ContainerStatus = toJSONObj(s.ContainerStatus)
		}
		if s.Labels != nil {
			so.Labels = labelsJSON(s.Labels)
		}
		statuses = append(statuses, so)
	}
	out := &v0TaskJSON{ID: t.id(), Name: t.Info.Name, FrameworkID: t.FrameworkID, SlaveID: t.AgentID,
		State: t.state().String(), Resources: t.v0Resources(), Role: t.role, Statuses: statuses}
	if t.Info.Labels != nil {
		out.Labels = labelsJSON(t.Info.Labels)
	}
	if t.Info.Discovery != nil {
		out.Discovery = toJSONObj(t.Info.Discovery)
	}
	if t.Info.Container != nil {
		out.Container = toJSONObj(t.Info.Container)
	}
	if t.Info.HealthCheck != nil {
		out.HealthCheck = toJSONObj(t.Info.HealthCheck)
	}
	if t.Info.Command != nil && t.Info.Command.User != nil {
		out.User = t.Info.Command.User
	}
	return out
}

// toJSONObj renders a generated Mesos message as the generic JSON object
// the v0 endpoints embed.
// toJSONObj is a Mesos message in the JSON Mesos' endpoints give it: the
// protobuf field names, and no nulls (mesosjson).
func toJSONObj(m any) obj {
	if o := mesosjson.Object(m); o != nil {
		return o
	}
	return obj{}
}

// labelsJSON is a Labels message as Mesos writes it: the array of its
// labels, [] when it has none.
func labelsJSON(l *mesos.Labels) *any {
	var labels any = []any{}
	if ls, ok := toJSONObj(l)["labels"]; ok {
		labels = ls
	}
	return &labels
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
