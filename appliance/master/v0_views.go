package master

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/mesosbox/mesosbox/appliance/master/drf"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func (m *Master) v0StateSummary() obj {
	var slaves, frameworks []obj
	for _, a := range m.sortedAgents() {
		s := m.v0Agent(a)
		counts := taskCounts(a.tasks)
		for k, v := range counts {
			s[k] = v
		}
		fids := map[string]bool{}
		for _, t := range a.tasks {
			fids[t.FrameworkID] = true
		}
		s["framework_ids"] = keys(fids)
		slaves = append(slaves, s)
	}
	for _, f := range m.sortedFrameworks() {
		s := m.v0Framework(f, false)
		for k, v := range taskCounts(f.tasks) {
			s[k] = v
		}
		aids := map[string]bool{}
		for _, t := range f.tasks {
			aids[t.AgentID] = true
		}
		s["slave_ids"] = keys(aids)
		frameworks = append(frameworks, s)
	}
	return obj{"hostname": m.cfg.Hostname, "cluster": m.cfg.Cluster, "slaves": nonNil(slaves), "frameworks": nonNil(frameworks)}
}

func taskCounts(ts map[string]*task) obj {
	out := obj{}
	for _, s := range []string{"TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED",
		"TASK_KILLED", "TASK_FAILED", "TASK_LOST", "TASK_ERROR", "TASK_UNREACHABLE"} {
		out[s] = 0
	}
	for _, t := range ts {
		k := t.state().String()
		if n, ok := out[k].(int); ok {
			out[k] = n + 1
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *Master) v0Frameworks(r *http.Request) any {
	id := r.URL.Query().Get("framework_id")
	var fs, done []obj
	for _, f := range m.sortedFrameworks() {
		if id == "" || f.id == id {
			fs = append(fs, m.v0Framework(f, true))
		}
	}
	for _, f := range m.completedFw {
		if id == "" || f.id == id {
			done = append(done, m.v0Framework(f, true))
		}
	}
	return obj{"frameworks": nonNil(fs), "completed_frameworks": nonNil(done), "unregistered_frameworks": []string{}}
}

// v0Tasks serves /master/tasks with Mesos' framework_id, task_id, limit
// (default 100), offset and order (asc or des, by id) parameters.
func (m *Master) v0Tasks(r *http.Request) any {
	q := r.URL.Query()
	limit, offset := 100, 0
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v >= 0 {
		limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v >= 0 {
		offset = v
	}
	var all []*task
	for _, f := range m.sortedFrameworks() {
		all = append(all, sortedTasks(f.tasks)...)
	}
	all = append(all, m.completed...)
	var out []*v0TaskJSON
	for _, t := range all {
		if fid := q.Get("framework_id"); fid != "" && t.FrameworkID != fid {
			continue
		}
		if tid := q.Get("task_id"); tid != "" && t.id() != tid {
			continue
		}
		out = append(out, m.v0Task(t))
	}
	if q.Get("order") == "asc" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	} else {
		sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	}
	if offset > len(out) {
		offset = len(out)
	}
	out = out[offset:]
	if limit < len(out) {
		out = out[:limit]
	}
	return obj{"tasks": nonNil(out)}
}

func (m *Master) v0Slaves(r *http.Request) any {
	id := r.URL.Query().Get("slave_id")
	var out []obj
	for _, a := range m.sortedAgents() {
		if id == "" || a.ID == id {
			out = append(out, m.v0Agent(a))
		}
	}
	return obj{"slaves": nonNil(out), "recovered_slaves": []obj{}}
}

func (m *Master) v0Roles() obj {
	type roleInfo struct {
		frameworks         map[string]bool
		allocated, offered resources.Resources
	}
	roles := map[string]*roleInfo{"*": {frameworks: map[string]bool{}}}
	get := func(r string) *roleInfo {
		if roles[r] == nil {
			roles[r] = &roleInfo{frameworks: map[string]bool{}}
		}
		return roles[r]
	}
	for _, f := range m.frameworks {
		for _, r := range f.roles() {
			get(r).frameworks[f.id] = true
		}
		for _, t := range f.tasks {
			if !isTerminal(t.state()) {
				ri := get(t.role)
				ri.allocated = ri.allocated.Add(t.res)
			}
		}
		for _, o := range f.offers {
			ri := get(o.role)
			ri.offered = ri.offered.Add(o.res)
		}
	}
	for r := range m.weights {
		get(r)
	}
	var out []obj
	for _, name := range sortedKeys(roles) {
		ri := roles[name]
		w := m.weights[name]
		if w <= 0 {
			w = drf.DefaultWeight
		}
		out = append(out, obj{"name": name, "weight": w, "frameworks": keys(ri.frameworks),
			"resources": ri.allocated.Add(ri.offered).V0(), "allocated": ri.allocated.V0(), "offered": ri.offered.V0(),
			"reserved": obj{}, "quota": obj{"role": name, "guarantee": obj{}, "limit": obj{}, "consumed": ri.allocated.V0()}})
	}
	return obj{"roles": out}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *Master) v0Weights() any {
	var out []obj
	for _, r := range sortedKeys(m.weights) {
		out = append(out, obj{"role": r, "weight": m.weights[r]})
	}
	return nonNil(out)
}
