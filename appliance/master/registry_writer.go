package master

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/store"
)

// registryWriter applies the master's registry changes through Raft in the
// order they were made, without the master's mutex. A change is queued in
// O(1) under the mutex; one goroutine commits everything queued so far with
// one store.ApplyBatch (one Raft round-trip and one fsync for a whole
// ACCEPT of many tasks, or a burst of status updates), while the next batch
// queues up behind it. Before the master answers a request (a status
// update's 202, a scheduler call) it waits, outside the mutex, until its
// changes are committed: an acknowledged update is still durable.
//
// Status changes an agent reported are the exception (addStatuses): they
// wait up to statusWriteDelay, or until the next batch, and no answer
// waits for them.
type registryWriter struct {
	st    *store.Store
	log   *slog.Logger
	clock clock.Clock

	mu        sync.Mutex
	changed   *sync.Cond // committed moved, or the writer stopped
	queue     []store.Command
	queued    uint64 // changes ever queued
	committed uint64 // changes whose batch finished (applied or failed)
	stopped   bool

	statuses    map[string]PutTaskStatuses // the latest waiting per task, by "framework/task"
	statusTimer clock.Timer                // armed while statuses wait

	wake chan struct{}
	done chan struct{}
}

func newRegistryWriter(st *store.Store, log *slog.Logger, clk clock.Clock) *registryWriter {
	w := &registryWriter{st: st, log: log, clock: clk, statuses: map[string]PutTaskStatuses{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.changed = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// add queues a change. A change of a task's record or statuses, or its
// removal, supersedes the statuses of that task still waiting.
func (w *registryWriter) add(cmd store.Command) {
	w.mu.Lock()
	switch c := cmd.(type) {
	case PutTask:
		delete(w.statuses, c.Task.FrameworkID+"/"+c.Task.Info.TaskID.Value)
	case PutTaskStatuses: // newer than the waiting ones, which would follow it
		delete(w.statuses, c.FrameworkID+"/"+c.TaskID)
	case RemoveTask:
		delete(w.statuses, c.FrameworkID+"/"+c.TaskID)
	case RemoveFramework:
		for k, st := range w.statuses {
			if st.FrameworkID == c.ID {
				delete(w.statuses, k)
			}
		}
	}
	w.queue = append(w.queue, cmd)
	w.queued++
	w.mu.Unlock()
	w.poke()
}

// statusWriteDelay bounds how long a status change an agent reported
// waits before the registry writes it.
const statusWriteDelay = 100 * time.Millisecond

// addStatuses queues the statuses of a task an agent reported a change
// of. They are written with the next batch, or after statusWriteDelay at
// the latest, and only the latest statuses of a task are: a task that
// went STARTING then RUNNING meanwhile is written once. sync does not wait
// for them.
//
// Why they may wait: nothing depends on their being durable. The agent
// keeps an update until the framework acknowledges it and sends it again
// to the next leader, and an agent re-registering reports the state of
// each of its tasks; Mesos' master does not persist task states at all.
// Why they should: written at once, each one took a Raft commit of its
// own right when the framework commits the same update, on the same log,
// so the framework's write, and with it the acknowledgement and the
// task's next update, queued behind the master's.
func (w *registryWriter) addStatuses(c PutTaskStatuses) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.statuses[c.FrameworkID+"/"+c.TaskID] = c
	if w.statusTimer == nil {
		w.statusTimer = w.clock.AfterFunc(statusWriteDelay, w.poke)
	}
}

func (w *registryWriter) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// sync waits until every change queued before the call is committed.
func (w *registryWriter) sync() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for target := w.queued; w.committed < target && !w.stopped; {
		w.changed.Wait()
	}
}

// stop commits what is queued and ends the writer.
func (w *registryWriter) stop() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	w.stopped = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	case <-w.done:
	}
	<-w.done
}

func (w *registryWriter) run() {
	defer close(w.done)
	for range w.wake {
		for w.commitQueued() {
		}
		w.mu.Lock()
		// A change added after the drain above brought its own wake-up.
		exit := w.stopped && len(w.queue) == 0 && len(w.statuses) == 0
		w.changed.Broadcast()
		w.mu.Unlock()
		if exit {
			return
		}
	}
}

// commitQueued commits the queued changes and the waiting statuses, after
// them (a status follows the PutTask of its task); it reports false when
// there were none.
func (w *registryWriter) commitQueued() bool {
	w.mu.Lock()
	batch := w.queue
	changes := len(batch)
	w.queue = nil
	for _, k := range slices.Sorted(maps.Keys(w.statuses)) {
		batch = append(batch, w.statuses[k])
	}
	clear(w.statuses)
	if w.statusTimer != nil {
		w.statusTimer.Stop()
		w.statusTimer = nil
	}
	w.mu.Unlock()
	if len(batch) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	res, err := w.st.ApplyBatch(ctx, batch)
	cancel()
	// A failed write is logged, not retried: the in-memory state is still
	// right (and a new leader reconciles with its agents), and the next
	// change of the same record rewrites it.
	if err != nil {
		w.log.Error("registry write failed", "changes", len(batch)-len(res), "error", err)
	}
	for i, r := range res {
		if e, ok := r.(error); ok {
			w.log.Error("registry write refused", "command", batch[i].CommandType(), "error", e)
		}
	}
	w.mu.Lock()
	w.committed += uint64(changes)
	w.changed.Broadcast()
	w.mu.Unlock()
	return true
}
