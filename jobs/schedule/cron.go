package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronSchedule is a 5-field cron expression in a zone. Chronos itself only
// knows ISO schedules; cron is a mesosbox extension for people who think in
// crontab.
type cronSchedule struct {
	expr   string // as given, for String
	spec   string // without a CRON_TZ= prefix, for Describe
	fields *cron.SpecSchedule
	loc    *time.Location
	anchor time.Time // the pending run is the first match after this
	next   time.Time // the pending run; zero if the expression never fires
}

// maxCronSteps bounds the walk over matches that resolve to instants not
// after the reference (at most an hour's worth of minutes, in a DST overlap).
const maxCronSteps = 10000

func parseCron(expr string, tz *time.Location, now time.Time) (*cronSchedule, error) {
	c := &cronSchedule{expr: strings.TrimSpace(expr), loc: tz}
	c.spec = c.expr
	if c.expr == "" {
		return nil, fmt.Errorf("empty schedule (expected R[n]/<start>/<period> or a cron expression)")
	}
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		rest, ok := strings.CutPrefix(c.expr, prefix)
		if !ok {
			continue
		}
		name, spec, _ := strings.Cut(rest, " ")
		zone, err := LoadZone(name)
		if err != nil {
			return nil, fmt.Errorf("cron expression %q: %v", c.expr, err)
		}
		if c.loc == nil { // scheduleTimeZone takes precedence, as for ISO starts
			c.loc = zone
		}
		c.spec = strings.TrimSpace(spec)
	}
	if c.loc == nil {
		c.loc = time.UTC
	}
	if strings.HasPrefix(c.spec, "@every") {
		return nil, fmt.Errorf("cron expression %q: @every is not supported; use R/<start>/<period>, e.g. R//PT1H", c.expr)
	}
	parsed, err := cron.ParseStandard(c.spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q is neither R[n]/<start>/<period> nor a 5-field cron expression: %v", c.expr, err)
	}
	fields, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("cron expression %q is not supported", c.expr)
	}
	// The fields are matched against the wall clock held as UTC, so that
	// robfig's hour-by-hour walk never crosses a DST change itself; resolveWall
	// then applies the same gap and overlap rules as ISO schedules.
	f := *fields
	f.Location = time.UTC
	c.fields = &f
	c.anchor = now
	c.next = c.after(now)
	if c.next.IsZero() {
		return nil, fmt.Errorf("cron expression %q never fires", c.expr)
	}
	return c, nil
}

// after returns the first instant strictly after t whose wall clock in the
// zone matches the expression. A match in a spring-forward gap fires at the
// shifted instant (02:30 → 03:30 PDT); a match in the fall-back hour fires
// once, at its first occurrence, so "30 1 * * *" runs once on that night and
// "*/15 * * * *" does not repeat the hour.
func (c *cronSchedule) after(t time.Time) time.Time {
	w := wallClock(t.In(c.loc))
	for range maxCronSteps {
		w = c.fields.Next(w)
		if w.IsZero() {
			return time.Time{}
		}
		if r := resolveWall(w, c.loc, noHint); r.After(t) {
			return r
		}
	}
	return time.Time{}
}

func (c *cronSchedule) skipForward(now time.Time) *cronSchedule {
	next := *c
	next.anchor = now
	next.next = c.after(now)
	return &next
}
