package agent

import (
	"log/slog"
	"os"
	"path/filepath"
)

// letTasksTraverse makes the work dir and its parent (the node's data
// dir, created 0700) traversable by everyone, as Mesos requires of its
// work_dir: a task that runs as another user reaches its sandbox by its
// absolute path ($MESOS_SANDBOX). Only x is added, never r: nobody can
// list them, the sandboxes themselves are 0700 and everything else in the
// data dir is 0700 or 0600. Only root switches task users, so only root
// needs this.
func letTasksTraverse(workDir string, log *slog.Logger) {
	if os.Geteuid() != 0 {
		return
	}
	for _, dir := range []string{workDir, filepath.Dir(workDir)} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o011 == 0o011 {
			continue
		}
		mode := fi.Mode().Perm() | 0o011
		if err := os.Chmod(dir, mode); err != nil {
			log.Warn("tasks running as other users may not reach their sandboxes", "dir", dir, "err", err)
			continue
		}
		log.Info("made traversable for task users", "dir", dir, "mode", mode)
	}
	for dir := filepath.Dir(filepath.Dir(workDir)); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o001 == 0 {
			log.Warn("a parent of the agent's work dir is not traversable: tasks running as other users cannot reach their sandboxes by path", "dir", dir)
		}
		if dir == filepath.Dir(dir) {
			return
		}
	}
}
