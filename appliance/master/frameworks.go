package master

import (
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
)

// streamBuffer is how many events may wait for a slow framework before the
// master gives up on its connection; the framework then re-subscribes.
const streamBuffer = 4096

// Subscribe registers a framework, or re-registers one that presents its
// id, and returns its event stream whose first event is SUBSCRIBED. The
// previous stream of the same framework, if any, ends: one framework has
// one connection.
func (m *Master) Subscribe(call *scheduler.Call_Subscribe) (*Stream, error) {
	if call == nil || call.FrameworkInfo == nil {
		return nil, &CallError{Code: 400, Message: "Failed to validate scheduler::Call: Expecting 'subscribe' to be present"}
	}
	info := *call.FrameworkInfo
	if err := validateFrameworkInfo(&info); err != nil {
		return nil, err
	}
	defer m.syncRegistry() // after the unlock: the answer means durable
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		return nil, ErrNotRunning
	}
	now := m.cfg.Clock.Now()
	var f *framework
	if info.ID != nil && info.ID.Value != "" {
		f = m.frameworks[info.ID.Value]
		if f == nil && m.isCompletedFramework(info.ID.Value) {
			return nil, &CallError{Code: 403, Message: "Framework has been removed"}
		}
	}
	if f == nil {
		if info.ID == nil || info.ID.Value == "" {
			m.seq++
			info.ID = &mesos.FrameworkID{Value: m.id + "-" + pad4(m.seq)}
		}
		f = &framework{id: info.ID.Value, registeredAt: now, suppressed: map[string]bool{},
			tasks: map[string]*task{}, offers: map[string]*offer{}}
		m.frameworks[f.id] = f
		m.log.Info("framework registered", "framework", f.id, "name", info.Name)
	} else {
		f.reregisteredAt = now
		m.closeStream(f)
		m.log.Info("framework re-subscribed", "framework", f.id, "name", info.Name)
	}
	if f.failover != nil {
		f.failover.Stop()
		f.failover = nil
	}
	f.info = info
	f.suppressed = map[string]bool{}
	for _, r := range call.SuppressedRoles {
		f.suppressed[r] = true
	}
	m.persist(PutFramework{Framework: FrameworkRecord{Info: f.info, RegisteredAt: f.registeredAt}})
	m.publishFramework(f, f.reregisteredAt.IsZero())
	s := &Stream{ID: uuid.NewString(), FrameworkID: f.id, events: make(chan *scheduler.Event, streamBuffer), done: make(chan struct{})}
	f.stream = s
	hb := m.cfg.HeartbeatInterval.Seconds()
	s.send(&scheduler.Event{Type: scheduler.Event_SUBSCRIBED, Subscribed: &scheduler.Event_Subscribed{
		FrameworkID: info.ID, HeartbeatIntervalSeconds: &hb, MasterInfo: m.masterInfo(),
	}})
	m.signalAllocation()
	return s, nil
}

func pad4(n uint64) string {
	s := []byte("0000")
	for i := 3; i >= 0 && n > 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

func validateFrameworkInfo(info *mesos.FrameworkInfo) error {
	if info.Name == "" {
		// Mesos accepts an empty name, but every UI and script relies on
		// one; refuse early with Mesos' own wording style.
		return &CallError{Code: 400, Message: "Failed to validate scheduler::Call: Expecting 'framework_info.name' to be present"}
	}
	if info.FailoverTimeout != nil && *info.FailoverTimeout < 0 {
		return &CallError{Code: 400, Message: "Failed to validate scheduler::Call: 'framework_info.failover_timeout' must be non-negative"}
	}
	roles := info.Roles
	if info.Role != nil {
		roles = append(roles, *info.Role)
	}
	for _, r := range roles {
		if err := validateRole(r); err != nil {
			return &CallError{Code: 400, Message: "Failed to validate scheduler::Call: " + err.Error()}
		}
	}
	return nil
}

func (m *Master) isCompletedFramework(id string) bool {
	for _, f := range m.completedFw {
		if f.id == id {
			return true
		}
	}
	return false
}

// Disconnected is called when a framework's stream ends on the framework's
// side (the HTTP connection dropped). Its offers are rescinded and its
// failover timeout starts; if it does not come back in time, its tasks are
// killed and it is removed.
func (m *Master) Disconnected(s *Stream) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.frameworks[s.FrameworkID]
	if f == nil || f.stream != s {
		return
	}
	m.closeStream(f)
	m.log.Info("framework disconnected", "framework", f.id)
	m.recoverOffers(f)
	m.armFailover(f)
}

func (m *Master) armFailover(f *framework) { m.armFailoverAtLeast(f, 0) }

func (m *Master) armFailoverAtLeast(f *framework, min time.Duration) {
	timeout := max(time.Duration(f.info.GetFailoverTimeout()*float64(time.Second)), min)
	if f.failover != nil {
		f.failover.Stop()
	}
	id := f.id
	f.failover = m.cfg.Clock.AfterFunc(timeout, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if g := m.frameworks[id]; g == f && !f.connected() && m.running {
			m.log.Info("framework failover timeout expired; removing it", "framework", id)
			m.removeFramework(f)
		}
	})
}

func (m *Master) closeStream(f *framework) {
	if f.stream != nil && !f.stream.closed {
		f.stream.closed = true
		close(f.stream.done)
	}
	f.stream = nil
	f.backlog, f.backlogged = nil, nil
}

// removeFramework tears a framework down: its tasks are killed on their
// agents, its offers rescinded, and it moves to the completed list.
func (m *Master) removeFramework(f *framework) {
	m.recoverOffers(f)
	for _, a := range m.agents {
		if a.conn != nil {
			a.conn.send(shutdownEvent(f.id))
		}
	}
	for _, t := range f.tasks {
		if a := m.agents[t.AgentID]; a != nil {
			delete(a.tasks, t.key())
		}
		if !isTerminal(t.state()) {
			t.Statuses = append(t.Statuses, m.masterStatus(t, mesos.TASK_KILLED, mesos.REASON_FRAMEWORK_REMOVED, "Framework "+f.id+" removed"))
		}
		m.addCompleted(t)
	}
	f.tasks = map[string]*task{}
	m.closeStream(f)
	if f.failover != nil {
		f.failover.Stop()
	}
	delete(m.frameworks, f.id)
	m.completedFw = append(m.completedFw, f)
	if len(m.completedFw) > 50 {
		m.completedFw = m.completedFw[1:]
	}
	m.dropFilters(func(fl filter) bool { return fl.frameworkID == f.id })
	m.persist(RemoveFramework{ID: f.id})
	m.publishFrameworkRemoved(f)
	m.signalAllocation()
}

// completedTasksKept bounds the completed-task history, like Mesos'
// --max_completed_tasks_per_framework.
const completedTasksKept = 1000

func (m *Master) addCompleted(t *task) {
	m.completed = append(m.completed, t)
	if len(m.completed) > completedTasksKept {
		m.completed = m.completed[len(m.completed)-completedTasksKept:]
	}
}

// event sends e to a framework if it is connected. A framework that cannot
// keep up loses its connection; it re-subscribes and reconciles.
func (m *Master) event(f *framework, e *scheduler.Event) {
	if f.stream == nil {
		return
	}
	if !f.stream.send(e) {
		m.log.Warn("framework is not reading its events; closing its stream", "framework", f.id)
		m.closeStream(f)
		m.recoverOffers(f)
		m.armFailover(f)
	}
}
