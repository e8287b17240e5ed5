package master

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/mesos/mesos-go/api/v1/lib/recordio"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// serveAgentSubscribe is the agent's registration: the response is a
// RecordIO stream of JSON agentapi.Events with a PING every ping interval.
// The stream ending (either side) starts the agent's timeout.
func (m *Master) serveAgentSubscribe(w http.ResponseWriter, r *http.Request) {
	var sub agentapi.Subscribe
	if err := decodeJSONBody(r.Body, &sub); err != nil {
		httpError(w, http.StatusBadRequest, "Failed to parse agent subscription: "+err.Error())
		return
	}
	events, done, id, err := m.RegisterAgent(sub)
	if err != nil {
		callError(w, err)
		return
	}
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	rw := recordio.NewWriter(w)
	write := func(e agentapi.Event) error {
		b, err := json.Marshal(e)
		if err == nil {
			err = rw.WriteFrame(b)
		}
		if err == nil && flusher != nil {
			flusher.Flush()
		}
		return err
	}
	ping := time.NewTicker(m.cfg.AgentPingInterval)
	defer ping.Stop()
	for {
		select {
		case e := <-events:
			if write(e) != nil {
				m.AgentDisconnected(id, done)
				return
			}
		case <-ping.C:
			if write(agentapi.Event{Type: agentapi.EventPing}) != nil {
				m.AgentDisconnected(id, done)
				return
			}
		case <-done:
			return
		case <-r.Context().Done():
			m.AgentDisconnected(id, done)
			return
		}
	}
}

// serveAgentUpdate takes one status update; 202 means the master has it
// persisted and forwarded, not that the framework acknowledged it.
func (m *Master) serveAgentUpdate(w http.ResponseWriter, r *http.Request) {
	var u agentapi.Update
	if err := decodeJSONBody(r.Body, &u); err != nil {
		httpError(w, http.StatusBadRequest, "Failed to parse status update: "+err.Error())
		return
	}
	if err := m.AgentUpdate(u); err != nil {
		callError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// serveAgentUpdates takes a round of status updates (agentapi.Updates);
// 202 means all of them are persisted and forwarded. Otherwise the valid
// ones are, and the answer is the first refusal; the agent resends what
// is not acknowledged either way.
func (m *Master) serveAgentUpdates(w http.ResponseWriter, r *http.Request) {
	var us agentapi.Updates
	if err := decodeJSONBody(r.Body, &us); err != nil {
		httpError(w, http.StatusBadRequest, "Failed to parse status updates: "+err.Error())
		return
	}
	if err := m.AgentUpdates(us.Updates); err != nil {
		callError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
