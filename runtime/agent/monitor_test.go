package agent

import (
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// TestMonitorStatistics: /monitor/statistics and /containers report each
// running task's limits and what its process tree used (a child that
// burned CPU counts), in the shape Mesos' agent gives them; a task that
// ended is no longer listed.
func TestMonitorStatistics(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "agent id", func() bool { return h.a.ID() != "" })
	h.m.launch(fw, shellTask("busy", `sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 100' & wait`))
	h.m.waitState(t, "busy", mesos.TASK_RUNNING)

	type stats struct {
		Timestamp      float64 `json:"timestamp"`
		CPUsLimit      float64 `json:"cpus_limit"`
		MemLimitBytes  uint64  `json:"mem_limit_bytes"`
		CPUsUserSecs   float64 `json:"cpus_user_time_secs"`
		CPUsSystemSecs float64 `json:"cpus_system_time_secs"`
		MemRSSBytes    uint64  `json:"mem_rss_bytes"`
	}
	var entries []struct {
		ExecutorID   string `json:"executor_id"`
		ExecutorName string `json:"executor_name"`
		FrameworkID  string `json:"framework_id"`
		Source       string `json:"source"`
		Statistics   stats  `json:"statistics"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		h.getJSON("/slave(1)/monitor/statistics", &entries)
		if len(entries) == 1 && entries[0].Statistics.CPUsUserSecs+entries[0].Statistics.CPUsSystemSecs >= 0.2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics after 30 s: %+v", entries)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e := entries[0]
	if e.ExecutorID != "busy" || e.Source != "busy" || e.FrameworkID != fw || e.ExecutorName == "" ||
		e.Statistics.CPUsLimit != 0.1 || e.Statistics.MemLimitBytes != 64<<20 || e.Statistics.MemRSSBytes == 0 ||
		e.Statistics.Timestamp == 0 {
		t.Fatalf("entry %+v", e)
	}

	var containers []struct {
		ContainerID string `json:"container_id"`
		ExecutorID  string `json:"executor_id"`
		Status      struct {
			ContainerID struct {
				Value string `json:"value"`
			} `json:"container_id"`
			ExecutorPID int `json:"executor_pid"`
		} `json:"status"`
		Statistics stats `json:"statistics"`
	}
	h.getJSON("/containers", &containers)
	h.a.mu.Lock()
	task := h.a.tasks[taskKey{fw, "busy"}]
	runID, pid := task.rec.RunID, task.exec.PID()
	h.a.mu.Unlock()
	if len(containers) != 1 || containers[0].ContainerID != runID || containers[0].ExecutorID != "busy" ||
		containers[0].Status.ContainerID.Value != runID || containers[0].Status.ExecutorPID != pid ||
		containers[0].Statistics.MemLimitBytes != 64<<20 {
		t.Fatalf("containers %+v (run %s pid %d)", containers, runID, pid)
	}

	h.m.kill(fw, "busy", nil)
	h.m.waitState(t, "busy", mesos.TASK_KILLED)
	waitFor(t, "no statistics for the killed task", func() bool {
		h.getJSON("/monitor/statistics", &entries)
		return len(entries) == 0
	})
}

// TestMetricsSnapshot: the agent's /metrics/snapshot counts its tasks by
// state (running ones now, ended ones ever), the resources they hold
// against its total, its registration, and the host's.
func TestMetricsSnapshot(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "agent id", func() bool { return h.a.ID() != "" })
	h.m.launch(fw, shellTask("done", "true"))
	h.m.launch(fw, shellTask("fails", "exit 3"))
	h.m.launch(fw, shellTask("runs", "sleep 100"))
	h.m.waitState(t, "runs", mesos.TASK_RUNNING)
	for _, id := range []string{"done", "fails"} {
		waitFor(t, id+" completed", func() bool { return h.completed(id) })
	}
	var m map[string]float64
	h.getJSON("/metrics/snapshot", &m)
	for k, want := range map[string]float64{
		"slave/tasks_running": 1, "slave/tasks_staging": 0, "slave/tasks_finished": 1, "slave/tasks_failed": 1,
		"slave/tasks_killed": 0, "slave/executors_running": 1, "slave/registered": 1,
		"slave/cpus_total": 4, "slave/cpus_used": 0.1, "slave/mem_total": 4096, "slave/mem_used": 64,
		"slave/mem_percent": 64.0 / 4096, "slave/valid_status_updates": 8, // STARTING, RUNNING and an end each, but "runs"
	} {
		if got, ok := m[k]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	if m["slave/uptime_secs"] < 0 || m["system/cpus_total"] < 1 || m["system/mem_total_bytes"] <= 0 {
		t.Errorf("uptime or system metrics: %v", m)
	}
}
