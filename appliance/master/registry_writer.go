package master

import (
	"context"
	"log/slog"
	"sync"
	"time"

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
type registryWriter struct {
	st  *store.Store
	log *slog.Logger

	mu        sync.Mutex
	changed   *sync.Cond // committed moved, or the writer stopped
	queue     []store.Command
	queued    uint64 // changes ever queued
	committed uint64 // changes whose batch finished (applied or failed)
	stopped   bool

	wake chan struct{}
	done chan struct{}
}

func newRegistryWriter(st *store.Store, log *slog.Logger) *registryWriter {
	w := &registryWriter{st: st, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.changed = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// add queues a change.
func (w *registryWriter) add(cmd store.Command) {
	w.mu.Lock()
	w.queue = append(w.queue, cmd)
	w.queued++
	w.mu.Unlock()
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
		exit := w.stopped && len(w.queue) == 0
		w.changed.Broadcast()
		w.mu.Unlock()
		if exit {
			return
		}
	}
}

// commitQueued commits the queued changes; it reports false when there
// were none.
func (w *registryWriter) commitQueued() bool {
	w.mu.Lock()
	batch := w.queue
	w.queue = nil
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
	w.committed += uint64(len(batch))
	w.changed.Broadcast()
	w.mu.Unlock()
	return true
}
