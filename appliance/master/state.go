package master

import (
	"encoding/json"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// framework is a subscribed (or disconnected, within its failover timeout)
// framework as the master sees it.
type framework struct {
	id             string
	info           mesos.FrameworkInfo
	registeredAt   time.Time
	reregisteredAt time.Time
	stream         *Stream // nil while disconnected
	suppressed     map[string]bool
	failover       clock.Timer
	tasks          map[string]*task // active tasks by id
	offers         map[string]*offer
	// reconciliation answers waiting for room in the stream (reconcile.go)
	backlog    []string
	backlogged map[string]bool
	feeding    bool
}

func (f *framework) connected() bool { return f.stream != nil }

func (f *framework) partitionAware() bool {
	return hasCapability(f.info, mesos.FrameworkInfo_Capability_PARTITION_AWARE)
}

// roles are the roles the framework subscribes to: roles[] with the
// MULTI_ROLE capability, else the deprecated single role, "*" by default.
func (f *framework) roles() []string {
	if hasCapability(f.info, mesos.FrameworkInfo_Capability_MULTI_ROLE) && len(f.info.Roles) > 0 {
		return f.info.Roles
	}
	if f.info.Role != nil && *f.info.Role != "" {
		return []string{*f.info.Role}
	}
	return []string{"*"}
}

func hasCapability(info mesos.FrameworkInfo, c mesos.FrameworkInfo_Capability_Type) bool {
	for _, cap := range info.Capabilities {
		if cap.Type == c {
			return true
		}
	}
	return false
}

// agent is a registered agent.
type agent struct {
	AgentRecord
	total          resources.Resources
	conn           *agentConn // nil while disconnected
	reregisteredAt time.Time
	unreachable    bool
	unreachableAt  time.Time
	timeout        clock.Timer
	tasks          map[string]*task // by framework id + "/" + task id
	offered        resources.Resources
}

// pid is the libprocess-style id v0 readers expect: slave(1)@ip:port.
func (a *agent) pid() string { return "slave(1)@" + a.Address }

// used sums the resources of the agent's tasks not terminal yet.
func (a *agent) used() resources.Resources {
	return resources.Sum(func(yield func(resources.Resources) bool) {
		for _, t := range a.tasks {
			if !isTerminal(t.state()) && !yield(t.res) {
				return
			}
		}
	})
}

// available is what may be offered: total less used less offered.
func (a *agent) available() resources.Resources {
	return a.total.Sub(a.used()).Sub(a.offered)
}

// task is a task the master tracks, with every status it saw.
type task struct {
	TaskRecord
	res   resources.Resources // set when the task is created, never changed
	role  string
	acked bool // the latest status with a uuid was acknowledged
	// v0res is res as the v0 endpoints print it, encoded on first use
	// (under the master's mutex, like every field).
	v0res json.RawMessage
}

// v0Resources returns the task's resources encoded for the v0 endpoints.
func (t *task) v0Resources() json.RawMessage {
	if t.v0res == nil {
		b, err := json.Marshal(t.res.V0())
		if err != nil {
			return json.RawMessage("{}")
		}
		t.v0res = b
	}
	return t.v0res
}

func (t *task) id() string { return t.Info.TaskID.Value }

func (t *task) state() mesos.TaskState {
	if n := len(t.Statuses); n > 0 {
		return t.Statuses[n-1].GetState()
	}
	return mesos.TASK_STAGING
}

func (t *task) key() string { return t.FrameworkID + "/" + t.id() }

// offer is an outstanding offer.
type offer struct {
	id          string
	frameworkID string
	agentID     string
	role        string
	res         resources.Resources
	createdAt   time.Time
	timeout     clock.Timer
}

// agentConn is an agent's open event stream.
type agentConn struct {
	events chan agentapi.Event
	done   chan struct{}
}

func (c *agentConn) send(e agentapi.Event) bool {
	select {
	case <-c.done:
		return false
	case c.events <- e:
		return true
	default:
		return false // the agent is not reading; it will resubscribe
	}
}

// Stream is one framework subscription's event stream. The HTTP handler
// writes it out as RecordIO; an in-process framework reads it directly.
type Stream struct {
	ID          string
	FrameworkID string
	events      chan *scheduler.Event
	done        chan struct{}
	closed      bool
}

// Events delivers the framework's events in order.
func (s *Stream) Events() <-chan *scheduler.Event { return s.events }

// Done is closed when the master ends the stream (failover to a new
// subscription, teardown, or the master stopping).
func (s *Stream) Done() <-chan struct{} { return s.done }

// sendReserving sends e unless fewer than reserve places would be left in
// the stream's buffer.
func (s *Stream) sendReserving(e *scheduler.Event, reserve int) bool {
	if s.closed || len(s.events) >= cap(s.events)-reserve {
		return false
	}
	return s.send(e)
}

func (s *Stream) send(e *scheduler.Event) bool {
	if s.closed {
		return false
	}
	select {
	case s.events <- e:
		return true
	default:
		return false
	}
}

func isTerminal(s mesos.TaskState) bool {
	switch s {
	case mesos.TASK_FINISHED, mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_ERROR,
		mesos.TASK_LOST, mesos.TASK_DROPPED, mesos.TASK_GONE, mesos.TASK_GONE_BY_OPERATOR:
		return true
	}
	return false
}
