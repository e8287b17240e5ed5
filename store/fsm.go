package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"
)

var (
	metaBucket = []byte("_meta")
	appliedKey = []byte("applied")
)

// fsm is the Raft state machine: a bbolt database that is itself durable
// (within a boot of the machine: fsm_unsynced.go).
// Because the database survives restarts, Raft is told not to restore the
// latest snapshot on start (NoSnapshotRestoreOnStart); entries the database
// already holds are recognised by the applied index stored beside them and
// skipped on replay, so a restart costs only the entries written since the
// last commit of the database, not a full rebuild.
type fsm struct {
	path   string
	logger *slog.Logger

	mu sync.RWMutex // guards db while Restore swaps the file
	db *bolt.DB

	// retry runs a commit again after the disk guard freed its reserve
	// (diskguard.go); nil runs it once.
	retry func(op func() error) error

	noSync bool // commits are not synced (fsm_unsynced.go)
}

func openFSM(path string, logger *slog.Logger) (*fsm, error) {
	noSync, err := prepareUnsynced(path, logger)
	if err != nil {
		return nil, err
	}
	db, err := openBolt(path, noSync)
	if err != nil {
		return nil, err
	}
	return &fsm{path: path, logger: logger, db: db, noSync: noSync}, nil
}

func openBolt(path string, noSync bool) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: noSync})
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise state database %s: %w", path, err)
	}
	return db, nil
}

// view runs fn in a read transaction on the current database.
func (f *fsm) view(fn func(tx *bolt.Tx) error) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.db.View(fn)
}

// appliedIndex is the index of the last log entry the database holds.
func (f *fsm) appliedIndex() uint64 {
	var idx uint64
	_ = f.view(func(tx *bolt.Tx) error {
		idx = readApplied(tx)
		return nil
	})
	return idx
}

func readApplied(tx *bolt.Tx) uint64 {
	v := tx.Bucket(metaBucket).Get(appliedKey)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func writeApplied(tx *bolt.Tx, idx uint64) error {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], idx)
	return tx.Bucket(metaBucket).Put(appliedKey, buf[:])
}

// Apply implements raft.FSM for a single entry.
func (f *fsm) Apply(l *raft.Log) interface{} {
	return f.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch implements raft.BatchingFSM: every committed entry of a batch
// is applied in one bbolt transaction, so one fsync covers the whole batch.
func (f *fsm) ApplyBatch(logs []*raft.Log) []interface{} {
	out := make([]interface{}, len(logs))
	f.mu.RLock()
	defer f.mu.RUnlock()
	err := f.commit(func(tx *bolt.Tx) error {
		applied := readApplied(tx)
		last := applied
		for i, l := range logs {
			if l.Index <= applied {
				continue // already in the database: a replay after restart
			}
			last = l.Index
			if l.Type != raft.LogCommand {
				continue
			}
			res, err := applyEncoded(tx, l.Data)
			if err != nil {
				out[i] = err
				continue
			}
			out[i] = res
		}
		if last == applied {
			return nil
		}
		return writeApplied(tx, last)
	})
	if err != nil {
		// The database refused the commit (disk full, I/O error). The
		// applied index did not move, so the entries are replayed from the
		// Raft log on the next start; report the failure to the callers.
		f.logger.Error("state database commit failed", "error", err)
		for i := range out {
			out[i] = fmt.Errorf("store: commit: %w", err)
		}
	}
	return out
}

// commit runs fn in a write transaction, once more if the disk was full
// and the guard could free its reserve: a rolled-back transaction leaves
// nothing behind, so fn may run twice.
func (f *fsm) commit(fn func(tx *bolt.Tx) error) error {
	op := func() error { return f.db.Update(fn) }
	if f.retry == nil {
		return op()
	}
	return f.retry(op)
}

// Snapshot implements raft.FSM. The read transaction opened here is the
// consistent point of the snapshot; Persist streams it out while writes go on.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	tx, err := f.db.Begin(false)
	f.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return &boltSnapshot{tx: tx}, nil
}

// Restore implements raft.FSM: the snapshot is a complete bbolt file that
// replaces the current database.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	tmp := f.path + ".restore"
	if err := writeFileSync(tmp, rc); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: write restored state: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("store: close state for restore: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("store: replace state: %w", err)
	}
	if err := syncDir(filepath.Dir(f.path)); err != nil {
		return err
	}
	db, err := openBolt(f.path, f.noSync)
	if err != nil {
		return err
	}
	f.db = db
	return nil
}

func (f *fsm) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return errors.Join(f.closeUnsynced(), f.db.Close())
}

type boltSnapshot struct{ tx *bolt.Tx }

func (s *boltSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.tx.WriteTo(sink); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *boltSnapshot) Release() { _ = s.tx.Rollback() }

func writeFileSync(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
