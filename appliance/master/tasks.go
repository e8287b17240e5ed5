package master

import (
	"bytes"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// masterStatus is a status the master itself generates (source
// SOURCE_MASTER). Such statuses carry no uuid: they need no acknowledgement.
func (m *Master) masterStatus(t *task, state mesos.TaskState, reason mesos.TaskStatus_Reason, msg string) mesos.TaskStatus {
	now := float64(m.cfg.Clock.Now().UnixNano()) / 1e9
	src := mesos.SOURCE_MASTER
	st := mesos.TaskStatus{
		TaskID:    t.Info.TaskID,
		State:     &state,
		Source:    &src,
		Timestamp: &now,
	}
	if t.AgentID != "" {
		st.AgentID = &mesos.AgentID{Value: t.AgentID}
	}
	if reason != 0 {
		st.Reason = &reason
	}
	if msg != "" {
		st.Message = &msg
	}
	return st
}

func updateEvent(st mesos.TaskStatus) *scheduler.Event {
	return &scheduler.Event{Type: scheduler.Event_UPDATE, Update: &scheduler.Event_Update{Status: st}}
}

func launchEvent(f *framework, info mesos.TaskInfo) agentapi.Event {
	return agentapi.Event{Type: agentapi.EventLaunch, Launch: &agentapi.Launch{
		FrameworkID: f.id, FrameworkName: f.info.Name, FrameworkUser: f.info.User, Task: info}}
}

func shutdownEvent(frameworkID string) agentapi.Event {
	return agentapi.Event{Type: agentapi.EventShutdown, Shutdown: &agentapi.Shutdown{FrameworkID: frameworkID}}
}

// kill asks the task's agent to kill it. An unknown task is answered like
// Mesos does: TASK_LOST, or TASK_UNKNOWN for partition-aware frameworks.
func (m *Master) kill(f *framework, k *scheduler.Call_Kill) {
	t := f.tasks[k.TaskID.Value]
	if t == nil {
		m.unknownTask(f, k.TaskID, k.AgentID)
		return
	}
	a := m.agents[t.AgentID]
	if a == nil || a.conn == nil {
		// The agent is away: the kill is resent when it re-registers if
		// the framework asks again; Mesos does the same.
		m.log.Info("kill for a task on a disconnected agent", "framework", f.id, "task", t.id())
		return
	}
	ev := agentapi.Kill{FrameworkID: f.id, TaskID: t.id(), PartitionAware: f.partitionAware()}
	if k.KillPolicy != nil && k.KillPolicy.GracePeriod != nil {
		ns := k.KillPolicy.GracePeriod.Nanoseconds
		ev.GraceNanos = &ns
	}
	a.conn.send(agentapi.Event{Type: agentapi.EventKill, Kill: &ev})
}

func (m *Master) unknownTask(f *framework, id mesos.TaskID, agentID *mesos.AgentID) {
	state := mesos.TASK_LOST
	if f.partitionAware() {
		state = mesos.TASK_UNKNOWN
	}
	t := &task{TaskRecord: TaskRecord{FrameworkID: f.id, Info: mesos.TaskInfo{TaskID: id}}}
	if agentID != nil {
		t.AgentID = agentID.Value
	}
	m.event(f, updateEvent(m.masterStatus(t, state, mesos.REASON_RECONCILIATION, "Reconciliation: Task is unknown")))
}

// acknowledge passes a framework's acknowledgement to the agent, which
// stops resending that update. A terminal task whose last update is
// acknowledged leaves the active set.
func (m *Master) acknowledge(f *framework, ack *scheduler.Call_Acknowledge) error {
	if _, err := uuid.FromBytes(ack.UUID); err != nil {
		return badRequest("Failed to validate scheduler::Call: 'uuid' is not a valid UUID: %v", err)
	}
	t := f.tasks[ack.TaskID.Value]
	if t == nil {
		return nil // already acknowledged and removed: a duplicate acknowledgement
	}
	if a := m.agents[ack.AgentID.Value]; a != nil && a.conn != nil {
		a.conn.send(agentapi.Event{Type: agentapi.EventAcknowledge, Acknowledge: &agentapi.Acknowledge{
			FrameworkID: f.id, TaskID: t.id(), UUID: ack.UUID}})
	}
	last := t.Statuses[len(t.Statuses)-1]
	if !bytes.Equal(last.UUID, ack.UUID) {
		return nil // an older update; the latest one still waits
	}
	t.acked = true
	if isTerminal(t.state()) {
		m.retireTask(f, t)
	}
	return nil
}

// retireTask moves a terminal, acknowledged task to the completed list.
func (m *Master) retireTask(f *framework, t *task) {
	delete(f.tasks, t.id())
	if a := m.agents[t.AgentID]; a != nil {
		delete(a.tasks, t.key())
	}
	m.addCompleted(t)
	m.persist(RemoveTask{FrameworkID: f.id, TaskID: t.id()})
}

func (m *Master) reconciled(t *task) mesos.TaskStatus {
	st := t.Statuses[len(t.Statuses)-1]
	st.UUID = nil
	src, reason := mesos.SOURCE_MASTER, mesos.REASON_RECONCILIATION
	st.Source, st.Reason = &src, &reason
	now := float64(m.cfg.Clock.Now().UnixNano()) / 1e9
	st.Timestamp = &now
	return st
}

// statusUpdate takes an update from an agent: the task's state moves on,
// the update is forwarded to the framework, which must acknowledge it,
// and persisted shortly after (persistReportedStatuses). Resources of a task that reached a terminal state go back
// to the pool at once, as in Mesos.
func (m *Master) statusUpdate(a *agent, frameworkID string, st mesos.TaskStatus) {
	f := m.frameworks[frameworkID]
	key := frameworkID + "/" + st.TaskID.Value
	t := a.tasks[key]
	adopted := false
	if t == nil {
		if f != nil {
			t = f.tasks[st.TaskID.Value]
		}
		if t == nil {
			// A task the master never knew (launched under a previous
			// registry that was lost): adopt it so it can be reconciled.
			adopted = true
			t = &task{TaskRecord: TaskRecord{FrameworkID: frameworkID, AgentID: a.ID, Info: mesos.TaskInfo{TaskID: st.TaskID, AgentID: mesos.AgentID{Value: a.ID}}}}
			if f != nil {
				f.tasks[t.id()] = t
			}
			a.tasks[key] = t
		}
	}
	st.AgentID = &mesos.AgentID{Value: a.ID}
	if n := len(t.Statuses); n > 0 && bytes.Equal(t.Statuses[n-1].UUID, st.UUID) && len(st.UUID) > 0 {
		// A retry of the update the framework has not acknowledged yet.
		if f != nil {
			m.event(f, updateEvent(st))
		}
		return
	}
	wasTerminal := isTerminal(t.state())
	t.Statuses = appendStatus(t.Statuses, st)
	t.acked = false
	if adopted {
		m.persist(PutTask{Task: t.TaskRecord})
	} else {
		m.persistReportedStatuses(t)
	}
	m.publishTaskUpdated(t, st)
	m.metrics.statusUpdates[st.GetState()]++
	if isTerminal(st.GetState()) && !wasTerminal {
		m.signalAllocation()
	}
	if f != nil {
		m.event(f, updateEvent(st))
	}
}

// statusesKept bounds the statuses kept per task; the first (STAGING) and
// the latest ones are what readers use.
const statusesKept = 16

func appendStatus(list []mesos.TaskStatus, st mesos.TaskStatus) []mesos.TaskStatus {
	list = append(list, st)
	if len(list) > statusesKept {
		list = append(list[:1], list[len(list)-statusesKept+1:]...)
	}
	return list
}
