package store

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// The state database commits without an fsync of its own (bbolt's NoSync):
// each Raft entry was already synced to the Raft log, and a second sync of
// the same change, in the state database, made every write wait for the
// disk twice. Writes that are not synced survive a crash of the process
// (they are in the kernel's page cache) but not a crash of the machine,
// after which the database may have lost its latest commits or be torn.
//
// So the database is trusted only within one boot of the machine: while
// it is open, the file beside it (unsyncedSuffix) names the boot it is
// written in; a clean close syncs the database and removes the file. A
// start that finds the file from another boot puts the database aside and
// rebuilds it from what is synced: the newest Raft snapshot
// (catchUpFromSnapshot) and the Raft log after it, which Raft applies
// again. Where the boot cannot be told (no /proc), every commit is synced.

const (
	unsyncedSuffix  = ".unsynced"  // beside the database while it may hold unsynced commits
	discardedSuffix = ".discarded" // the database put aside after a machine crash
)

// bootIDFile identifies the running boot of the machine.
var bootIDFile = "/proc/sys/kernel/random/boot_id"

func currentBoot() string {
	b, err := os.ReadFile(bootIDFile)
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
}

// prepareUnsynced checks the database at path before it is opened and
// reports whether it may commit without syncing. A database left unsynced
// by an earlier boot is moved aside, to be rebuilt.
func prepareUnsynced(path string, logger *slog.Logger) (noSync bool, err error) {
	marker := path + unsyncedSuffix
	boot := currentBoot()
	written, err := os.ReadFile(marker)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return false, fmt.Errorf("store: read %s: %w", marker, err)
	case string(written) != boot || boot == "":
		if _, err := os.Stat(path); err == nil {
			logger.Warn("the state database was not synced before the machine restarted; rebuilding it from the Raft snapshot and log",
				"database", path, "put_aside", path+discardedSuffix)
			if err := os.Rename(path, path+discardedSuffix); err != nil {
				return false, fmt.Errorf("store: put the unsynced state database aside: %w", err)
			}
		}
	}
	if boot == "" {
		if err := os.Remove(marker); err != nil && !os.IsNotExist(err) {
			return false, err
		}
		return false, nil
	}
	if err := writeFileSync(marker, bytes.NewReader([]byte(boot))); err != nil {
		return false, fmt.Errorf("store: write %s: %w", marker, err)
	}
	return true, syncDir(filepath.Dir(path))
}

// closeUnsynced syncs the database and removes the marker: the file is
// whole on disk, whatever happens to the machine next.
func (f *fsm) closeUnsynced() error {
	if !f.noSync {
		return nil
	}
	if err := f.db.Sync(); err != nil {
		return err
	}
	if err := os.Remove(f.path + unsyncedSuffix); err != nil && !os.IsNotExist(err) {
		return err
	}
	return syncDir(filepath.Dir(f.path))
}
