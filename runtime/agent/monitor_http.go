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

// measured is a running task with what it used.
type measured struct {
	running
	stats *mesos.ResourceStatistics
}

// measure reads the process table once and returns each task still
// running with its ResourceStatistics: its limits from the task's
// resources and what its process tree used, measured as Mesos' default
// isolators (posix/cpu, posix/mem) measure it.
func (a *Agent) measure() ([]measured, error) {
	tasks := a.runningTasks()
	if len(tasks) == 0 {
		return nil, nil
	}
	pt, err := executor.ReadProcessTable()
	if err != nil {
		return nil, err
	}
	now := float64(a.clock.Now().UnixNano()) / 1e9
	var out []measured
	for _, t := range tasks {
		u, ok := pt.TreeUsage(t.pid)
		if !ok {
			continue // ended meanwhile
		}
		out = append(out, measured{running: t, stats: &mesos.ResourceStatistics{Timestamp: now,
			CPUsUserTimeSecs: new(u.User.Seconds()), CPUsSystemTimeSecs: new(u.System.Seconds()),
			CPUsLimit: new(t.cpus), MemRSSBytes: new(u.RSSBytes), MemLimitBytes: new(uint64(t.memMB * (1 << 20)))}})
	}
	return out, nil
}

// serveStatistics is /monitor/statistics: one entry per running task's
// executor (a command task runs under its own, whose id is the task's),
// which Mesos' UI, mesos-exporter and collectd plugins read for usage.
func (a *Agent) serveStatistics(w http.ResponseWriter, r *http.Request) {
	a.serveUsage(w, r, func(m measured) map[string]any {
		return map[string]any{"executor_id": m.taskID, "executor_name": m.name, "framework_id": m.frameworkID,
			"source": m.taskID, "statistics": mesosjson.Object(m.stats)}
	})
}

// serveContainers is /containers: each running container with its status
// and usage.
func (a *Agent) serveContainers(w http.ResponseWriter, r *http.Request) {
	a.serveUsage(w, r, func(m measured) map[string]any {
		return map[string]any{"container_id": m.runID, "executor_id": m.taskID, "executor_name": m.name,
			"framework_id": m.frameworkID, "source": m.taskID, "status": mesosjson.Object(m.containerStatus),
			"statistics": mesosjson.Object(m.stats)}
	})
}

func (a *Agent) serveUsage(w http.ResponseWriter, r *http.Request, entry func(measured) map[string]any) {
	ms, err := a.measure()
	if err != nil {
		http.Error(w, "Failed to read the process table: "+err.Error(), http.StatusInternalServerError)
		return
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, entry(m))
	}
	writeJSON(w, r, out)
}
