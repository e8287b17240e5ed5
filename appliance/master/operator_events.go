package master

import (
	"fmt"
	"net/http"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	mmaster "github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/recordio"
)

// maxOperatorSubscribers is Mesos' --max_operator_event_stream_subscribers
// (default 1000): each stream holds a connection, a goroutine and up to
// streamBuffer events. A variable so that tests can lower it.
var maxOperatorSubscribers = 1000

// opSub is one operator API SUBSCRIBE stream (what the Mesos UI and
// dashboards use to follow the cluster without polling).
type opSub struct {
	events chan *mmaster.Event
	done   chan struct{}
	slow   chan struct{} // closed, before done, when it could not keep up
}

// publish sends an operator event to every subscriber; a subscriber that
// cannot keep up is dropped and must re-subscribe. Callers hold mu.
func (m *Master) publish(e *mmaster.Event) {
	for s := range m.opSubs {
		select {
		case s.events <- e:
		default:
			delete(m.opSubs, s)
			close(s.slow)
			close(s.done)
		}
	}
}

func (m *Master) publishTaskAdded(t *task) {
	m.publish(&mmaster.Event{Type: mmaster.Event_TASK_ADDED, TaskAdded: &mmaster.Event_TaskAdded{Task: taskProto(t)}})
}

func (m *Master) publishTaskUpdated(t *task, st mesos.TaskStatus) {
	state := t.state()
	m.publish(&mmaster.Event{Type: mmaster.Event_TASK_UPDATED, TaskUpdated: &mmaster.Event_TaskUpdated{
		FrameworkID: mesos.FrameworkID{Value: t.FrameworkID}, Status: st, State: &state}})
}

func (m *Master) publishAgentAdded(a *agent) {
	agents := m.opAgents().Agents
	for _, x := range agents {
		if x.AgentInfo.ID.Value == a.ID {
			m.publish(&mmaster.Event{Type: mmaster.Event_AGENT_ADDED, AgentAdded: &mmaster.Event_AgentAdded{Agent: x}})
		}
	}
}

func (m *Master) publishAgentRemoved(id string) {
	m.publish(&mmaster.Event{Type: mmaster.Event_AGENT_REMOVED, AgentRemoved: &mmaster.Event_AgentRemoved{AgentID: mesos.AgentID{Value: id}}})
}

func (m *Master) publishFramework(f *framework, added bool) {
	if added {
		m.publish(&mmaster.Event{Type: mmaster.Event_FRAMEWORK_ADDED, FrameworkAdded: &mmaster.Event_FrameworkAdded{Framework: m.opFramework(f)}})
		return
	}
	m.publish(&mmaster.Event{Type: mmaster.Event_FRAMEWORK_UPDATED, FrameworkUpdated: &mmaster.Event_FrameworkUpdated{Framework: m.opFramework(f)}})
}

func (m *Master) publishFrameworkRemoved(f *framework) {
	m.publish(&mmaster.Event{Type: mmaster.Event_FRAMEWORK_REMOVED, FrameworkRemoved: &mmaster.Event_FrameworkRemoved{FrameworkInfo: f.info}})
}

// serveOperatorSubscribe streams operator events as RecordIO, starting
// with SUBSCRIBED carrying the full state, then HEARTBEATs and changes.
func (m *Master) serveOperatorSubscribe(w http.ResponseWriter, r *http.Request, out codec, streaming bool) {
	m.mu.Lock()
	if len(m.opSubs) >= maxOperatorSubscribers {
		m.mu.Unlock()
		httpError(w, http.StatusTooManyRequests, fmt.Sprintf("Operator event stream subscriber limit (%d) reached", maxOperatorSubscribers))
		return
	}
	sub := &opSub{events: make(chan *mmaster.Event, streamBuffer), done: make(chan struct{}), slow: make(chan struct{})}
	hb := m.cfg.HeartbeatInterval.Seconds()
	first := &mmaster.Event{Type: mmaster.Event_SUBSCRIBED, Subscribed: &mmaster.Event_Subscribed{GetState: m.opState(), HeartbeatIntervalSeconds: &hb}}
	if m.opSubs == nil {
		m.opSubs = map[*opSub]struct{}{}
	}
	m.opSubs[sub] = struct{}{}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if _, ok := m.opSubs[sub]; ok {
			delete(m.opSubs, sub)
			close(sub.done)
		}
		m.mu.Unlock()
	}()
	if streaming {
		w.Header().Set("Content-Type", mediaRecordIO)
		w.Header().Set("Message-Content-Type", out.Media)
	} else {
		w.Header().Set("Content-Type", out.Media)
	}
	w.WriteHeader(http.StatusOK)
	// A subscriber dropped for not reading must not keep its handler and
	// connection: its blocked write fails at once. Streams ended for
	// everyone (the master stopping) end cleanly.
	defer CutOffWhenDone(w, sub.slow, 0)()
	flusher, _ := w.(http.Flusher)
	rw := recordio.NewWriter(w)
	write := func(e *mmaster.Event) bool {
		b, err := out.Encode(e)
		if err == nil {
			err = rw.WriteFrame(b)
		}
		if err == nil && flusher != nil {
			flusher.Flush()
		}
		return err == nil
	}
	if !write(first) {
		return
	}
	tick := time.NewTicker(m.cfg.HeartbeatInterval)
	defer tick.Stop()
	for {
		select {
		case e := <-sub.events:
			if !write(e) {
				return
			}
		case <-tick.C:
			if !write(&mmaster.Event{Type: mmaster.Event_HEARTBEAT}) {
				return
			}
		case <-sub.done:
			return
		case <-r.Context().Done():
			return
		}
	}
}
