package app

import (
	"regexp"
	"strings"
)

// idSegmentPattern is Marathon's PathId.ID_PATH_SEGMENT_PATTERN, quoted in
// its error message. Java's Matcher.matches() anchors the whole input, so the
// alternation needs an explicit group in Go.
const idSegmentPattern = `^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$`

var idSegmentRe = regexp.MustCompile(`^(?:(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.))$`)

// reservedLastSegments may not end an app id: they collide with the
// sub-resources of /v2/apps/{id}.
var reservedLastSegments = []string{"restart", "tasks", "versions", ".", ".."}

// splitPath splits an id into its non-empty segments, as PathId.apply does,
// and reports whether it is absolute.
func splitPath(id string) (segments []string, absolute bool) {
	absolute = strings.HasPrefix(id, "/")
	for _, s := range strings.Split(id, "/") {
		if s != "" {
			segments = append(segments, s)
		}
	}
	return segments, absolute
}

// CanonicalPath makes id absolute against base (itself absolute, "/" for the
// root group) and resolves "." and ".." segments, as Marathon's
// PathId.canonicalPath does: ".." above the root stays at the root.
func CanonicalPath(id, base string) string {
	segs, abs := splitPath(id)
	if !abs {
		baseSegs, _ := splitPath(base)
		segs = append(baseSegs, segs...)
	}
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// validatePathID reports the PathId rules Marathon applies to app ids and
// dependencies at path.
func validatePathID(v *Violations, path, id string) {
	segs, abs := splitPath(id)
	for _, s := range segs {
		if !idSegmentRe.MatchString(s) {
			v.Add(path, "must fully match regular expression '"+idSegmentPattern+"'")
			break
		}
	}
	if n := len(segs); n > 0 {
		for _, r := range reservedLastSegments {
			if segs[n-1] == r {
				v.Add(path, "must not end with any of the following reserved keywords: "+strings.Join(reservedLastSegments, ", "))
				break
			}
		}
	}
	if !abs {
		v.Add(path, "Path needs to be absolute")
	}
	if len(segs) == 0 {
		v.Add(path, "Path must contain at least one path element")
	}
}

// ValidatePathID reports at path how id breaks Marathon's PathId rules;
// groups are held to the same rules as apps.
func ValidatePathID(v *Violations, path, id string) { validatePathID(v, path, id) }

// safePath is Marathon's PathId.safePath: the segments joined by "_", used
// in task ids and Mesos names.
func safePath(id string) string {
	segs, _ := splitPath(id)
	return strings.Join(segs, "_")
}
