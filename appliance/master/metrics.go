package master

import (
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// metricsSnapshot is /metrics/snapshot: Mesos' flat map of master metrics.
// A master that is not running answers master/elected 0, as a standby does.
func (m *Master) metricsSnapshot() map[string]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]float64{"master/elected": 0}
	if !m.running {
		return out
	}
	now := m.cfg.Clock.Now()
	out["master/elected"] = 1
	out["master/uptime_secs"] = now.Sub(m.startedAt).Seconds()
	var total, used, offered resources.Resources
	active, inactive, unreachable := 0, 0, 0
	for _, a := range m.agents {
		total = total.Add(a.total)
		used = used.Add(a.used())
		offered = offered.Add(a.offered)
		switch {
		case a.unreachable:
			unreachable++
		case a.conn != nil:
			active++
		default:
			inactive++
		}
	}
	out["master/slaves_active"] = float64(active)
	out["master/slaves_inactive"] = float64(inactive)
	out["master/slaves_connected"] = float64(active)
	out["master/slaves_disconnected"] = float64(inactive + unreachable)
	out["master/slaves_unreachable"] = float64(unreachable)
	fwActive, fwInactive := 0, 0
	states := map[mesos.TaskState]int{}
	for _, f := range m.frameworks {
		if f.connected() {
			fwActive++
		} else {
			fwInactive++
		}
		for _, t := range f.tasks {
			states[t.state()]++
		}
	}
	out["master/frameworks_active"] = float64(fwActive)
	out["master/frameworks_inactive"] = float64(fwInactive)
	out["master/frameworks_connected"] = float64(fwActive)
	out["master/frameworks_disconnected"] = float64(fwInactive)
	for _, s := range []mesos.TaskState{mesos.TASK_STAGING, mesos.TASK_STARTING, mesos.TASK_RUNNING, mesos.TASK_KILLING, mesos.TASK_UNREACHABLE} {
		out["master/tasks_"+strings.ToLower(strings.TrimPrefix(s.String(), "TASK_"))] = float64(states[s])
	}
	for s, n := range m.metrics.statusUpdates {
		if isTerminal(s) {
			out["master/tasks_"+strings.ToLower(strings.TrimPrefix(s.String(), "TASK_"))] = float64(n)
		}
	}
	for _, s := range []string{"finished", "failed", "killed", "lost", "error", "dropped", "gone"} {
		if _, ok := out["master/tasks_"+s]; !ok {
			out["master/tasks_"+s] = 0
		}
	}
	for _, name := range []string{resources.CPUs, resources.Mem, resources.Disk, resources.GPUs} {
		t, u := total.Scalar(name).Float64(), used.Scalar(name).Float64()
		out["master/"+name+"_total"] = t
		out["master/"+name+"_used"] = u
		out["master/"+name+"_percent"] = 0
		if t > 0 {
			out["master/"+name+"_percent"] = u / t
		}
	}
	out["master/outstanding_offers"] = float64(len(m.offers))
	out["master/messages_launch_tasks"] = float64(m.metrics.tasksLaunched)
	out["master/messages_decline_offers"] = float64(m.metrics.offersDeclined)
	out["master/messages_revive_offers"] = float64(m.metrics.calls[scheduler.Call_REVIVE])
	out["master/messages_reconcile_tasks"] = float64(m.metrics.calls[scheduler.Call_RECONCILE])
	out["master/task_offers_sent"] = float64(m.metrics.offersSent)
	out["master/offers_rescinded"] = float64(m.metrics.offersRescinded)
	out["master/dropped_messages"] = float64(m.metrics.messagesDropped)
	var updates uint64
	for _, n := range m.metrics.statusUpdates {
		updates += n
	}
	out["master/messages_status_update"] = float64(updates)
	return out
}
