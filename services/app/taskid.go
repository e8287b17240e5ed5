package app

import (
	"regexp"
	"strings"
)

// Task ids since Marathon 1.9 name the app, the instance and the
// incarnation of the task: "<safe app path>.instance-<uuid>._app.<n>",
// where the safe path joins the app's segments with "_" (group separators
// become "_"; dots inside a segment stay). Older ids are still parsed:
// "<app>.instance-<uuid>.$anon" and "<app>.marathon-<uuid>..." (1.4 to
// 1.8) and "<app>.<uuid>" or "<app>_<uuid>" (before 1.4), with an optional
// ".<attempt>" for resident tasks.

// TaskIncarnationContainer is the container part of an app task id (pods
// use the container name).
const TaskIncarnationContainer = "_app"

var taskIDPatterns = []*regexp.Regexp{
	// 1.9+: app.instance-uuid.container.incarnation
	regexp.MustCompile(`^(.+)\.(?:instance-|marathon-)([^_.]+)\.([^.]+)\.(\d+)$`),
	// 1.5-1.8 resident: app.instance-uuid[._]container.attempt
	regexp.MustCompile(`^(.+)\.(?:instance-|marathon-)([^_.]+)[._]([^_.]+)\.(\d+)$`),
	// 1.4-1.8: app.instance-uuid[._]container
	regexp.MustCompile(`^(.+)\.(?:instance-|marathon-)([^_.]+)[._]([^_.]+)$`),
	// legacy resident: app[._]uuid.attempt
	regexp.MustCompile(`^(.+)[._]([^_.]+)\.(\d+)$`),
	// legacy: app[._]uuid
	regexp.MustCompile(`^(.+)[._]([^_.]+)$`),
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+$`)

// NewTaskID returns the id of the first incarnation of an instance of app
// appID; uuid identifies the instance (Marathon uses a time-based UUID).
func NewTaskID(appID, uuid string) string {
	return safePath(appID) + ".instance-" + uuid + "." + TaskIncarnationContainer + ".1"
}

// ParseTaskID returns the absolute id of the app a task id belongs to. It
// accepts every form Marathon has produced; ok is false when s is none of
// them (a form only fits when its uuid part is a UUID in
// java.util.UUID.fromString's lenient sense), or when the app path it names
// has an empty segment or a "/".
func ParseTaskID(s string) (appID string, ok bool) {
	for _, re := range taskIDPatterns {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		if len(m[2]) > 36 || !uuidRe.MatchString(m[2]) {
			continue // Marathon gives up here; a later form may still fit
		}
		return fromSafePath(m[1])
	}
	return "", false
}

// fromSafePath is Marathon's PathId.fromSafePath: segments separated by
// "_". A safe path never holds "/" nor empty segments; such input names no
// app.
func fromSafePath(s string) (string, bool) {
	if strings.Contains(s, "/") {
		return "", false
	}
	segs := strings.Split(s, "_")
	for _, seg := range segs {
		if seg == "" {
			return "", false
		}
	}
	return "/" + strings.Join(segs, "/"), true
}
