// Package driver is the in-process scheduler driver of mesosbox's own
// frameworks (Marathon and Chronos). It speaks to the master with exactly
// the calls and events of the Mesos v1 scheduler API — the same ones an
// outside framework sends over HTTP — only without the HTTP: two-level
// scheduling stays real, the master offers and the framework decides.
package driver

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master"
)

// Master is what the driver needs of the master; *master.Master has it.
type Master interface {
	Subscribe(*scheduler.Call_Subscribe) (*master.Stream, error)
	Call(streamID string, call *scheduler.Call) error
	Disconnected(*master.Stream)
}

// Scheduler is a framework's event handlers. They run one at a time, in
// event order, on the driver's goroutine; a handler may call the Driver.
type Scheduler interface {
	// Subscribed is called after every (re)subscription with the
	// framework id, which the framework must persist and pass back in
	// FrameworkInfo.ID next time.
	Subscribed(ctx context.Context, d *Driver, frameworkID string)
	Offers(ctx context.Context, d *Driver, offers []mesos.Offer)
	Rescind(ctx context.Context, d *Driver, offerID mesos.OfferID)
	// Update is called for every status update; the driver acknowledges
	// it once Update returns nil, so a framework that persists the status
	// in Update never loses it (at-least-once, as in Mesos). An error
	// (the status could not be recorded: leadership lost, a failed write)
	// leaves it unacknowledged, and the agent sends it again.
	Update(ctx context.Context, d *Driver, status mesos.TaskStatus) error
}

// BatchScheduler is a Scheduler that takes the status updates waiting in
// the stream at once, so that it can persist them in one write; the
// driver acknowledges each of them once Updates returns nil, none of them
// on an error.
type BatchScheduler interface {
	Scheduler
	Updates(ctx context.Context, d *Driver, statuses []mesos.TaskStatus) error
}

// maxUpdateBatch bounds how many queued status updates one Updates call
// takes.
const maxUpdateBatch = 256

// Driver runs one framework against the master.
type Driver struct {
	m    Master
	info mesos.FrameworkInfo
	s    Scheduler
	log  *slog.Logger

	mu     sync.Mutex
	stream *master.Stream
	id     string
}

// New returns a driver for the framework described by info.
func New(m Master, info mesos.FrameworkInfo, s Scheduler, log *slog.Logger) *Driver {
	if log == nil {
		log = slog.Default()
	}
	return &Driver{m: m, info: info, s: s, log: log.With("framework", info.Name)}
}

// Run subscribes and dispatches events until ctx ends, re-subscribing
// with the same framework id whenever the stream ends (a master restart
// within this leadership, a slow-consumer cut). On return the
// subscription is dropped, which starts the framework's failover timeout.
func (d *Driver) Run(ctx context.Context) error {
	backoff := 10 * time.Millisecond
	for ctx.Err() == nil {
		err := d.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			d.log.Warn("framework subscription ended", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		if backoff < time.Second {
			backoff *= 2
		}
	}
	return ctx.Err()
}

func (d *Driver) session(ctx context.Context) error {
	d.mu.Lock()
	info := d.info
	if d.id != "" {
		info.ID = &mesos.FrameworkID{Value: d.id}
	}
	d.mu.Unlock()
	s, err := d.m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &info})
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.stream = s
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.stream = nil
		d.mu.Unlock()
		d.m.Disconnected(s)
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.Done():
			return errors.New("stream closed by the master")
		case e := <-s.Events():
			for e != nil {
				e = d.dispatch(ctx, s, e)
			}
		}
	}
}

// dispatch hands an event to the scheduler. A status update takes the
// updates queued behind it along (for a BatchScheduler); the first other
// event it finds there is returned, to be dispatched next.
func (d *Driver) dispatch(ctx context.Context, s *master.Stream, e *scheduler.Event) (next *scheduler.Event) {
	switch e.Type {
	case scheduler.Event_SUBSCRIBED:
		id := e.Subscribed.FrameworkID.Value
		d.mu.Lock()
		d.id = id
		d.mu.Unlock()
		d.s.Subscribed(ctx, d, id)
	case scheduler.Event_OFFERS:
		d.s.Offers(ctx, d, e.Offers.Offers)
	case scheduler.Event_RESCIND:
		d.s.Rescind(ctx, d, e.Rescind.OfferID)
	case scheduler.Event_UPDATE:
		return d.updates(ctx, s, e)
	case scheduler.Event_ERROR:
		d.log.Error("master reported an error", "message", e.Error.Message)
	}
	return nil
}

// updates passes on a status update, with those queued behind it when the
// scheduler takes batches, and then acknowledges them.
func (d *Driver) updates(ctx context.Context, s *master.Stream, first *scheduler.Event) (next *scheduler.Event) {
	statuses := []mesos.TaskStatus{first.Update.Status}
	var err error
	bs, batches := d.s.(BatchScheduler)
	if batches {
	queued:
		for len(statuses) < maxUpdateBatch {
			select {
			case e, ok := <-s.Events():
				if !ok {
					break queued
				}
				if e.Type != scheduler.Event_UPDATE {
					next = e
					break queued
				}
				statuses = append(statuses, e.Update.Status)
			default:
				break queued
			}
		}
		err = bs.Updates(ctx, d, statuses)
	} else {
		err = d.s.Update(ctx, d, statuses[0])
	}
	if err != nil {
		d.log.Warn("status updates not acknowledged: the framework could not record them; their agents send them again",
			"updates", len(statuses), "error", err)
		return next
	}
	for _, st := range statuses {
		if len(st.UUID) > 0 && st.AgentID != nil {
			d.call(&scheduler.Call{Type: scheduler.Call_ACKNOWLEDGE, Acknowledge: &scheduler.Call_Acknowledge{
				AgentID: *st.AgentID, TaskID: st.TaskID, UUID: st.UUID}})
		}
	}
	return next
}

// FrameworkID is the id the master gave, "" before the first subscription.
func (d *Driver) FrameworkID() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.id
}

// ErrNotSubscribed is returned by calls made while no subscription is open.
var ErrNotSubscribed = errors.New("framework is not subscribed")

func (d *Driver) call(c *scheduler.Call) error {
	d.mu.Lock()
	s, id := d.stream, d.id
	d.mu.Unlock()
	if s == nil {
		return ErrNotSubscribed
	}
	c.FrameworkID = &mesos.FrameworkID{Value: id}
	return d.m.Call(s.ID, c)
}

// Launch accepts offers with LAUNCH operations; what the tasks leave of
// the offers is declined for refuse.
func (d *Driver) Launch(offerIDs []mesos.OfferID, tasks []mesos.TaskInfo, refuse time.Duration) error {
	return d.Accept(offerIDs, []mesos.Offer_Operation{{Type: mesos.Offer_Operation_LAUNCH,
		Launch: &mesos.Offer_Operation_Launch{TaskInfos: tasks}}}, refuse)
}

// Accept accepts offers with any operations (LAUNCH, LAUNCH_GROUP); what
// they leave of the offers is declined for refuse.
func (d *Driver) Accept(offerIDs []mesos.OfferID, ops []mesos.Offer_Operation, refuse time.Duration) error {
	secs := refuse.Seconds()
	return d.call(&scheduler.Call{Type: scheduler.Call_ACCEPT, Accept: &scheduler.Call_Accept{
		OfferIDs: offerIDs, Operations: ops, Filters: &mesos.Filters{RefuseSeconds: &secs},
	}})
}

// Decline returns offers, refusing them for refuse.
func (d *Driver) Decline(offerIDs []mesos.OfferID, refuse time.Duration) error {
	secs := refuse.Seconds()
	return d.call(&scheduler.Call{Type: scheduler.Call_DECLINE, Decline: &scheduler.Call_Decline{
		OfferIDs: offerIDs, Filters: &mesos.Filters{RefuseSeconds: &secs}}})
}

// SetRoles changes the roles of a MULTI_ROLE framework: the master is told
// with UPDATE_FRAMEWORK, and later re-subscriptions use the new roles. A
// framework that is not subscribed only records them for the next
// subscription.
func (d *Driver) SetRoles(roles []string) error {
	d.mu.Lock()
	d.info.Roles = append([]string(nil), roles...)
	info, id := d.info, d.id
	d.mu.Unlock()
	if id == "" {
		return nil
	}
	info.ID = &mesos.FrameworkID{Value: id}
	return d.call(&scheduler.Call{Type: scheduler.Call_UPDATE_FRAMEWORK,
		UpdateFramework: &scheduler.Call_UpdateFramework{FrameworkInfo: info}})
}

// Revive asks for offers again (clears filters, unsuppresses).
func (d *Driver) Revive() error { return d.call(&scheduler.Call{Type: scheduler.Call_REVIVE}) }

// Suppress stops offers until Revive.
func (d *Driver) Suppress() error { return d.call(&scheduler.Call{Type: scheduler.Call_SUPPRESS}) }

// Kill kills a task; grace overrides the task's kill policy when > 0.
func (d *Driver) Kill(taskID, agentID string, grace time.Duration) error {
	k := &scheduler.Call_Kill{TaskID: mesos.TaskID{Value: taskID}}
	if agentID != "" {
		k.AgentID = &mesos.AgentID{Value: agentID}
	}
	if grace > 0 {
		k.KillPolicy = &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{Nanoseconds: grace.Nanoseconds()}}
	}
	return d.call(&scheduler.Call{Type: scheduler.Call_KILL, Kill: k})
}

// Reconcile asks for the state of the given tasks (task id → agent id),
// or of all the framework's tasks when the map is empty.
func (d *Driver) Reconcile(tasks map[string]string) error {
	r := &scheduler.Call_Reconcile{}
	for t, a := range tasks {
		rt := scheduler.Call_Reconcile_Task{TaskID: mesos.TaskID{Value: t}}
		if a != "" {
			rt.AgentID = &mesos.AgentID{Value: a}
		}
		r.Tasks = append(r.Tasks, rt)
	}
	return d.call(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: r})
}
