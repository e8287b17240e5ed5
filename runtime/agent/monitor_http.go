package agent

import (
	"net/http"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/mesosjson"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// running is what the usage endpoints need of a running task, copied
// under the agent's lock so that /proc is read without it.
type running struct {
	taskID, frameworkID, name, runID string
	pid                              int
	cpus, memMB                      float64
	containerStatus                  *mesos.ContainerStatus
}

func (a *Agent) runningTasks() []running {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []running
	for _, t := range a.sortedTasksLocked() {
		if t.exec == nil || t.rec.terminal() {
			continue
		}
		r := running{taskID: t.id(), frameworkID: t.rec.FrameworkID, name: executorName(&t.rec.Info),
			runID: t.rec.RunID, pid: t.exec.PID()}
		if res, err := resourcepb.FromProto(t.rec.Info.Resources); err == nil {
			r.cpus, r.memMB = res.Scalar(resources.CPUs).Float64(), res.Scalar(resources.Mem).Float64()
		}
		r.containerStatus = a.containerStatus(t, r.pid)
		out = append(out, r)
	}
	return out
}

// statistics is a task's ResourceStatistics as Mesos' agent writes it:
// its limits from the task's resources and what its process tree used,
// measured as Mesos' default isolators (posix/cpu, posix/mem) measure it.
// ok is false once the task's process is gone.
func (r running) statistics(pt *executor.ProcessTable, now float64) (map[string]any, bool) {
	u, ok := pt.TreeUsage(r.pid)
	if !ok {
		return nil, false
	}
	return map[string]any{
		"timestamp":             now,
		"cpus_limit":            r.cpus,
		"mem_limit_bytes":       uint64(r.memMB * (1 << 20)),
		"cpus_user_time_secs":   u.User.Seconds(),
		"cpus_system_time_secs": u.System.Seconds(),
		"mem_rss_bytes":         u.RSSBytes,
	}, true
}

// serveStatistics is /monitor/statistics: one entry per running task's
// executor (a command task runs under its own, whose id is the task's),
// which Mesos' UI, mesos-exporter and collectd plugins read for usage.
func (a *Agent) serveStatistics(w http.ResponseWriter, r *http.Request) {
	a.serveUsage(w, r, func(t running, stats map[string]any) map[string]any {
		return map[string]any{"executor_id": t.taskID, "executor_name": t.name, "framework_id": t.frameworkID,
			"source": t.taskID, "statistics": stats}
	})
}

// serveContainers is /containers: each running container with its status
// and usage.
func (a *Agent) serveContainers(w http.ResponseWriter, r *http.Request) {
	a.serveUsage(w, r, func(t running, stats map[string]any) map[string]any {
		return map[string]any{"container_id": t.runID, "executor_id": t.taskID, "executor_name": t.name,
			"framework_id": t.frameworkID, "source": t.taskID, "status": mesosjson.Object(t.containerStatus), "statistics": stats}
	})
}

func (a *Agent) serveUsage(w http.ResponseWriter, r *http.Request, entry func(running, map[string]any) map[string]any) {
	tasks := a.runningTasks()
	out := make([]any, 0, len(tasks))
	if len(tasks) > 0 {
		pt, err := executor.ReadProcessTable()
		if err != nil {
			http.Error(w, "Failed to read the process table: "+err.Error(), http.StatusInternalServerError)
			return
		}
		now := float64(a.clock.Now().UnixNano()) / 1e9
		for _, t := range tasks {
			if stats, ok := t.statistics(pt, now); ok {
				out = append(out, entry(t, stats))
			}
		}
	}
	writeJSON(w, r, out)
}
