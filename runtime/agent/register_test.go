package agent

import (
	"sync/atomic"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// advanceUntil moves the fake clock in steps until cond holds: the agent's
// reconnect backoff runs on it.
func (h *harness) advanceUntil(what string, step time.Duration, cond func() bool) {
	h.t.Helper()
	waitFor(h.t, what, func() bool {
		if cond() {
			return true
		}
		h.clk.Advance(step)
		return false
	})
}

// TestRegistrationFollowsTheLeader covers the registration loop: a 307
// from a master that does not lead is followed; a closed stream, a silent
// stream (no PING for three intervals) and a leader change all lead to a
// re-registration under the same agent id, with the backoff on the clock.
func TestRegistrationFollowsTheLeader(t *testing.T) {
	h := newHarness(t)
	follower := newFakeMaster(t)
	follower.redirect = h.m.host()
	other := newFakeMaster(t)
	var leader atomic.Value
	leader.Store(follower.url())
	h.cfg.MasterURL = func() string { return leader.Load().(string) }
	h.start()

	waitFor(t, "registration through the redirect", func() bool { return len(h.m.subscriptions()) == 1 })
	waitFor(t, "agent id", func() bool { return h.a.ID() == "agent-1" })
	if len(follower.subscriptions()) != 0 {
		t.Fatal("the follower took the subscription")
	}

	// The stream ends: the agent comes back after its backoff.
	h.m.closeStream()
	h.advanceUntil("re-registration", 50*time.Millisecond, func() bool { return len(h.m.subscriptions()) == 2 })
	if id := h.m.subscriptions()[1].AgentID; id != "agent-1" {
		t.Fatalf("re-registered as %q", id)
	}

	// The stream goes silent: three ping intervals (45 s) later the agent
	// gives up on it. Any event (a PING, here followed by a launch whose
	// updates show that the PING was read) keeps it alive.
	waitFor(t, "connected", func() bool { return h.a.connected() })
	h.clk.Advance(40 * time.Second)
	h.m.setAutoAck(true)
	h.m.send(agentapi.Event{Type: agentapi.EventPing})
	h.m.launch(fw, shellTask("keepalive", "true"))
	h.m.waitState(t, "keepalive", mesos.TASK_FINISHED)
	waitFor(t, "keepalive completed", func() bool { return h.completed("keepalive") })
	h.clk.Advance(40 * time.Second)
	quiet(t, "reconnect while events flow", func() bool { return len(h.m.subscriptions()) != 2 })
	h.advanceUntil("re-registration after silence", time.Second, func() bool { return len(h.m.subscriptions()) == 3 })

	// Leader change, with a moment without a leader.
	leader.Store("")
	h.m.closeStream()
	h.advanceUntil("disconnected", 100*time.Millisecond, func() bool { return !h.a.connected() })
	h.clk.Advance(5 * time.Second)
	leader.Store(other.url())
	h.advanceUntil("registration with the new leader", 100*time.Millisecond, func() bool { return len(other.subscriptions()) == 1 })
	if id := other.subscriptions()[0].AgentID; id != "agent-1" {
		t.Fatalf("registered with the new leader as %q", id)
	}
	waitFor(t, "connected", func() bool { return h.a.connected() })

	// The new leader can launch.
	other.setAutoAck(true)
	other.launch(fw, shellTask("after-failover", "true"))
	other.waitState(t, "after-failover", mesos.TASK_FINISHED)
}

func (a *Agent) connected() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conn != nil
}
