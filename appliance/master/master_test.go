package master

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// nextOffer waits for the next offer to any of fws and says who got it.
func nextOffer(t *testing.T, fws ...*fakeFramework) (*fakeFramework, mesos.Offer) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		for _, f := range fws {
			select {
			case e := <-f.s.Events():
				if e.Type == scheduler.Event_OFFERS {
					return f, e.Offers.Offers[0]
				}
				if e.Type != scheduler.Event_HEARTBEAT {
					t.Fatalf("%s: unexpected %s", f.id, e.Type)
				}
			default:
			}
		}
		select {
		case <-deadline:
			t.Fatal("no offer")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// TestDRFOrderTwoFrameworks replays the example of the DRF paper (Ghodsi
// et al., NSDI 2011): 9 CPUs and 18 GB; A runs <1 CPU, 4 GB> tasks, B runs
// <3 CPUs, 1 GB> tasks. Each framework launches one task per offer and
// declines the rest. DRF must alternate A, B, A, B, A and end with A
// holding 3 tasks and B 2, equalising dominant shares at 2/3.
func TestDRFOrderTwoFrameworks(t *testing.T) {
	h := newHarness(t)
	a := h.framework("A", nil)
	b := h.framework("B", nil)
	ag := h.agent("host1", "cpus:9;mem:18432;disk:0")
	demand := map[*fakeFramework]string{a: "cpus:1;mem:4096", b: "cpus:3;mem:1024"}
	launched := map[*fakeFramework]int{}
	var order []string
	for i := 0; ; i++ {
		f, o := nextOffer(t, a, b)
		if scalar(o.Resources, "cpus") < scalar(mustProto(demand[f]), "cpus") ||
			scalar(o.Resources, "mem") < scalar(mustProto(demand[f]), "mem") {
			// The task no longer fits: the cluster is full for f.
			f.mustCall(&scheduler.Call{Type: scheduler.Call_DECLINE, Decline: &scheduler.Call_Decline{OfferIDs: []mesos.OfferID{o.ID}}})
			break
		}
		order = append(order, map[*fakeFramework]string{a: "A", b: "B"}[f])
		f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo(f.s.FrameworkID+"-t"+itoa(i), ag.id, demand[f])))
		launched[f]++
		if e := ag.next(t); e.Type != agentapi.EventLaunch {
			t.Fatalf("agent got %s", e.Type)
		}
	}
	if got := strings.Join(order, ","); got != "A,B,A,B,A" {
		t.Fatalf("offer order %s, want A,B,A,B,A", got)
	}
	if launched[a] != 3 || launched[b] != 2 {
		t.Fatalf("tasks A=%d B=%d, want 3 and 2", launched[a], launched[b])
	}
}

func mustProto(s string) []mesos.Resource {
	ti := taskInfo("x", "", s)
	return ti.Resources
}

func TestAcceptValidation(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	pa := h.framework("pa", func(i *mesos.FrameworkInfo) {
		i.Capabilities = []mesos.FrameworkInfo_Capability{{Type: mesos.FrameworkInfo_Capability_PARTITION_AWARE}}
	})
	pa.mustCall(&scheduler.Call{Type: scheduler.Call_SUPPRESS})
	ag := h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()

	// Resources beyond the offer: TASK_ERROR, REASON_TASK_INVALID.
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("big", ag.id, "cpus:4;mem:128")))
	st := f.update()
	if st.GetState() != mesos.TASK_ERROR || st.GetReason() != mesos.REASON_TASK_INVALID || !strings.Contains(st.GetMessage(), "more resources") {
		t.Fatalf("oversized task: %s %s %q", st.GetState(), st.GetReason(), st.GetMessage())
	}
	// The offer was used by that ACCEPT: using it again drops the task.
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("late", ag.id, "cpus:1;mem:128")))
	st = f.update()
	if st.GetState() != mesos.TASK_LOST || st.GetReason() != mesos.REASON_INVALID_OFFERS || !strings.Contains(st.GetMessage(), "no longer valid") {
		t.Fatalf("used offer: %s %s %q", st.GetState(), st.GetReason(), st.GetMessage())
	}
	// Another framework's offer id is not valid for pa either; partition
	// aware frameworks get TASK_DROPPED.
	o = f.offer()
	pa.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("steal", ag.id, "cpus:1;mem:128")))
	st = pa.update()
	if st.GetState() != mesos.TASK_DROPPED || st.GetReason() != mesos.REASON_INVALID_OFFERS {
		t.Fatalf("foreign offer: %s %s %q", st.GetState(), st.GetReason(), st.GetMessage())
	}
	// Duplicate ids and a task without command are TASK_ERROR.
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("t1", ag.id, "cpus:0.5;mem:128"), taskInfo("t1", ag.id, "cpus:0.5;mem:128")))
	if e := ag.next(t); e.Type != agentapi.EventLaunch || e.Launch.Task.TaskID.Value != "t1" {
		t.Fatalf("agent: %+v", e)
	}
	st = f.update()
	if st.GetState() != mesos.TASK_ERROR || !strings.Contains(st.GetMessage(), "duplicate ID") {
		t.Fatalf("duplicate: %s %q", st.GetState(), st.GetMessage())
	}
}

func TestDeclineFilterAndRevive(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	refuse := 10.0
	f.mustCall(&scheduler.Call{Type: scheduler.Call_DECLINE, Decline: &scheduler.Call_Decline{OfferIDs: []mesos.OfferID{o.ID}, Filters: &mesos.Filters{RefuseSeconds: &refuse}}})
	h.m.allocate()
	f.expectNone()
	h.clk.Advance(9 * time.Second)
	f.expectNone()
	h.clk.Advance(time.Second) // the filter expires exactly at 10 s
	o2 := f.offer()
	if o2.ID == o.ID {
		t.Fatal("offer id reused")
	}
	// Declined again for a year; REVIVE clears the filter at once.
	refuse = 1e9
	f.mustCall(&scheduler.Call{Type: scheduler.Call_DECLINE, Decline: &scheduler.Call_Decline{OfferIDs: []mesos.OfferID{o2.ID}, Filters: &mesos.Filters{RefuseSeconds: &refuse}}})
	f.expectNone()
	f.mustCall(&scheduler.Call{Type: scheduler.Call_REVIVE})
	f.offer()
	// SUPPRESS stops new offers even after filters go.
	f.mustCall(&scheduler.Call{Type: scheduler.Call_SUPPRESS})
	h.m.mu.Lock()
	for _, o := range h.m.offers {
		h.m.removeOffer(o)
	}
	h.m.mu.Unlock()
	h.m.allocate()
	f.expectNone()
}

func TestUpdatesAcknowledgementsAndRecovery(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	ag := h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:1;mem:128")))
	if e := ag.next(t); e.Type != agentapi.EventLaunch {
		t.Fatalf("agent got %s", e.Type)
	}
	id := h.agentStatus(ag, f.id, "t1", mesos.TASK_RUNNING)
	st := f.update()
	if st.GetState() != mesos.TASK_RUNNING || string(st.UUID) != string(id) || st.AgentID.Value != ag.id {
		t.Fatalf("update: %+v", st)
	}
	f.mustCall(&scheduler.Call{Type: scheduler.Call_ACKNOWLEDGE, Acknowledge: &scheduler.Call_Acknowledge{AgentID: *st.AgentID, TaskID: st.TaskID, UUID: st.UUID}})
	if e := ag.next(t); e.Type != agentapi.EventAcknowledge || string(e.Acknowledge.UUID) != string(id) {
		t.Fatalf("agent got %+v", e)
	}
	// A bad uuid is a 400.
	err := f.call(&scheduler.Call{Type: scheduler.Call_ACKNOWLEDGE, Acknowledge: &scheduler.Call_Acknowledge{AgentID: *st.AgentID, TaskID: st.TaskID, UUID: []byte("x")}})
	var ce *CallError
	if !errors.As(err, &ce) || ce.Code != 400 {
		t.Fatalf("bad uuid: %v", err)
	}

	// A new master term (leader change) recovers framework, agent and task
	// from the store; the framework re-subscribes and reconciles.
	h.m.Stop(context.Background())
	if err := h.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fi := mesos.FrameworkInfo{Name: "f", User: "root", ID: &mesos.FrameworkID{Value: f.id}}
	s, err := h.m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &fi})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	if e := f.next(); e.Type != scheduler.Event_SUBSCRIBED || e.Subscribed.FrameworkID.Value != f.id {
		t.Fatalf("resubscribe: %+v", e)
	}
	f.mustCall(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: &scheduler.Call_Reconcile{}})
	st = f.update()
	if st.GetState() != mesos.TASK_RUNNING || st.GetReason() != mesos.REASON_RECONCILIATION || st.UUID != nil {
		t.Fatalf("implicit reconcile: %s %s", st.GetState(), st.GetReason())
	}
	f.mustCall(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: &scheduler.Call_Reconcile{Tasks: []scheduler.Call_Reconcile_Task{{TaskID: mesos.TaskID{Value: "nope"}}}}})
	if st = f.update(); st.GetState() != mesos.TASK_LOST {
		t.Fatalf("unknown task reconciles as %s", st.GetState())
	}
	// The agent comes back reporting the task: no LOST is generated.
	h.m.mu.Lock()
	known := len(h.m.agents[ag.id].tasks)
	h.m.mu.Unlock()
	if known != 1 {
		t.Fatalf("agent tasks after recovery = %d", known)
	}
}

func TestCallValidation(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	cases := []struct {
		stream string
		call   *scheduler.Call
		code   int
		msg    string
	}{
		{f.s.ID, &scheduler.Call{Type: scheduler.Call_REVIVE}, 400, "Expecting 'framework_id'"},
		{f.s.ID, &scheduler.Call{Type: scheduler.Call_REVIVE, FrameworkID: &mesos.FrameworkID{Value: "nope"}}, 403, "Framework cannot be found"},
		{"wrong", &scheduler.Call{Type: scheduler.Call_REVIVE, FrameworkID: &mesos.FrameworkID{Value: f.id}}, 400, "didn't match"},
		{f.s.ID, &scheduler.Call{Type: scheduler.Call_ACCEPT, FrameworkID: &mesos.FrameworkID{Value: f.id}}, 400, "Expecting 'accept'"},
		{f.s.ID, &scheduler.Call{Type: scheduler.Call_UNKNOWN, FrameworkID: &mesos.FrameworkID{Value: f.id}}, 400, "Expecting 'type'"},
	}
	for _, c := range cases {
		err := h.m.Call(c.stream, c.call)
		var ce *CallError
		if !errors.As(err, &ce) || ce.Code != c.code || !strings.Contains(ce.Message, c.msg) {
			t.Errorf("%s: got %v, want %d %q", c.call.Type, err, c.code, c.msg)
		}
	}
}

func TestFailoverTimeoutRemovesFramework(t *testing.T) {
	h := newHarness(t)
	timeout := 60.0
	f := h.framework("f", func(i *mesos.FrameworkInfo) { i.FailoverTimeout = &timeout })
	ag := h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("t1", ag.id, "cpus:1;mem:128")))
	ag.next(t) // LAUNCH
	h.m.Disconnected(f.s)
	h.clk.Advance(59 * time.Second)
	h.m.mu.Lock()
	_, still := h.m.frameworks[f.id]
	h.m.mu.Unlock()
	if !still {
		t.Fatal("framework removed before its failover timeout")
	}
	h.clk.Advance(time.Second)
	if e := ag.next(t); e.Type != agentapi.EventShutdown || e.Shutdown.FrameworkID != f.id {
		t.Fatalf("agent got %+v, want SHUTDOWN_FRAMEWORK", e)
	}
	fi := mesos.FrameworkInfo{Name: "f", User: "root", ID: &mesos.FrameworkID{Value: f.id}}
	if _, err := h.m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &fi}); err == nil {
		t.Fatal("a removed framework re-subscribed")
	}
}

func TestAgentUnreachable(t *testing.T) {
	h := newHarness(t)
	old := h.framework("old", nil)
	pa := h.framework("pa", func(i *mesos.FrameworkInfo) {
		i.Capabilities = []mesos.FrameworkInfo_Capability{{Type: mesos.FrameworkInfo_Capability_PARTITION_AWARE}}
	})
	ag := h.agent("host1", "cpus:2;mem:1024")
	for range 2 {
		fo, o := nextOffer(t, old, pa)
		fo.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, taskInfo("t-"+fo.id, ag.id, "cpus:1;mem:128")))
		ag.next(t)
	}
	h.m.AgentDisconnected(ag.id, ag.done)
	h.clk.Advance(75 * time.Second)
	if st := old.update(); st.GetState() != mesos.TASK_LOST || st.GetReason() != mesos.REASON_AGENT_REMOVED {
		t.Fatalf("non partition-aware: %s %s", st.GetState(), st.GetReason())
	}
	st := pa.update()
	if st.GetState() != mesos.TASK_UNREACHABLE || st.UnreachableTime == nil {
		t.Fatalf("partition-aware: %s", st.GetState())
	}
}

func TestOfferTimeoutRescinds(t *testing.T) {
	h := newHarness(t)
	h.m.cfg.OfferTimeout = 30 * time.Second
	f := h.framework("f", nil)
	h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	h.clk.Advance(29 * time.Second)
	f.expectNone()
	h.clk.Advance(time.Second)
	e := f.next()
	if e.Type != scheduler.Event_RESCIND || e.Rescind.OfferID != o.ID {
		t.Fatalf("want RESCIND of %s, got %s", o.ID.Value, e.Type)
	}
	// The resources come back in a new offer.
	if o2 := f.offer(); o2.ID == o.ID {
		t.Fatal("rescinded offer id reused")
	}
}
