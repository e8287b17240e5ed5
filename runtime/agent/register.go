package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// Registration timing. Reconnects back off from reconnectMin to
// reconnectMax: short, because after a leader change the agent should find
// the new leader within a couple of seconds. A stream that carries nothing
// (not even a PING) for missedPings ping intervals is presumed dead.
const (
	reconnectMin = 50 * time.Millisecond
	// leaderPoll paces attempts while no leader is known or the leader's
	// master is still starting (503): both end within milliseconds of a
	// node's start, and the agent's registration is the last step of it.
	leaderPoll          = 10 * time.Millisecond
	reconnectMax        = 2 * time.Second
	defaultPingInterval = 15 * time.Second
	missedPings         = 3
	// maxEventSize bounds one event; a LAUNCH carries a whole TaskInfo.
	maxEventSize = 16 << 20
)

// errMasterStarting marks a 503 from the master: elected, not serving yet.
var errMasterStarting = errors.New("the master is starting")

// registerLoop keeps the agent subscribed to the current leader.
func (a *Agent) registerLoop() {
	defer a.wg.Done()
	backoff := reconnectMin
	var lastErr string
	for first := true; ; first = false {
		if !first && !a.sleep(backoff) {
			return
		}
		if a.ctx.Err() != nil {
			return
		}
		base := strings.TrimRight(a.cfg.MasterURL(), "/")
		var err error
		subscribed := false
		if base == "" {
			err = errors.New("no leading master is known")
		} else {
			subscribed, err = a.session(base)
		}
		if a.ctx.Err() != nil {
			return
		}
		if subscribed {
			backoff = reconnectMin
			a.log.Warn("lost the connection to the master; re-registering", "master", base, "err", err)
			lastErr = ""
			continue
		}
		if base == "" || errors.Is(err, errMasterStarting) {
			// Asking the node for its leader is local and cheap, and a node
			// that just started elects one (and starts its master) within
			// tens of milliseconds, so poll instead of backing off.
			backoff = leaderPoll
		} else {
			backoff = min(2*backoff, reconnectMax)
		}
		// One line per kind of failure, not one per attempt.
		if msg := err.Error(); msg != lastErr {
			a.log.Warn("cannot register with the master; retrying", "master", base, "err", err)
			lastErr = msg
		}
	}
}

// session subscribes once and handles the event stream until it ends.
// subscribed reports whether the master accepted the registration.
func (a *Agent) session(base string) (subscribed bool, err error) {
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	body, err := json.Marshal(a.subscribeCall())
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+agentapi.SubscribePath, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	// The watchdog ends a stream that went silent: a master that crashed
	// or was partitioned away does not close the connection.
	interval := defaultPingInterval
	var silence clock.Timer
	arm := func() {
		if silence != nil {
			silence.Stop()
		}
		silence = a.clock.AfterFunc(missedPings*interval, cancel)
	}
	arm()
	defer func() { silence.Stop() }()

	// net/http follows a 307 from a master that is not the leader
	// ("Location: //leader:5050/..."), resending the body.
	resp, err := (&http.Client{Transport: a.cfg.Transport}).Do(req) // no timeout: the stream is long-lived
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		err := fmt.Errorf("master answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
		if resp.StatusCode == http.StatusServiceUnavailable {
			err = fmt.Errorf("%w: %w", errMasterStarting, err)
		}
		return false, err
	}
	master := resp.Request.URL.Scheme + "://" + resp.Request.URL.Host
	var conn *connection
	defer func() {
		if conn != nil {
			a.disconnected(conn)
		}
	}()
	frames := agentapi.NewFrameReader(resp.Body, maxEventSize)
	for {
		frame, err := frames.ReadFrame()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("the master closed the event stream")
			}
			if ctx.Err() != nil && a.ctx.Err() == nil {
				err = fmt.Errorf("no event from the master for %v", missedPings*interval)
			}
			return conn != nil, err
		}
		arm()
		var ev agentapi.Event
		if err := json.Unmarshal(frame, &ev); err != nil {
			return conn != nil, fmt.Errorf("bad event from the master: %v", err)
		}
		if conn == nil {
			if ev.Type != agentapi.EventSubscribed || ev.Subscribed == nil || ev.Subscribed.AgentID == "" {
				return false, fmt.Errorf("expected SUBSCRIBED as the first event, got %s", ev.Type)
			}
			if ev.Subscribed.PingIntervalSeconds > 0 {
				interval = time.Duration(ev.Subscribed.PingIntervalSeconds * float64(time.Second))
				arm()
			}
			if conn = a.subscribed(master, ev.Subscribed); conn == nil {
				return false, errors.New("agent is stopping")
			}
			continue
		}
		a.handle(ev)
	}
}

// subscribeCall describes the agent to the master, with every task it
// still has: running ones and those whose updates are not all
// acknowledged. A task's status is its head-of-line unacknowledged update
// if it has one, so that the master never learns a state ahead of the
// updates the framework sees in order; otherwise its latest status.
func (a *Agent) subscribeCall() agentapi.Subscribe {
	a.mu.Lock()
	defer a.mu.Unlock()
	sub := agentapi.Subscribe{
		AgentID:    a.agentID,
		Hostname:   a.hostname,
		Address:    a.cfg.Address,
		Resources:  resourcepb.ToProto(a.res, ""),
		Attributes: a.attrs,
		Version:    a.cfg.Version,
	}
	for _, t := range a.sortedTasksLocked() {
		st := t.rec.latest()
		if len(t.rec.Pending) > 0 {
			st = &t.rec.Pending[0]
		}
		if st == nil {
			continue
		}
		sub.Tasks = append(sub.Tasks, agentapi.Task{FrameworkID: t.rec.FrameworkID, Info: t.rec.Info, Status: *st})
	}
	return sub
}

// sortedTasksLocked lists the active tasks by framework and task id.
func (a *Agent) sortedTasksLocked() []*task {
	ts := make([]*task, 0, len(a.tasks))
	for _, t := range a.tasks {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(x, y *task) int {
		if c := strings.Compare(x.rec.FrameworkID, y.rec.FrameworkID); c != 0 {
			return c
		}
		return strings.Compare(x.id(), y.id())
	})
	return ts
}

// subscribed records a registration: the agent id (checkpointed, so that
// the agent re-registers as itself after a restart) and the master that
// accepted it, then resends every unacknowledged update.
func (a *Agent) subscribed(master string, s *agentapi.Subscribed) *connection {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return nil
	}
	again := a.agentID != ""
	if a.agentID != s.AgentID {
		if again {
			a.log.Warn("the master gave this agent a new id", "old", a.agentID, "new", s.AgentID)
		}
		a.agentID = s.AgentID
		if err := a.ckpt.saveAgentID(s.AgentID); err != nil {
			a.log.Error("cannot checkpoint the agent id", "err", err)
		}
	}
	conn := &connection{base: master}
	a.conn = conn
	a.sendq = nil
	if again {
		a.log.Info("re-registered with the master", "agent_id", a.agentID, "master", master,
			"master_id", s.MasterID, "tasks", len(a.tasks))
	} else {
		a.log.Info("registered with the master", "agent_id", a.agentID, "master", master, "master_id", s.MasterID)
	}
	a.flushLocked()
	return conn
}

func (a *Agent) disconnected(c *connection) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn == c {
		a.conn = nil
		a.sendq = nil
	}
}

// handle dispatches one event of the stream.
func (a *Agent) handle(ev agentapi.Event) {
	switch ev.Type {
	case agentapi.EventPing:
	case agentapi.EventLaunch:
		if ev.Launch != nil {
			a.launch(ev.Launch)
		}
	case agentapi.EventKill:
		if ev.Kill != nil {
			a.kill(ev.Kill)
		}
	case agentapi.EventAcknowledge:
		if ev.Acknowledge != nil {
			a.acknowledge(ev.Acknowledge)
		}
	case agentapi.EventShutdown:
		if ev.Shutdown != nil {
			a.shutdownFramework(ev.Shutdown.FrameworkID)
		}
	default:
		a.log.Warn("ignoring an unknown event from the master", "type", ev.Type)
	}
}
