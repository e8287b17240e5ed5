package executor

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Credential is the host identity a task runs as.
type Credential struct {
	UID, GID uint32
	// Groups are the supplementary groups of the user's passwd entry.
	Groups []uint32
}

// LookupUser resolves a task user on the host: "name", "uid",
// "name:group" or "uid:gid". A numeric uid needs no passwd entry (its gid
// is then the uid unless one is given). The error is Mesos' wording, meant
// for the task's TASK_FAILED message.
func LookupUser(spec string) (Credential, error) {
	c, err := lookupCredential(spec)
	if err != nil {
		return Credential{}, fmt.Errorf("Failed to get user information for '%s': %v", spec, err)
	}
	return c, nil
}

func lookupCredential(spec string) (Credential, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	if name == "" || (hasGroup && group == "") {
		return Credential{}, fmt.Errorf("want user, uid, user:group or uid:gid")
	}
	var c Credential
	u, err := user.Lookup(name)
	if err != nil && isID(name) {
		u, err = user.LookupId(name)
	}
	switch {
	case err == nil:
		c.UID, c.GID = atou(u.Uid), atou(u.Gid)
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				c.Groups = append(c.Groups, atou(id))
			}
		}
	case isID(name):
		c.UID, c.GID = atou(name), atou(name)
	default:
		return Credential{}, err
	}
	if hasGroup {
		g, err := user.LookupGroup(group)
		if err != nil && isID(group) {
			g, err = user.LookupGroupId(group)
		}
		switch {
		case err == nil:
			c.GID = atou(g.Gid)
		case isID(group):
			c.GID = atou(group)
		default:
			return Credential{}, err
		}
	}
	return c, nil
}

func isID(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

func atou(s string) uint32 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

// sandboxMode keeps a sandbox to its task's user (and root, which serves
// /files): tasks of other users can neither list nor read it.
const sandboxMode = 0o700

// GiveSandbox hands a sandbox to the task's user, as Mesos chowns it to
// the task's user: the directory with what the fetcher put there, and the
// stdout and stderr files, created now so that they belong to the user
// even though root (the task supervisor or containerd's logger) writes them.
// Symlinks are changed themselves, never what they point to. Without root
// only the mode is set: nobody else's files can be given away.
func GiveSandbox(dir string, c Credential) error {
	for _, name := range []string{"stdout", "stderr"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		f.Close()
	}
	if err := os.Chmod(dir, sandboxMode); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(c.UID), int(c.GID))
	})
	if err != nil {
		return fmt.Errorf("sandbox: give it to uid %d: %w", c.UID, err)
	}
	return nil
}

// giveHostSandbox resolves a host task's user and gives it the sandbox;
// a task without a user runs as the executor's own user, who keeps it.
func giveHostSandbox(s Spec) error {
	c := Credential{UID: uint32(os.Geteuid()), GID: uint32(os.Getegid())}
	if s.User != "" {
		var err error
		if c, err = LookupUser(s.User); err != nil {
			return err
		}
	}
	return GiveSandbox(s.Sandbox, c)
}
