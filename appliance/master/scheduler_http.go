package master

import (
	"errors"
	"net/http"
	"time"

	"github.com/mesos/mesos-go/api/v1/lib/recordio"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/v1http"
)

const streamIDHeader = "Mesos-Stream-Id"

// streamFlushGrace bounds the last writes of an ended scheduler stream.
const streamFlushGrace = 5 * time.Second

// maxCallBytes bounds a call body; Mesos has no fixed limit, but a
// scheduler call is small and this keeps a bad client from exhausting memory.
const maxCallBytes = 16 << 20

// serveScheduler is POST /api/v1/scheduler (and /master/api/v1/scheduler),
// the Mesos v1 scheduler HTTP API.
func (m *Master) serveScheduler(w http.ResponseWriter, r *http.Request) {
	in, out, streaming, body, ok := readCall(w, r)
	if !ok {
		return
	}
	var call scheduler.Call
	if err := in.Decode(body, &call); err != nil {
		what := "JSON"
		if in.Media == mediaProtobuf {
			what = "protobuf"
		}
		httpError(w, http.StatusBadRequest, "Failed to parse body into Call "+what+": "+err.Error())
		return
	}
	if call.Type == scheduler.Call_SUBSCRIBE {
		if r.Header.Get(streamIDHeader) != "" {
			httpError(w, http.StatusBadRequest, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
			return
		}
		m.serveSubscription(w, r, &call, out, streaming)
		return
	}
	streamID := r.Header.Get(streamIDHeader)
	if streamID == "" && call.Type != scheduler.Call_UNKNOWN {
		httpError(w, http.StatusBadRequest, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
		return
	}
	if err := m.Call(streamID, &call); err != nil {
		callError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// serveSubscription streams a framework's events as RecordIO, with a
// HEARTBEAT every heartbeat interval, until either side ends it.
func (m *Master) serveSubscription(w http.ResponseWriter, r *http.Request, call *scheduler.Call, out codec, streaming bool) {
	if call.Subscribe == nil {
		httpError(w, http.StatusBadRequest, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present")
		return
	}
	if call.FrameworkID != nil && call.Subscribe.FrameworkInfo != nil && call.Subscribe.FrameworkInfo.ID != nil &&
		call.FrameworkID.Value != call.Subscribe.FrameworkInfo.ID.Value {
		httpError(w, http.StatusBadRequest, "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'")
		return
	}
	s, err := m.Subscribe(call.Subscribe)
	if err != nil {
		callError(w, err)
		return
	}
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	if streaming {
		h.Set("Content-Type", mediaRecordIO)
		h.Set("Message-Content-Type", out.Media)
	} else {
		h.Set("Content-Type", out.Media)
	}
	h.Set(streamIDHeader, s.ID)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	// Once the master ends the stream (a framework that stopped reading,
	// failover, teardown), what is queued gets streamFlushGrace to reach
	// the framework; a client that does not read cannot hold the handler.
	defer CutOffWhenDone(w, s.Done(), streamFlushGrace)()
	rw := recordio.NewWriter(w)
	write := func(e *scheduler.Event) error {
		b, err := out.Encode(e)
		if err == nil {
			err = rw.WriteFrame(b)
		}
		if err == nil && flusher != nil {
			flusher.Flush()
		}
		return err
	}
	hb := time.NewTicker(m.cfg.HeartbeatInterval)
	defer hb.Stop()
	for {
		select {
		case e := <-s.Events():
			if err := write(e); err != nil {
				m.Disconnected(s)
				return
			}
		case <-hb.C:
			if err := write(&scheduler.Event{Type: scheduler.Event_HEARTBEAT}); err != nil {
				m.Disconnected(s)
				return
			}
		case <-s.Done():
			// Replaced by a new subscription, torn down, or the master
			// stopped: flush what is queued, then end the stream.
			for {
				select {
				case e := <-s.Events():
					if write(e) != nil {
						return
					}
				default:
					return
				}
			}
		case <-r.Context().Done():
			m.Disconnected(s)
			return
		}
	}
}

func callError(w http.ResponseWriter, err error) {
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		httpError(w, ce.Code, ce.Message)
	case errors.Is(err, ErrNotRunning):
		httpError(w, http.StatusServiceUnavailable, "Master is not the leader or is still recovering")
	default:
		httpError(w, http.StatusInternalServerError, err.Error())
	}
}

// httpError answers with Mesos' plain-text reason.
func httpError(w http.ResponseWriter, code int, msg string) { v1http.Error(w, code, msg) }
