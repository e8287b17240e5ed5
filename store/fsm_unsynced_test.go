package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeKeys applies keys from..to-1 and returns the store.
func writeKeys(t *testing.T, s *Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := s.Apply(context.Background(), putCmd{Key: fmt.Sprint(i), Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}
}

func haveKeys(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, ok := get(t, s, fmt.Sprint(i)); !ok {
			t.Fatalf("key %d of %d lost", i, n)
		}
	}
}

// A state database left unsynced by an earlier boot of the machine (its
// marker names another boot) is put aside, however it looks, and rebuilt
// from the newest snapshot and the Raft log after it; every committed
// write is there. Here the database is even destroyed outright.
func TestStateRebuiltAfterMachineCrash(t *testing.T) {
	for _, snapshot := range []bool{false, true} {
		t.Run(fmt.Sprintf("snapshot=%v", snapshot), func(t *testing.T) {
			dir, addr := t.TempDir(), freePort(t)
			// One trailing entry: the snapshot compacts the log, so the
			// first 40 keys can only come back from the snapshot.
			open := func() *Store {
				s, err := Open(Config{Dir: dir, NodeID: "n1", Bind: addr, Bootstrap: true, Timeouts: FastTimeouts, TrailingLogs: 1})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			s := open()
			waitLeader(t, s)
			writeKeys(t, s, 0, 40)
			if snapshot {
				if err := s.Snapshot(); err != nil {
					t.Fatal(err)
				}
			}
			writeKeys(t, s, 40, 80)
			db := filepath.Join(dir, "state.db")
			if _, err := os.Stat(db + unsyncedSuffix); err != nil {
				t.Fatalf("no marker while the database is open: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(db + unsyncedSuffix); !os.IsNotExist(err) {
				t.Fatalf("marker left after a clean close: %v", err)
			}
			// The machine crashed with the database open in another boot.
			if err := os.WriteFile(db+unsyncedSuffix, []byte("another-boot"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(db, make([]byte, 64<<10), 0o600); err != nil {
				t.Fatal(err)
			}
			s = open()
			defer s.Close()
			waitLeader(t, s)
			writeKeys(t, s, 80, 81) // a commit: Raft applies the log again
			haveKeys(t, s, 81)
			if _, err := os.Stat(db + discardedSuffix); err != nil {
				t.Fatalf("the unsynced database was not put aside: %v", err)
			}
		})
	}
}

// Within the same boot (the process was killed, the page cache kept its
// writes) the database is kept as it is.
func TestStateKeptWithinBoot(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	s := openTest(t, dir, "n1", addr, true)
	waitLeader(t, s)
	writeKeys(t, s, 0, 20)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "state.db")
	if err := os.WriteFile(db+unsyncedSuffix, []byte(currentBoot()), 0o600); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, "n1", addr, true)
	defer s.Close()
	waitLeader(t, s)
	haveKeys(t, s, 20)
	if _, err := os.Stat(db + discardedSuffix); !os.IsNotExist(err) {
		t.Fatalf("the database was put aside within the same boot: %v", err)
	}
}

// Where the boot cannot be told, every commit is synced and no marker is
// written.
func TestStateSyncedWithoutBootID(t *testing.T) {
	old := bootIDFile
	bootIDFile = filepath.Join(t.TempDir(), "none")
	defer func() { bootIDFile = old }()
	dir, addr := t.TempDir(), freePort(t)
	s := openTest(t, dir, "n1", addr, true)
	defer s.Close()
	waitLeader(t, s)
	writeKeys(t, s, 0, 5)
	if s.fsm.noSync {
		t.Fatal("commits unsynced without a boot id")
	}
	if _, err := os.Stat(filepath.Join(dir, "state.db"+unsyncedSuffix)); !os.IsNotExist(err) {
		t.Fatalf("marker written without a boot id: %v", err)
	}
}
