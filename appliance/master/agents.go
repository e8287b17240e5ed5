package master

import (
	"fmt"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// agentBuffer is how many events may wait for an agent that is slow to read.
const agentBuffer = 1024

// RegisterAgent registers or re-registers an agent and returns the channel
// of events for it, starting with SUBSCRIBED. The tasks the agent reports
// replace what the master knew of that agent's tasks; tasks the master
// thought were there and are not become TASK_LOST (or TASK_GONE for
// partition-aware frameworks), as after a Mesos agent re-registration.
func (m *Master) RegisterAgent(sub agentapi.Subscribe) (<-chan agentapi.Event, <-chan struct{}, string, error) {
	res, err := resourcesFromProto(sub.Resources)
	if err != nil {
		return nil, nil, "", badRequest("Invalid agent resources: %v", err)
	}
	if sub.Hostname == "" || sub.Address == "" {
		return nil, nil, "", badRequest("Agent registration needs a hostname and an address")
	}
	defer m.syncRegistry() // after the unlock: the answer means durable
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		return nil, nil, "", ErrNotRunning
	}
	now := m.cfg.Clock.Now()
	a := m.agents[sub.AgentID]
	if a == nil {
		id := sub.AgentID
		if id == "" {
			id = m.nextID("S")
		}
		a = &agent{AgentRecord: AgentRecord{ID: id, RegisteredAt: now}, tasks: map[string]*task{}}
		m.agents[id] = a
		defer m.publishAgentAdded(a)
		m.log.Info("agent registered", "agent", id, "hostname", sub.Hostname)
	} else {
		a.reregisteredAt = now
		if a.conn != nil {
			close(a.conn.done)
		}
		m.log.Info("agent re-registered", "agent", a.ID, "hostname", sub.Hostname)
	}
	if a.timeout != nil {
		a.timeout.Stop()
		a.timeout = nil
	}
	a.Hostname, a.Address, a.Resources, a.Attributes, a.Version = sub.Hostname, sub.Address, sub.Resources, sub.Attributes, sub.Version
	a.total = res
	a.unreachable = false
	m.persist(PutAgent{Agent: a.AgentRecord})
	m.reconcileAgentTasks(a, sub.Tasks)
	conn := &agentConn{events: make(chan agentapi.Event, agentBuffer), done: make(chan struct{})}
	a.conn = conn
	conn.send(agentapi.Event{Type: agentapi.EventSubscribed, Subscribed: &agentapi.Subscribed{
		AgentID: a.ID, PingIntervalSeconds: m.cfg.AgentPingInterval.Seconds(), MasterID: m.id}})
	m.signalAllocation()
	return conn.events, conn.done, a.ID, nil
}

func (m *Master) reconcileAgentTasks(a *agent, reported []agentapi.Task) {
	seen := map[string]bool{}
	for _, rt := range reported {
		key := rt.FrameworkID + "/" + rt.Info.TaskID.Value
		seen[key] = true
		t := a.tasks[key]
		if t == nil {
			t = m.newTask(TaskRecord{FrameworkID: rt.FrameworkID, AgentID: a.ID, Info: rt.Info, Statuses: []mesos.TaskStatus{rt.Status}})
			a.tasks[key] = t
			if f := m.frameworks[rt.FrameworkID]; f != nil {
				f.tasks[t.id()] = t
			}
			m.persist(PutTask{Task: t.TaskRecord})
			continue
		}
		if last := t.Statuses[len(t.Statuses)-1]; last.GetState() != rt.Status.GetState() {
			m.statusUpdate(a, rt.FrameworkID, rt.Status)
		}
	}
	for key, t := range a.tasks {
		if seen[key] || isTerminal(t.state()) {
			continue
		}
		f := m.frameworks[t.FrameworkID]
		state := mesos.TASK_LOST
		if f != nil && f.partitionAware() {
			state = mesos.TASK_GONE
		}
		st := m.masterStatus(t, state, mesos.REASON_AGENT_RESTARTED, "Task was not found on the agent when it re-registered")
		m.masterUpdate(f, t, st)
	}
}

// masterUpdate applies a status the master generated to a task it tracks.
func (m *Master) masterUpdate(f *framework, t *task, st mesos.TaskStatus) {
	t.Statuses = appendStatus(t.Statuses, st)
	m.persistStatuses(t)
	m.publishTaskUpdated(t, st)
	if f != nil {
		m.event(f, updateEvent(st))
		if isTerminal(st.GetState()) {
			m.retireTask(f, t)
		}
	}
	m.signalAllocation()
}

// AgentDisconnected is called when an agent's event stream ends. Its offers
// are rescinded; if it does not come back within AgentTimeout it becomes
// unreachable and its tasks are reported TASK_UNREACHABLE (partition-aware
// frameworks) or TASK_LOST.
func (m *Master) AgentDisconnected(id string, done <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.agents[id]
	if a == nil || a.conn == nil || a.conn.done != done {
		return
	}
	close(a.conn.done)
	a.conn = nil
	m.log.Info("agent disconnected", "agent", id)
	for _, o := range m.offers {
		if o.agentID == id {
			m.rescind(o)
		}
	}
	m.armAgentTimeout(a)
}

func (m *Master) armAgentTimeout(a *agent) {
	if a.timeout != nil {
		a.timeout.Stop()
	}
	id := a.ID
	a.timeout = m.cfg.Clock.AfterFunc(m.cfg.AgentTimeout, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if b := m.agents[id]; b == a && a.conn == nil && m.running {
			m.markUnreachable(a)
		}
	})
}

func (m *Master) markUnreachable(a *agent) {
	a.unreachable = true
	a.unreachableAt = m.cfg.Clock.Now()
	m.log.Warn("agent unreachable", "agent", a.ID, "hostname", a.Hostname)
	m.publishAgentRemoved(a.ID)
	for _, t := range a.tasks {
		if isTerminal(t.state()) {
			continue
		}
		f := m.frameworks[t.FrameworkID]
		state := mesos.TASK_LOST
		if f != nil && f.partitionAware() {
			state = mesos.TASK_UNREACHABLE
		}
		st := m.masterStatus(t, state, mesos.REASON_AGENT_REMOVED, fmt.Sprintf("Agent %s is unreachable", a.Hostname))
		if state == mesos.TASK_UNREACHABLE {
			ts := mesos.TimeInfo{Nanoseconds: a.unreachableAt.UnixNano()}
			st.UnreachableTime = &ts
			t.Statuses = appendStatus(t.Statuses, st)
			m.persistStatuses(t)
			m.event(f, updateEvent(st))
			continue
		}
		m.masterUpdate(f, t, st)
	}
}

// AgentUpdate takes a status update from an agent.
func (m *Master) AgentUpdate(u agentapi.Update) error { return m.AgentUpdates([]agentapi.Update{u}) }

// AgentUpdates takes status updates from an agent, each as AgentUpdate
// would, and waits for the registry once for all of them (for tasks it
// adopted; the statuses themselves are written a little later). Every valid
// update is taken; the error is the first update's that was not.
func (m *Master) AgentUpdates(us []agentapi.Update) error {
	defer m.syncRegistry() // after the unlock: the answer means durable
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		return ErrNotRunning
	}
	var first error
	refuse := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, u := range us {
		a := m.agents[u.AgentID]
		switch {
		case a == nil:
			refuse(&CallError{Code: 403, Message: "Agent " + u.AgentID + " is not registered"})
		case u.Status.TaskID.Value == "" || u.Status.State == nil:
			refuse(badRequest("Status update needs a task id and a state"))
		default:
			m.statusUpdate(a, u.FrameworkID, u.Status)
		}
	}
	return first
}
