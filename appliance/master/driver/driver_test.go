package driver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

type recorder struct {
	ids     chan string
	offers  chan []mesos.Offer
	updates chan mesos.TaskStatus
}

func (r *recorder) Subscribed(_ context.Context, _ *Driver, id string)   { r.ids <- id }
func (r *recorder) Offers(_ context.Context, _ *Driver, o []mesos.Offer) { r.offers <- o }
func (r *recorder) Rescind(context.Context, *Driver, mesos.OfferID)      {}
func (r *recorder) Update(_ context.Context, _ *Driver, s mesos.TaskStatus) error {
	r.updates <- s
	return nil
}

func startMaster(t *testing.T) *master.Master {
	return mastertest.Start(t, nil, func(c *master.Config) { c.AllocationInterval = 50 * time.Millisecond })
}

func within[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out")
	}
	var zero T
	return zero
}

// launched is a driver running sched against a fresh master whose one
// (fake) agent has received the launch of task "t".
type launched struct {
	m       *master.Master
	d       *Driver
	events  <-chan agentapi.Event
	agentID string
	id      string // the framework's
	task    mesos.TaskInfo
}

func launchOne(t *testing.T, r *recorder, sched Scheduler) launched {
	m := startMaster(t)
	res, _ := resources.Parse("cpus:2;mem:512")
	events, _, agentID, err := m.RegisterAgent(agentapi.Subscribe{Hostname: "h", Address: "h:5051", Resources: resourcepb.ToProto(res, "")})
	if err != nil {
		t.Fatal(err)
	}
	<-events // SUBSCRIBED
	d := New(m, mesos.FrameworkInfo{Name: "inproc", User: "root"}, sched, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	id := within(t, r.ids)
	if d.FrameworkID() != id {
		t.Fatalf("framework id %q vs %q", d.FrameworkID(), id)
	}
	o := within(t, r.offers)[0]
	task := mesos.TaskInfo{Name: "t", TaskID: mesos.TaskID{Value: "t"}, AgentID: o.AgentID,
		Resources: o.Resources, Command: &mesos.CommandInfo{Value: new(string)}}
	if err := d.Launch([]mesos.OfferID{o.ID}, []mesos.TaskInfo{task}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if e := within(t, events); e.Type != agentapi.EventLaunch {
		t.Fatalf("agent got %s", e.Type)
	}
	return launched{m: m, d: d, events: events, agentID: agentID, id: id, task: task}
}

func newRecorder() *recorder {
	return &recorder{ids: make(chan string, 4), offers: make(chan []mesos.Offer, 16), updates: make(chan mesos.TaskStatus, 16)}
}

func TestDriverLaunchesAndAcknowledges(t *testing.T) {
	r := newRecorder()
	l := launchOne(t, r, r)
	m, events, agentID, id, task := l.m, l.events, l.agentID, l.id, l.task
	u := uuid.New()
	running := mesos.TASK_RUNNING
	if err := m.AgentUpdate(agentapi.Update{AgentID: agentID, FrameworkID: id, Status: mesos.TaskStatus{TaskID: task.TaskID, State: &running, UUID: u[:]}}); err != nil {
		t.Fatal(err)
	}
	if st := within(t, r.updates); st.GetState() != mesos.TASK_RUNNING {
		t.Fatalf("update %s", st.GetState())
	}
	for {
		e := within(t, events)
		if e.Type == agentapi.EventAcknowledge {
			if string(e.Acknowledge.UUID) != string(u[:]) {
				t.Fatal("wrong uuid acknowledged")
			}
			break
		}
	}
	// After the master restarts within the same leadership, the driver
	// re-subscribes with the same framework id.
	m.Stop(context.Background())
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again := within(t, r.ids); again != id {
		t.Fatalf("re-subscribed as %q, want %q", again, id)
	}
}

// refusing records updates like recorder but refuses the first one, as a
// framework does that could not persist it.
type refusing struct {
	*recorder
	refused bool
}

func (r *refusing) Update(ctx context.Context, d *Driver, s mesos.TaskStatus) error {
	r.updates <- s
	if !r.refused {
		r.refused = true
		return errors.New("not the leader any more")
	}
	return nil
}

// TestDriverAcknowledgesOnlyRecordedUpdates: an update the scheduler could
// not record is not acknowledged (the agent sends it again), the next one
// is. The driver handles events in order, so an acknowledgement of the
// first would reach the agent before the second's.
func TestDriverAcknowledgesOnlyRecordedUpdates(t *testing.T) {
	r := &refusing{recorder: newRecorder()}
	l := launchOne(t, r.recorder, r)
	m, events, agentID, id, task := l.m, l.events, l.agentID, l.id, l.task
	refused, recorded := uuid.New(), uuid.New()
	for _, s := range []struct {
		state mesos.TaskState
		uuid  uuid.UUID
	}{{mesos.TASK_STARTING, refused}, {mesos.TASK_RUNNING, recorded}} {
		if err := m.AgentUpdate(agentapi.Update{AgentID: agentID, FrameworkID: id,
			Status: mesos.TaskStatus{TaskID: task.TaskID, State: &s.state, UUID: s.uuid[:]}}); err != nil {
			t.Fatal(err)
		}
		if st := within(t, r.updates); st.GetState() != s.state {
			t.Fatalf("update %s, want %s", st.GetState(), s.state)
		}
	}
	for {
		e := within(t, events)
		if e.Type == agentapi.EventAcknowledge {
			if string(e.Acknowledge.UUID) != string(recorded[:]) {
				t.Fatal("the refused update was acknowledged")
			}
			break
		}
	}
}
