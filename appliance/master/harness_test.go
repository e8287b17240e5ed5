package master

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/store"
)

// harness is a running master on a real one-node store, driven by a fake
// clock so that timeouts are exact.
type harness struct {
	t   *testing.T
	m   *Master
	clk *clock.Fake
	st  *store.Store
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	st, err := store.Open(store.Config{Dir: t.TempDir(), NodeID: "n1", Bind: addr, Bootstrap: true, Timeouts: store.FastTimeouts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !st.IsLeader() {
		if ctx.Err() != nil {
			t.Fatal("no leader")
		}
		time.Sleep(5 * time.Millisecond)
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	h := &harness{t: t, clk: clk, st: st}
	h.m = New(Config{Store: st, Clock: clk, Hostname: "127.0.0.1", Port: 5050, AgentTimeout: 75 * time.Second})
	if err := h.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.m.Stop(context.Background()) })
	return h
}

type fakeAgent struct {
	id     string
	events <-chan agentapi.Event
	done   <-chan struct{}
}

func (h *harness) agent(hostname, res string, tasks ...agentapi.Task) *fakeAgent {
	h.t.Helper()
	r, err := resources.Parse(res)
	if err != nil {
		h.t.Fatal(err)
	}
	ev, done, id, err := h.m.RegisterAgent(agentapi.Subscribe{Hostname: hostname, Address: hostname + ":5051",
		Resources: resourcepb.ToProto(r, ""), Tasks: tasks})
	if err != nil {
		h.t.Fatal(err)
	}
	a := &fakeAgent{id: id, events: ev, done: done}
	if e := a.next(h.t); e.Type != agentapi.EventSubscribed {
		h.t.Fatalf("first agent event %s", e.Type)
	}
	return a
}

func (a *fakeAgent) next(t *testing.T) agentapi.Event {
	t.Helper()
	select {
	case e := <-a.events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no agent event")
	}
	return agentapi.Event{}
}

type fakeFramework struct {
	t      *testing.T
	h      *harness
	s      *Stream
	id     string
	frozen bool
	// stashed are offers that arrived while the test waited for an update;
	// offer() hands them out first.
	stashed []mesos.Offer
}

func (h *harness) framework(name string, info func(*mesos.FrameworkInfo)) *fakeFramework {
	h.t.Helper()
	fi := mesos.FrameworkInfo{Name: name, User: "root"}
	if info != nil {
		info(&fi)
	}
	s, err := h.m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &fi})
	if err != nil {
		h.t.Fatal(err)
	}
	f := &fakeFramework{t: h.t, h: h, s: s}
	e := f.next()
	if e.Type != scheduler.Event_SUBSCRIBED {
		h.t.Fatalf("first event %s", e.Type)
	}
	f.id = e.Subscribed.FrameworkID.Value
	return f
}

func (f *fakeFramework) next() *scheduler.Event {
	f.t.Helper()
	for {
		select {
		case e := <-f.s.Events():
			if e.Type == scheduler.Event_HEARTBEAT {
				continue
			}
			return e
		case <-time.After(5 * time.Second):
			f.t.Fatal("no framework event")
		}
	}
}

// expectNone checks that no event arrives within a short settle window.
func (f *fakeFramework) expectNone() {
	f.t.Helper()
	select {
	case e := <-f.s.Events():
		f.t.Fatalf("unexpected event %s", e.Type)
	case <-time.After(100 * time.Millisecond):
	}
}

func (f *fakeFramework) offer() mesos.Offer {
	f.t.Helper()
	if len(f.stashed) > 0 {
		o := f.stashed[0]
		f.stashed = f.stashed[1:]
		return o
	}
	e := f.next()
	if e.Type != scheduler.Event_OFFERS {
		f.t.Fatalf("want OFFERS, got %s", e.Type)
	}
	return e.Offers.Offers[0]
}

// update waits for the next status update; offers and rescinds that the
// allocator sends meanwhile are not what the caller is testing.
func (f *fakeFramework) update() mesos.TaskStatus {
	f.t.Helper()
	for {
		e := f.next()
		switch e.Type {
		case scheduler.Event_UPDATE:
			return e.Update.Status
		case scheduler.Event_OFFERS:
			f.stashed = append(f.stashed, e.Offers.Offers...)
			continue
		case scheduler.Event_RESCIND:
			kept := f.stashed[:0]
			for _, o := range f.stashed {
				if o.ID != e.Rescind.OfferID {
					kept = append(kept, o)
				}
			}
			f.stashed = kept
			continue
		}
		f.t.Fatalf("want UPDATE, got %s", e.Type)
	}
}

func (f *fakeFramework) call(c *scheduler.Call) error {
	c.FrameworkID = &mesos.FrameworkID{Value: f.id}
	return f.h.m.Call(f.s.ID, c)
}

func (f *fakeFramework) mustCall(c *scheduler.Call) {
	f.t.Helper()
	if err := f.call(c); err != nil {
		f.t.Fatal(err)
	}
}

func taskInfo(id string, agentID string, res string) mesos.TaskInfo {
	r, _ := resources.Parse(res)
	shell := true
	cmd := "sleep 100"
	return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: mesos.AgentID{Value: agentID},
		Resources: resourcepb.ToProto(r, "*"), Command: &mesos.CommandInfo{Value: &cmd, Shell: &shell}}
}

func launchCall(offerIDs []mesos.OfferID, refuse float64, tasks ...mesos.TaskInfo) *scheduler.Call {
	return &scheduler.Call{Type: scheduler.Call_ACCEPT, Accept: &scheduler.Call_Accept{
		OfferIDs:   offerIDs,
		Operations: []mesos.Offer_Operation{{Type: mesos.Offer_Operation_LAUNCH, Launch: &mesos.Offer_Operation_Launch{TaskInfos: tasks}}},
		Filters:    &mesos.Filters{RefuseSeconds: &refuse},
	}}
}

// agentStatus sends a status update from an agent, with a fresh uuid.
func (h *harness) agentStatus(a *fakeAgent, frameworkID, taskID string, state mesos.TaskState) []byte {
	h.t.Helper()
	id := uuid.New()
	src := mesos.SOURCE_EXECUTOR
	err := h.m.AgentUpdate(agentapi.Update{AgentID: a.id, FrameworkID: frameworkID, Status: mesos.TaskStatus{
		TaskID: mesos.TaskID{Value: taskID}, State: &state, UUID: id[:], Source: &src}})
	if err != nil {
		h.t.Fatal(err)
	}
	return id[:]
}

func scalar(rs []mesos.Resource, name string) float64 {
	for _, r := range rs {
		if r.Name == name && r.Scalar != nil {
			return r.Scalar.Value
		}
	}
	return 0
}
