package agent

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// Task checkpoints are group-committed. Under a.mu a change only records
// the task's new record (saveTaskLocked) or its removal (removeTaskLocked);
// flushCheckpoints writes everything recorded so far outside the mutex,
// with the files' fsyncs running in parallel (the file system commits them
// together) and one fsync of the directory for all the renames. The
// sender flushes before it posts any update, and once more as the agent
// stops, so an update the master has seen is always checkpointed first,
// as before; but a burst
// of launches and updates costs a few fsyncs instead of two per update,
// and none of them holds up the agent's mutex.

// ckptWriters bounds the files written at once by one flush.
const ckptWriters = 16

// checkpointBatch is the agent's checkpoint changes not flushed yet.
type checkpointBatch struct {
	flushMu sync.Mutex        // flushes commit in order: a later one has newer records
	dirty   map[string][]byte // file -> new content, nil for a removal; under the agent's mu
}

func (a *Agent) saveTaskLocked(r *taskRecord) {
	b, err := json.Marshal(r)
	if err != nil {
		a.log.Error("cannot encode task checkpoint", "task", r.Info.TaskID.Value, "err", err)
		return
	}
	a.batchLocked().dirty[a.ckpt.taskFile(r)] = b
}

func (a *Agent) removeTaskLocked(r *taskRecord) {
	a.batchLocked().dirty[a.ckpt.taskFile(r)] = nil
}

func (a *Agent) batchLocked() *checkpointBatch {
	if a.ckpt.batch == nil {
		a.ckpt.batch = &checkpointBatch{}
	}
	if a.ckpt.batch.dirty == nil {
		a.ckpt.batch.dirty = map[string][]byte{}
	}
	return a.ckpt.batch
}

// flushCheckpoints makes every checkpoint change recorded so far durable.
func (a *Agent) flushCheckpoints() {
	a.mu.Lock()
	cb := a.batchLocked()
	a.mu.Unlock()
	cb.flushMu.Lock()
	defer cb.flushMu.Unlock()
	a.mu.Lock()
	batch := cb.dirty
	cb.dirty = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if err := commitFiles(a.ckpt.tasksDir(), batch); err != nil {
		a.log.Error("cannot checkpoint tasks", "files", len(batch), "err", err)
	}
}

// commitFiles replaces (or, for a nil value, removes) the files of batch,
// all in dir, so that a crash leaves each either old or new: temporary
// files written and fsynced in parallel, renamed over, then one fsync of
// the directory.
func commitFiles(dir string, batch map[string][]byte) error {
	type written struct{ tmp, path string }
	var (
		mu   sync.Mutex
		done []written
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, ckptWriters)
	)
	for path, data := range batch {
		if data == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			tmp, err := writeSynced(path, data)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			done = append(done, written{tmp, path})
		}()
	}
	wg.Wait()
	for _, w := range done {
		if err := os.Rename(w.tmp, w.path); err != nil {
			os.Remove(w.tmp)
			errs = append(errs, err)
		}
	}
	for path, data := range batch {
		if data == nil {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if d, err := os.Open(dir); err == nil {
		errs = append(errs, d.Sync())
		d.Close()
	}
	return errors.Join(errs...)
}

// writeSynced writes data to a new temporary file beside path and fsyncs
// it; the caller renames it into place.
func writeSynced(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
