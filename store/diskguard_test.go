package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"testing"

	"github.com/hashicorp/raft"
)

// fullOnce is a log store whose first write fails with ENOSPC, as a write
// in flight when the disk filled does.
type fullOnce struct {
	raft.LogStore
	raft.StableStore
	writes int
}

func (f *fullOnce) StoreLogs([]*raft.Log) error {
	f.writes++
	if f.writes == 1 {
		return fmt.Errorf("write raft.db: %w", syscall.ENOSPC)
	}
	return nil
}

func (f *fullOnce) SetUint64([]byte, uint64) error { return syscall.ENOSPC }

func TestDiskGuardSpendsItsReserveOnWritesInFlight(t *testing.T) {
	dir := t.TempDir()
	g := newDiskGuard(dir, 1<<20, slog.New(slog.DiscardHandler))
	if _, err := os.Stat(g.path()); err != nil || !g.ballast {
		t.Fatalf("no ballast after start: %v", err)
	}
	if err := g.check(); err != nil {
		t.Fatalf("a roomy disk refused a write: %v", err)
	}
	inner := &fullOnce{}
	logs := guardedLogs{logs: inner, g: g}
	// The log write in flight is retried on the reserve and succeeds: Raft
	// never sees the ENOSPC that would make its leader step down.
	if err := logs.StoreLogs(nil); err != nil || inner.writes != 2 {
		t.Fatalf("StoreLogs: %v after %d writes", err, inner.writes)
	}
	if _, err := os.Stat(g.path()); !os.IsNotExist(err) {
		t.Fatalf("the ballast is still there: %v", err)
	}
	// With the reserve spent, a second ENOSPC is passed on.
	if err := logs.SetUint64([]byte("k"), 1); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("SetUint64 without a reserve: %v", err)
	}
	// New writes are taken again once the reserve is back in place, which
	// check does as soon as the disk has room.
	if err := g.check(); err != nil {
		t.Fatalf("check on a roomy disk: %v", err)
	}
	if !g.ballast {
		t.Fatal("the ballast was not put back")
	}
}

func TestDiskGuardRefusesWritesOnAFullDisk(t *testing.T) {
	g := newDiskGuard(t.TempDir(), 1<<60, slog.New(slog.DiscardHandler))
	if err := g.check(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("a disk with less than twice the reserve free: %v", err)
	}
}
