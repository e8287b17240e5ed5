package schedule

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// isoPattern is Chronos' Iso8601Expressions regex, anchored as Scala's
// pattern match is: R with an optional count, a start that may be empty, and
// a period.
var isoPattern = regexp.MustCompile(`^(R[0-9]*)/(.*)/(P.*)$`)

// Schedule is a parsed job schedule: an ISO 8601 repeating interval
// (R[n]/<start>/<period>) or a 5-field cron expression. It is an immutable
// value; SkipForward returns a new one. The zero Schedule never runs.
//
// The model is Chronos 3's. A schedule has one pending run, due at Start().
// It is due once Start() <= now and runs are left. Launching the run calls
// SkipForward, which moves the start past now by whole periods and uses up
// one run, however many periods were missed: a job whose scheduler was down
// for ten periods runs once to catch up, not ten times and not zero times.
type Schedule struct {
	iso  *isoSchedule
	cron *cronSchedule
}

// Parse reads a schedule the way Chronos reads the "schedule" and
// "scheduleTimeZone" fields of a job.
//
// An ISO expression is R[n]/<start>/<period>: "R" repeats forever, "Rn" runs
// n more times, "R0" is used up. An empty start means now minus one second.
// The start may carry an offset; scheduleTimeZone (tz), when set, takes
// precedence: the wall-clock fields are kept and the zone replaced (Joda's
// withZoneRetainFields), so "R/2024-03-10T02:30:00Z/P1D" with tz
// "America/New_York" runs at 02:30 New York time. Without tz the start's own
// offset is the zone (a fixed offset, no DST), and UTC when it has none.
//
// Anything else is taken as a standard 5-field cron expression (robfig/cron:
// "0 2 * * 1-5", or "@hourly", "@daily", ...; "CRON_TZ=<zone> " may prefix
// it), evaluated on the wall clock of tz. For cron, now is the reference
// point: the pending run is the first matching time strictly after it. A
// caller that must not lose a run across a restart passes the persisted
// Anchor of the schedule it had, not the wall-clock now.
func Parse(expr, tz string, now time.Time) (Schedule, error) {
	var loc *time.Location
	if tz != "" {
		var err error
		if loc, err = LoadZone(tz); err != nil {
			return Schedule{}, err
		}
	}
	if m := isoPattern.FindStringSubmatch(expr); m != nil {
		iso, err := parseISO(m[1], m[2], m[3], loc, now)
		if err != nil {
			return Schedule{}, err
		}
		return Schedule{iso: iso}, nil
	}
	if strings.HasPrefix(expr, "R") && strings.Contains(expr, "/") {
		return Schedule{}, fmt.Errorf("schedule %q is not R[n]/<start>/<period> (e.g. R/2024-03-10T02:30:00Z/P1D)", expr)
	}
	c, err := parseCron(expr, loc, now)
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{cron: c}, nil
}

// IsCron reports whether the schedule is a cron expression.
func (s Schedule) IsCron() bool { return s.cron != nil }

// Start is the due time of the pending run (zero for the zero Schedule). For
// an exhausted ISO schedule it is the start that will never run.
func (s Schedule) Start() time.Time {
	switch {
	case s.iso != nil:
		return s.iso.start
	case s.cron != nil:
		return s.cron.next
	}
	return time.Time{}
}

// Anchor is the instant the schedule counts from: the start for ISO, and for
// cron the reference time whose next match is the pending run (pass it as
// Parse's now to rebuild the same schedule).
func (s Schedule) Anchor() time.Time {
	if s.cron != nil {
		return s.cron.anchor
	}
	return s.Start()
}

// Remaining returns the runs left: (n, false) for Rn, (0, true) for R and
// for cron, which repeat forever.
func (s Schedule) Remaining() (n int, infinite bool) {
	switch {
	case s.iso != nil && s.iso.remaining >= 0:
		return s.iso.remaining, false
	case s.iso != nil || s.cron != nil:
		return 0, true
	}
	return 0, false
}

// Due reports whether the pending run should be launched at now: runs are
// left and Start() <= now.
func (s Schedule) Due(now time.Time) bool {
	switch {
	case s.iso != nil:
		return s.iso.remaining != 0 && !s.iso.start.After(now)
	case s.cron != nil:
		return !s.cron.next.IsZero() && !s.cron.next.After(now)
	}
	return false
}

// SkipForward is what launching the pending run at now does to the schedule
// (Chronos 3's JobUtils.skipForward): the start moves to the first run time
// strictly after now, reached from the old start by whole periods, and one run
// is used up. Ten missed periods collapse into the one run being launched.
// A schedule that is not due is returned unchanged, so a manual run of a job
// does not consume a scheduled one.
//
// Chronos 3.0's code subtracted skips+1 from the count; that loses runs (an
// R5 job launched on time went to R3) and throws on a job whose missed periods
// outnumber its count. Here the count drops by exactly one per launch.
func (s Schedule) SkipForward(now time.Time) Schedule {
	if !s.Due(now) {
		return s
	}
	if s.iso != nil {
		return Schedule{iso: s.iso.skipForward(now)}
	}
	return Schedule{cron: s.cron.skipForward(now)}
}

// Next returns the due time of the first run strictly after `after`, as the
// scheduler would see it from `after`: a run pending at `after` (Due(after))
// counts as launched then, uses up its repetition, and is not returned. It
// reports false when no run is left.
func (s Schedule) Next(after time.Time) (time.Time, bool) {
	next := s.NextN(after, 1)
	if len(next) == 0 {
		return time.Time{}, false
	}
	return next[0], true
}

// NextN returns up to n run times strictly after from, in order, following
// Next's rules (the UI's "next runs" preview). Every run is assumed to be
// launched on time.
func (s Schedule) NextN(from time.Time, n int) []time.Time {
	cur := s.SkipForward(from)
	var out []time.Time
	for len(out) < n && cur.pending() {
		t := cur.Start()
		out = append(out, t)
		cur = cur.SkipForward(t)
	}
	return out
}

// pending reports whether the schedule still has a run to come.
func (s Schedule) pending() bool {
	switch {
	case s.iso != nil:
		return s.iso.remaining != 0
	case s.cron != nil:
		return !s.cron.next.IsZero()
	}
	return false
}

// String gives the schedule back in Chronos' form. For ISO that is the
// canonical expression Chronos writes after a launch,
// "R5/2024-03-10T01:30:00.000-08:00/P1D" ("R/..." when infinite), the start
// with milliseconds and its offset (Z for zero); for cron it is the original
// expression.
func (s Schedule) String() string {
	switch {
	case s.iso != nil:
		return s.iso.String()
	case s.cron != nil:
		return s.cron.expr
	}
	return ""
}

// Location is the zone the schedule's wall-clock times are read in.
func (s Schedule) Location() *time.Location {
	switch {
	case s.iso != nil:
		return s.iso.loc
	case s.cron != nil:
		return s.cron.loc
	}
	return time.UTC
}

// Expired is Chronos 2.x's epsilon rule: a run due at due that has not been
// launched by due+epsilon is skipped rather than run late. The caller counts
// the skip and moves the schedule on with SkipForward.
func Expired(due, now time.Time, epsilon time.Duration) bool {
	return now.After(due.Add(epsilon))
}
