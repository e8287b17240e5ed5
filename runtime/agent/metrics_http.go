package agent

import (
	"bufio"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

func (a *Agent) serveMetrics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, a.metricsSnapshot())
}

// metricsSnapshot is the agent's /metrics/snapshot: Mesos' flat map of
// agent ("slave/...") and host ("system/...") metrics, which
// mesos-exporter and dashboards read beside /monitor/statistics.
func (a *Agent) metricsSnapshot() map[string]float64 {
	out := systemMetrics()
	a.mu.Lock()
	defer a.mu.Unlock()
	out["slave/uptime_secs"] = a.clock.Now().Sub(a.startTime).Seconds()
	out["slave/registered"] = 0
	if a.conn != nil {
		out["slave/registered"] = 1
	}
	states := map[mesos.TaskState]int{}
	var used resources.Resources
	executors := 0
	for _, t := range a.tasks {
		if !shown(t) || t.rec.terminal() {
			continue
		}
		executors++
		st := mesos.TASK_STAGING
		if l := t.rec.latest(); l != nil {
			st = l.GetState()
		}
		states[st]++
		if res, err := resourcepb.FromProto(t.rec.Info.Resources); err == nil {
			used = used.Add(res)
		}
	}
	for _, s := range []mesos.TaskState{mesos.TASK_STAGING, mesos.TASK_STARTING, mesos.TASK_RUNNING, mesos.TASK_KILLING} {
		out["slave/tasks_"+stateMetric(s)] = float64(states[s])
	}
	for _, s := range []mesos.TaskState{mesos.TASK_FINISHED, mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_LOST,
		mesos.TASK_ERROR, mesos.TASK_DROPPED, mesos.TASK_GONE} {
		out["slave/tasks_"+stateMetric(s)] = float64(a.ended[s])
	}
	out["slave/executors_running"] = float64(executors)
	out["slave/valid_status_updates"] = float64(a.updatesEmitted)
	for _, name := range []string{resources.CPUs, resources.Mem, resources.Disk, resources.GPUs} {
		total, u := a.res.Scalar(name).Float64(), used.Scalar(name).Float64()
		out["slave/"+name+"_total"], out["slave/"+name+"_used"], out["slave/"+name+"_percent"] = total, u, 0
		if total > 0 {
			out["slave/"+name+"_percent"] = u / total
		}
	}
	return out
}

func stateMetric(s mesos.TaskState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "TASK_"))
}

// systemMetrics are the host's, as Mesos' system/ metrics: CPUs, load
// averages and memory (from /proc; left out where it cannot be read).
func systemMetrics() map[string]float64 {
	out := map[string]float64{"system/cpus_total": float64(runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		for i, name := range []string{"system/load_1min", "system/load_5min", "system/load_15min"} {
			if i < len(f) {
				if v, err := strconv.ParseFloat(f[i], 64); err == nil {
					out[name] = v
				}
			}
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			name := map[string]string{"MemTotal": "system/mem_total_bytes", "MemFree": "system/mem_free_bytes"}[k]
			if name == "" {
				continue
			}
			if kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64); err == nil {
				out[name] = kb * 1024
			}
		}
	}
	return out
}
