package marathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/services/app"
)

// Event types of Marathon 1.10's event stream (core/event/Events.scala).
const (
	eventAPIPost               = "api_post_event"
	eventStatusUpdate          = "status_update_event"
	eventInstanceChanged       = "instance_changed_event"
	eventSchedulerRegistered   = "scheduler_registered_event"
	eventStreamAttached        = "event_stream_attached"
	eventStreamDetached        = "event_stream_detached"
	eventHealthStatusChanged   = "health_status_changed_event"
	eventInstanceHealthChanged = "instance_health_changed_event"
	eventFailedHealthCheck     = "failed_health_check_event"
	eventUnhealthyKill         = "unhealthy_instance_kill_event"
	eventDeploymentInfo        = "deployment_info"
	eventDeploymentSuccess     = "deployment_success"
	eventDeploymentFailed      = "deployment_failed"
	eventDeploymentStepSuccess = "deployment_step_success"
	eventGroupChangeSuccess    = "group_change_success"
	eventAppTerminated         = "app_terminated_event"
)

// subscriberBuffer is how many events may wait for a slow SSE client
// before it is dropped, as Marathon drops slow consumers.
const subscriberBuffer = 1024

// maxSubscribers bounds the SSE clients of one node: each holds a
// connection, a goroutine and up to subscriberBuffer events.
const maxSubscribers = 1000

type event struct {
	typ  string
	data []byte
}

type subscriber struct {
	ch      chan event
	filter  map[string]bool // empty: every type
	dropped chan struct{}
	slow    chan struct{} // closed, before dropped, when it could not keep up
	once    sync.Once
}

func (sub *subscriber) drop() { sub.once.Do(func() { close(sub.dropped) }) }

// bus fans events out to the SSE subscribers of this node.
type bus struct {
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	max     int    // subscribers at most
	dropped uint64 // subscribers dropped for not keeping up
}

func newBus() *bus { return &bus{subs: map[*subscriber]struct{}{}, max: maxSubscribers} }

// subscribe adds a subscriber; nil when the node has max already.
func (b *bus) subscribe(filter map[string]bool) *subscriber {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.subs) >= b.max {
		return nil
	}
	sub := &subscriber{ch: make(chan event, subscriberBuffer), filter: filter, dropped: make(chan struct{}), slow: make(chan struct{})}
	b.subs[sub] = struct{}{}
	return sub
}

func (b *bus) limit() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.max
}

func (b *bus) unsubscribe(sub *subscriber) {
	b.mu.Lock()
	delete(b.subs, sub)
	b.mu.Unlock()
}

func (b *bus) publish(e event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.subs {
		if len(sub.filter) > 0 && !sub.filter[e.typ] {
			continue
		}
		select {
		case sub.ch <- e:
		default:
			delete(b.subs, sub)
			b.dropped++
			close(sub.slow)
			sub.drop()
		}
	}
}

func (b *bus) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// closeAll ends every stream (leadership lost: clients reconnect to the
// new leader).
func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.subs {
		delete(b.subs, sub)
		sub.drop()
	}
}

// publish sends an event; every payload carries eventType and timestamp.
func (s *Service) publish(typ string, payload map[string]any) {
	payload["eventType"] = typ
	payload["timestamp"] = app.FormatTimestamp(s.cfg.Clock.Now())
	data, err := marshal(payload)
	if err != nil {
		s.log.Error("encode event", "type", typ, "error", err)
		return
	}
	s.metrics.events.Inc()
	s.events.publish(event{typ: typ, data: data})
}

// publishStatus sends status_update_event and instance_changed_event for a
// task's new state.
func (s *Service) publishStatus(t *Task, st mesos.TaskStatus) {
	s.publish(eventStatusUpdate, map[string]any{
		"slaveId": t.AgentID, "taskId": t.ID, "taskStatus": t.State, "message": st.GetMessage(),
		"appId": t.AppID, "host": t.Host, "ipAddresses": ipAddresses(t), "ports": nonNilPorts(t.Ports),
		"version": app.FormatTimestamp(t.Version),
	})
	s.publishInstanceChanged(t)
}

func (s *Service) publishInstanceChanged(t *Task) {
	s.publish(eventInstanceChanged, map[string]any{
		"instanceId": instanceID(t.ID), "condition": condition(t.State), "runSpecId": t.AppID,
		"agentId": t.AgentID, "host": t.Host, "runSpecVersion": app.FormatTimestamp(t.Version),
	})
}

func (s *Service) publishHealth(t *Task, alive bool) {
	s.publish(eventHealthStatusChanged, map[string]any{
		"appId": t.AppID, "instanceId": instanceID(t.ID), "taskId": t.ID,
		"version": app.FormatTimestamp(t.Version), "alive": alive,
	})
}

// condition is Marathon's instance condition for a Mesos state
// ("TASK_RUNNING" → "Running").
func condition(state string) string {
	switch state {
	case stateStaging:
		return "Staging"
	case stateStarting:
		return "Starting"
	case stateRunning:
		return "Running"
	case stateKilling:
		return "Killing"
	case "TASK_FINISHED":
		return "Finished"
	case "TASK_FAILED":
		return "Failed"
	case "TASK_KILLED":
		return "Killed"
	case "TASK_ERROR":
		return "Error"
	case "TASK_DROPPED":
		return "Dropped"
	case "TASK_GONE":
		return "Gone"
	case "TASK_UNKNOWN":
		return "Unknown"
	}
	return "Unreachable"
}

// handleEvents serves GET /v2/events: server-sent events, filtered by
// repeated event_type parameters, with keep-alive comments. The first
// event is event_stream_attached, as in Marathon.
func (s *Service) handleEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeMessage(w, http.StatusInternalServerError, "Streaming is not supported")
		return
	}
	filter := map[string]bool{}
	for _, t := range r.URL.Query()["event_type"] {
		filter[t] = true
	}
	sub := s.events.subscribe(filter)
	if sub == nil {
		writeMessage(w, http.StatusTooManyRequests, fmt.Sprintf("Too many event stream subscribers on this node (at most %d); try again later", s.events.limit()))
		return
	}
	defer s.events.unsubscribe(sub)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	// A client dropped for not reading must not keep its handler and
	// connection: its blocked write fails at once. Streams ended for
	// everyone (leadership lost) end cleanly.
	defer master.CutOffWhenDone(w, sub.slow, 0)()
	s.publish(eventStreamAttached, map[string]any{"remoteAddress": r.RemoteAddr})
	defer s.publish(eventStreamDetached, map[string]any{"remoteAddress": r.RemoteAddr})
	keepAlive := time.NewTicker(s.cfg.KeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.dropped:
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ":\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case e := <-sub.ch:
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.typ, e.data); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }
