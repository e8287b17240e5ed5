package agent

import (
	"encoding/json"
	"sync"
)

// Task checkpoints are group-committed. Under a.mu a change only marks
// the task's record as changed (saveTaskLocked) or removed
// (removeTaskLocked); flushCheckpoints encodes each marked record once, as
// it is then, and writes them outside the mutex, as lines appended to the
// checkpoint log with one fdatasync for all of them (checkpoint_log.go).
// The sender flushes before it posts any update, and once more as the
// agent stops, so an update the master has seen is always checkpointed
// first; but a burst of launches and updates costs a few syncs instead of
// two per update, a task changed several times between two flushes is
// encoded once, and no sync holds up the agent's mutex.

// checkpointBatch is the agent's checkpoint changes not flushed yet, and
// the log they go to.
type checkpointBatch struct {
	flushMu sync.Mutex             // flushes commit in order: a later one has newer records
	dirty   map[string]*taskRecord // task key -> changed record, nil for a removal; under the agent's mu
	log     *taskLog               // under flushMu; opened by loadTasks
}

func (a *Agent) saveTaskLocked(r *taskRecord) { a.batchLocked().dirty[checkpointKey(r)] = r }

func (a *Agent) removeTaskLocked(r *taskRecord) { a.batchLocked().dirty[checkpointKey(r)] = nil }

func (a *Agent) batchLocked() *checkpointBatch {
	if a.ckpt.batch.dirty == nil {
		a.ckpt.batch.dirty = map[string]*taskRecord{}
	}
	return a.ckpt.batch
}

// flushCheckpoints makes every checkpoint change recorded so far durable.
func (a *Agent) flushCheckpoints() {
	cb := a.ckpt.batch
	cb.flushMu.Lock()
	defer cb.flushMu.Unlock()
	a.mu.Lock()
	batch := a.encodeDirtyLocked()
	a.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if cb.log == nil { // closed by Stop; a late change still gets written
		l, _, bad, err := openTaskLog(a.ckpt.dir)
		if err != nil {
			a.log.Error("cannot open the task checkpoint log", "err", err)
			return
		}
		for _, err := range bad {
			a.log.Error("ignoring an unreadable task checkpoint", "err", err)
		}
		cb.log = l
	}
	if err := cb.log.append(batch); err != nil {
		a.log.Error("cannot checkpoint tasks", "tasks", len(batch), "err", err)
		return
	}
	if cb.log.needsCompaction() {
		l, err := cb.log.compact()
		if err != nil {
			a.log.Error("cannot compact the task checkpoint log", "err", err)
			return
		}
		cb.log = l
	}
}

// encodeDirtyLocked takes the changes recorded since the last flush,
// encoded (nil for a removal).
func (a *Agent) encodeDirtyLocked() map[string][]byte {
	cb := a.ckpt.batch
	batch := make(map[string][]byte, len(cb.dirty))
	for key, r := range cb.dirty {
		if r == nil {
			batch[key] = nil
			continue
		}
		b, err := json.Marshal(r)
		if err != nil {
			a.log.Error("cannot encode task checkpoint", "task", r.Info.TaskID.Value, "err", err)
			continue
		}
		batch[key] = b
	}
	cb.dirty = nil
	return batch
}

// closeLog closes the checkpoint log once the agent is done with it.
func (c checkpoints) closeLog() {
	c.batch.flushMu.Lock()
	defer c.batch.flushMu.Unlock()
	c.batch.log.close()
	c.batch.log = nil
}
