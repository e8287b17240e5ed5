package store

// Disk-full handling.
//
// hashicorp/raft does not survive ENOSPC well: a leader whose log write
// fails steps down, and the election that follows panics when it cannot
// persist the new term ("failed to save current term"), so a full disk
// would crash the node, and crash it again on every restart until space
// returns. The store therefore
//
//   - refuses new writes (ErrDiskFull) while the data directory's file
//     system has less than twice the reserve free, before they reach Raft;
//   - keeps a ballast file of the reserve's size in the data directory:
//     when Raft's log or stable store, or the state database, still meets
//     ENOSPC (writes already in flight when the disk filled), the ballast
//     is deleted and the write retried once, so Raft neither steps down nor
//     panics and the state database applies what Raft committed;
//   - puts the ballast back once enough space has returned.

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/hashicorp/raft"
	"golang.org/x/sys/unix"
)

// DefaultDiskReserve is the ballast's size when Config.DiskReserve is 0.
const DefaultDiskReserve = 8 << 20

// ErrDiskFull is returned by Apply while the data directory's disk is too
// full to take writes safely. Reads keep working.
var ErrDiskFull = errors.New("store: the data directory's disk is full; writes are refused until space is freed")

// diskGuard watches the free space of the data directory and owns the
// ballast.
type diskGuard struct {
	dir     string
	reserve int64
	logger  *slog.Logger

	mu      sync.Mutex
	ballast bool // the ballast file is in place
}

func newDiskGuard(dir string, reserve int64, logger *slog.Logger) *diskGuard {
	g := &diskGuard{dir: dir, reserve: reserve, logger: logger}
	g.mu.Lock()
	g.refill()
	g.mu.Unlock()
	return g
}

func (g *diskGuard) path() string { return filepath.Join(g.dir, "disk-reserve") }

// free is the space available to the node on the data directory's disk.
func (g *diskGuard) free() (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(g.dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// check says whether a new write may go to Raft.
func (g *diskGuard) check() error {
	free, err := g.free()
	if err != nil {
		return nil // cannot tell: let the write try
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.ballast {
		g.refill()
	}
	if free < 2*g.reserve || !g.ballast {
		return fmt.Errorf("%w (%d KiB free, %d KiB needed)", ErrDiskFull, free>>10, 2*g.reserve>>10)
	}
	return nil
}

// refill puts the ballast back when the disk has room for it and for the
// writes after it. The caller holds mu.
func (g *diskGuard) refill() {
	if g.ballast {
		return
	}
	if free, err := g.free(); err != nil || free < 3*g.reserve {
		return
	}
	f, err := os.OpenFile(g.path(), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		g.logger.Warn("cannot create the disk reserve", "path", g.path(), "error", err)
		return
	}
	defer f.Close()
	if err := allocate(f, g.reserve); err != nil {
		g.logger.Warn("cannot fill the disk reserve", "path", g.path(), "error", err)
		return
	}
	g.ballast = true
}

// allocate gives f size bytes of real disk blocks (not a sparse hole).
func allocate(f *os.File, size int64) error {
	if err := unix.Fallocate(int(f.Fd()), 0, 0, size); err == nil {
		return nil
	}
	buf := make([]byte, 64<<10)
	for off := int64(0); off < size; off += int64(len(buf)) {
		if _, err := f.WriteAt(buf, off); err != nil {
			return err
		}
	}
	return f.Sync()
}

// release deletes the ballast after a write met ENOSPC and reports whether
// there was one to delete (and so whether a retry can succeed).
func (g *diskGuard) release(cause error) bool {
	if !errors.Is(cause, syscall.ENOSPC) {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.ballast {
		return false
	}
	if err := os.Remove(g.path()); err != nil && !os.IsNotExist(err) {
		g.logger.Error("cannot delete the disk reserve", "path", g.path(), "error", err)
		return false
	}
	g.ballast = false
	g.logger.Error("the data directory's disk is full: used the reserve to finish writes in flight; refusing new writes until space is freed",
		"dir", g.dir, "error", cause)
	return true
}

// retry runs op and, when it fails with ENOSPC and the ballast could be
// released, once more.
func (g *diskGuard) retry(op func() error) error {
	err := op()
	if err != nil && g.release(err) {
		err = op()
	}
	return err
}

// guardedLogs is Raft's log and stable store with the ballast retry.
type guardedLogs struct {
	logs interface {
		raft.LogStore
		raft.StableStore
	}
	g *diskGuard
}

func (l guardedLogs) FirstIndex() (uint64, error)          { return l.logs.FirstIndex() }
func (l guardedLogs) LastIndex() (uint64, error)           { return l.logs.LastIndex() }
func (l guardedLogs) GetLog(i uint64, out *raft.Log) error { return l.logs.GetLog(i, out) }
func (l guardedLogs) Get(k []byte) ([]byte, error)         { return l.logs.Get(k) }
func (l guardedLogs) GetUint64(k []byte) (uint64, error)   { return l.logs.GetUint64(k) }

func (l guardedLogs) StoreLog(log *raft.Log) error {
	return l.g.retry(func() error { return l.logs.StoreLog(log) })
}

func (l guardedLogs) StoreLogs(logs []*raft.Log) error {
	return l.g.retry(func() error { return l.logs.StoreLogs(logs) })
}

func (l guardedLogs) DeleteRange(min, max uint64) error {
	return l.g.retry(func() error { return l.logs.DeleteRange(min, max) })
}

func (l guardedLogs) Set(k, v []byte) error {
	return l.g.retry(func() error { return l.logs.Set(k, v) })
}

func (l guardedLogs) SetUint64(k []byte, v uint64) error {
	return l.g.retry(func() error { return l.logs.SetUint64(k, v) })
}
