package app

import (
	"fmt"
	"regexp"
	"time"
)

// timestampLayout is Marathon's Timestamp.toString: ISO-8601, UTC, always
// three digits of milliseconds ("2015-08-26T20:23:39.463Z").
const timestampLayout = "2006-01-02T15:04:05.000Z"

// FormatTimestamp renders t the way Marathon prints versions and dates.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(timestampLayout)
}

// ParseTimestamp parses an ISO-8601 date-time with an offset, as Marathon's
// readers accept for "version", and truncates it to milliseconds in UTC so
// that a value read back compares equal to the one written.
//
// The form is checked strictly (Go's parser would also take a one-digit
// hour), and the instant must fall within years 0000 to 9999 in UTC so that
// it can be printed in the same form again.
func ParseTimestamp(s string) (time.Time, error) {
	if !timestampRe.MatchString(s) {
		return time.Time{}, fmt.Errorf("invalid timestamp %q: not ISO-8601", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid timestamp %q: %w", s, err)
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("invalid timestamp %q: out of range", s)
	}
	return t, nil
}

var timestampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$`)

// Stamp sets the version of next, which replaces prev (nil when next is new),
// at time now, following Marathon's VersionInfo rules:
//
//   - a new app, or any configuration change (IsConfigChange), sets
//     lastScalingAt and lastConfigChangeAt to now;
//   - a change of instances only sets lastScalingAt and keeps
//     lastConfigChangeAt, so a scale never looks like a new configuration;
//   - no change keeps both.
//
// A restart is a configuration change without a diff: stamp it with
// prev == nil.
func Stamp(prev, next *App, now time.Time) {
	now = now.UTC().Truncate(time.Millisecond)
	next.Version = now
	switch {
	case prev == nil || IsConfigChange(prev, next):
		next.VersionInfo = &VersionInfo{LastScalingAt: now, LastConfigChangeAt: now}
	case prev.Instances != next.Instances:
		next.VersionInfo = &VersionInfo{LastScalingAt: now, LastConfigChangeAt: lastConfigChange(prev)}
	default:
		if prev.VersionInfo != nil {
			vi := *prev.VersionInfo
			next.VersionInfo = &vi
		} else {
			next.VersionInfo = &VersionInfo{LastScalingAt: prev.Version, LastConfigChangeAt: prev.Version}
		}
	}
}

func lastConfigChange(a *App) time.Time {
	if a.VersionInfo != nil {
		return a.VersionInfo.LastConfigChangeAt
	}
	return a.Version
}
