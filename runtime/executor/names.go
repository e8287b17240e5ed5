package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// idPattern is containerd's rule for identifiers (container ids,
// namespaces); cgroup and directory names are safe under it too.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

const maxIDLen = 76

func validID(s string) bool { return len(s) <= maxIDLen && idPattern.MatchString(s) }

// containerID maps a Mesos task id to a container id, directory and cgroup
// name. A task id that already is a valid identifier is used as it is, so
// `ctr containers ls` shows what Marathon shows. Anything else (Chronos'
// "ct:1700000000:0:job:", ids with spaces or slashes, very long ids) is
// reduced to its safe characters plus a hash of the whole id, which keeps
// distinct task ids distinct.
func containerID(taskID string) string {
	if validID(taskID) {
		return taskID
	}
	var b strings.Builder
	sep := false
	for _, r := range taskID {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		switch {
		case ok:
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			sep = false
		default:
			sep = true
		}
	}
	prefix := b.String()
	if len(prefix) > 56 {
		prefix = strings.TrimRight(prefix[:56], "-")
	}
	sum := sha256.Sum256([]byte(taskID))
	hash := hex.EncodeToString(sum[:])[:16]
	if prefix == "" {
		return "task-" + hash
	}
	return prefix + "-" + hash
}
