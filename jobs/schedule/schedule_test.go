package schedule

import (
	"strings"
	"testing"
	"time"
)

// at parses an RFC 3339 time for the tables.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParse(t testing.TB, expr, tz string, now time.Time) Schedule {
	t.Helper()
	s, err := Parse(expr, tz, now)
	if err != nil {
		t.Fatalf("Parse(%q, %q): %v", expr, tz, err)
	}
	return s
}

// checkNextN parses expr at from and compares its next runs, in UTC.
func checkNextN(t *testing.T, expr, tz, from string, want []string) Schedule {
	t.Helper()
	at0 := at(t, from)
	s := mustParse(t, expr, tz, at0)
	got := utcStrings(s.NextN(at0, len(want)))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("NextN:\n got %v\nwant %v", got, want)
	}
	return s
}

func utcStrings(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, v := range ts {
		out[i] = v.UTC().Format(time.RFC3339Nano)
	}
	return out
}

// TestDST runs P1D, PT24H and PT1H schedules over both DST changes of 2024 in
// Los Angeles and Berlin. P1D keeps the wall time (shifted forward through the
// gap, the earlier instant in the overlap); PT24H and PT1H count elapsed time.
func TestDST(t *testing.T) {
	tests := []struct {
		name, expr, tz, from string
		want                 []string
	}{
		{"LA spring P1D", "R/2024-03-09T02:30:00/P1D", "America/Los_Angeles", "2024-03-09T00:00:00Z",
			[]string{"2024-03-09T10:30:00Z", "2024-03-10T10:30:00Z", "2024-03-11T09:30:00Z", "2024-03-12T09:30:00Z"}},
		{"LA spring PT24H", "R/2024-03-09T02:30:00/PT24H", "America/Los_Angeles", "2024-03-09T00:00:00Z",
			[]string{"2024-03-09T10:30:00Z", "2024-03-10T10:30:00Z", "2024-03-11T10:30:00Z", "2024-03-12T10:30:00Z"}},
		{"LA spring PT1H", "R/2024-03-10T00:30:00/PT1H", "America/Los_Angeles", "2024-03-10T00:00:00Z",
			[]string{"2024-03-10T08:30:00Z", "2024-03-10T09:30:00Z", "2024-03-10T10:30:00Z", "2024-03-10T11:30:00Z"}},
		{"LA fall P1D", "R/2024-11-02T01:30:00/P1D", "America/Los_Angeles", "2024-11-02T00:00:00Z",
			[]string{"2024-11-02T08:30:00Z", "2024-11-03T08:30:00Z", "2024-11-04T09:30:00Z", "2024-11-05T09:30:00Z"}},
		{"LA fall PT24H", "R/2024-11-02T01:30:00/PT24H", "America/Los_Angeles", "2024-11-02T00:00:00Z",
			[]string{"2024-11-02T08:30:00Z", "2024-11-03T08:30:00Z", "2024-11-04T08:30:00Z", "2024-11-05T08:30:00Z"}},
		{"LA fall PT1H", "R/2024-11-03T00:30:00/PT1H", "America/Los_Angeles", "2024-11-03T00:00:00Z",
			[]string{"2024-11-03T07:30:00Z", "2024-11-03T08:30:00Z", "2024-11-03T09:30:00Z", "2024-11-03T10:30:00Z"}},
		{"Berlin spring P1D", "R/2024-03-30T02:30:00/P1D", "Europe/Berlin", "2024-03-29T00:00:00Z",
			[]string{"2024-03-30T01:30:00Z", "2024-03-31T01:30:00Z", "2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z"}},
		{"Berlin spring PT24H", "R/2024-03-30T02:30:00/PT24H", "Europe/Berlin", "2024-03-29T00:00:00Z",
			[]string{"2024-03-30T01:30:00Z", "2024-03-31T01:30:00Z", "2024-04-01T01:30:00Z", "2024-04-02T01:30:00Z"}},
		{"Berlin spring PT1H", "R/2024-03-31T00:30:00/PT1H", "Europe/Berlin", "2024-03-30T00:00:00Z",
			[]string{"2024-03-30T23:30:00Z", "2024-03-31T00:30:00Z", "2024-03-31T01:30:00Z", "2024-03-31T02:30:00Z"}},
		{"Berlin fall P1D", "R/2024-10-26T02:30:00/P1D", "Europe/Berlin", "2024-10-26T00:00:00Z",
			[]string{"2024-10-26T00:30:00Z", "2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z", "2024-10-29T01:30:00Z"}},
		{"Berlin fall PT24H", "R/2024-10-26T02:30:00/PT24H", "Europe/Berlin", "2024-10-26T00:00:00Z",
			[]string{"2024-10-26T00:30:00Z", "2024-10-27T00:30:00Z", "2024-10-28T00:30:00Z", "2024-10-29T00:30:00Z"}},
		{"Berlin fall PT1H", "R/2024-10-27T01:30:00/PT1H", "Europe/Berlin", "2024-10-26T00:00:00Z",
			[]string{"2024-10-26T23:30:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-27T02:30:00Z"}},
		// In the overlap the written offset picks the instant, as Joda's
		// withZoneRetainFields does; the next days are plain 01:30 PST.
		{"LA fall, start written as PST", "R/2024-11-03T01:30:00-08:00/P1D", "America/Los_Angeles", "2024-11-02T00:00:00Z",
			[]string{"2024-11-03T09:30:00Z", "2024-11-04T09:30:00Z"}},
		{"LA fall, start written as PDT", "R/2024-11-03T01:30:00-07:00/P1D", "America/Los_Angeles", "2024-11-02T00:00:00Z",
			[]string{"2024-11-03T08:30:00Z", "2024-11-04T09:30:00Z"}},
		// The offset in the start is replaced by the zone, fields kept.
		{"tz overrides Z", "R/2024-03-09T02:30:00Z/P1D", "America/Los_Angeles", "2024-03-09T00:00:00Z",
			[]string{"2024-03-09T10:30:00Z", "2024-03-10T10:30:00Z", "2024-03-11T09:30:00Z"}},
		{"Chronos docs PST example", "R/2014-10-10T18:32:00Z/PT60M", "PST", "2014-10-10T00:00:00Z",
			[]string{"2014-10-11T01:32:00Z", "2014-10-11T02:32:00Z"}},
		// Without a zone the offset is fixed: no DST.
		{"fixed offset P1D", "R/2024-03-09T02:30:00-08:00/P1D", "", "2024-03-09T00:00:00Z",
			[]string{"2024-03-09T10:30:00Z", "2024-03-10T10:30:00Z", "2024-03-11T10:30:00Z"}},
		{"fixed +05:30", "R/2024-03-09T02:30:00+05:30/P1D", "", "2024-03-08T00:00:00Z",
			[]string{"2024-03-08T21:00:00Z", "2024-03-09T21:00:00Z"}},
		{"no offset, no zone: UTC", "R/2024-03-09T02:30:00/P1D", "", "2024-03-09T00:00:00Z",
			[]string{"2024-03-09T02:30:00Z", "2024-03-10T02:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkNextN(t, tt.expr, tt.tz, tt.from, tt.want) })
	}
}

// TestSkipForwardThroughGap checks that a daily 02:30 job keeps 02:30 after
// the night that has none, when the schedule string is rewritten at every
// launch as Chronos does.
func TestSkipForwardThroughGap(t *testing.T) {
	const tz = "America/Los_Angeles"
	s := mustParse(t, "R/2024-03-09T02:30:00/P1D", tz, at(t, "2024-03-09T00:00:00Z"))
	want := []struct{ expr, start string }{
		{"R/2024-03-09T02:30:00.000-08:00/P1D", "2024-03-09T10:30:00Z"},
		{"R/2024-03-10T02:30:00.000-08:00/P1D", "2024-03-10T10:30:00Z"},
		{"R/2024-03-11T02:30:00.000-07:00/P1D", "2024-03-11T09:30:00Z"},
		{"R/2024-03-12T02:30:00.000-07:00/P1D", "2024-03-12T09:30:00Z"},
	}
	for i, w := range want {
		if s.String() != w.expr || !s.Start().Equal(at(t, w.start)) {
			t.Fatalf("step %d: %s starting %v, want %s starting %s", i, s, s.Start().UTC(), w.expr, w.start)
		}
		// The persisted string, read back with its zone, is the same schedule.
		again := mustParse(t, s.String(), tz, s.Start())
		if !again.Start().Equal(s.Start()) || again.String() != s.String() {
			t.Fatalf("step %d: re-parsed %s starts %v", i, again, again.Start().UTC())
		}
		s = again.SkipForward(s.Start().Add(time.Second))
	}
}

func TestCounts(t *testing.T) {
	now := at(t, "2024-01-01T10:30:00Z")
	tests := []struct {
		name      string
		expr      string
		due       bool
		remaining int
		infinite  bool
		after     string // canonical String() after SkipForward(now)
		afterDue  bool
	}{
		{"R0 is exhausted", "R0/2024-01-01T00:00:00Z/PT1H", false, 0, false, "R0/2024-01-01T00:00:00.000Z/PT1H", false},
		{"R1 runs once", "R1/2024-01-01T10:00:00Z/PT1H", true, 1, false, "R0/2024-01-01T11:00:00.000Z/PT1H", false},
		{"R1 not yet due", "R1/2024-01-01T11:00:00Z/PT1H", false, 1, false, "R1/2024-01-01T11:00:00.000Z/PT1H", false},
		{"ten missed periods are one run", "R5/2024-01-01T00:00:00Z/PT1H", true, 5, false, "R4/2024-01-01T11:00:00.000Z/PT1H", false},
		{"forever", "R/2024-01-01T00:00:00Z/PT1H", true, 0, true, "R/2024-01-01T11:00:00.000Z/PT1H", false},
		{"start exactly now is due", "R2/2024-01-01T10:30:00Z/PT1H", true, 2, false, "R1/2024-01-01T11:30:00.000Z/PT1H", false},
		{"leading zeros in the count", "R007/2024-01-01T10:00:00Z/PT30M", true, 7, false, "R6/2024-01-01T11:00:00.000Z/PT30M", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.expr, "", now)
			if s.Due(now) != tt.due {
				t.Errorf("Due = %v, want %v", s.Due(now), tt.due)
			}
			n, inf := s.Remaining()
			if n != tt.remaining || inf != tt.infinite {
				t.Errorf("Remaining = %d,%v want %d,%v", n, inf, tt.remaining, tt.infinite)
			}
			// A schedule that is not due is returned unchanged.
			got := s.SkipForward(now)
			if got.String() != tt.after {
				t.Errorf("SkipForward = %s, want %s", got, tt.after)
			}
			if got.Due(now) != tt.afterDue {
				t.Errorf("due again after SkipForward")
			}
		})
	}
}

func TestNextAndExhaustion(t *testing.T) {
	now := at(t, "2024-01-01T00:00:00Z")
	s := mustParse(t, "R3/2024-01-01T01:00:00Z/PT1H", "", now)
	got := utcStrings(s.NextN(now, 10))
	want := "2024-01-01T01:00:00Z 2024-01-01T02:00:00Z 2024-01-01T03:00:00Z"
	if strings.Join(got, " ") != want {
		t.Errorf("NextN = %v, want %s", got, want)
	}
	// A run pending at `after` counts as launched then.
	if next, ok := s.Next(at(t, "2024-01-01T01:00:00Z")); !ok || !next.Equal(at(t, "2024-01-01T02:00:00Z")) {
		t.Errorf("Next(start) = %v %v", next, ok)
	}
	if next, ok := s.Next(at(t, "2024-01-01T05:00:00Z")); !ok || !next.Equal(at(t, "2024-01-01T06:00:00Z")) {
		t.Errorf("Next after missed runs = %v %v, want the catch-up then 06:00", next, ok)
	}
	r1 := mustParse(t, "R1/2024-01-01T01:00:00Z/PT1H", "", now)
	if _, ok := r1.Next(at(t, "2024-01-01T01:00:00Z")); ok {
		t.Error("R1: no run should follow the pending one")
	}
	if next, ok := r1.Next(now); !ok || !next.Equal(at(t, "2024-01-01T01:00:00Z")) {
		t.Errorf("R1 Next = %v %v", next, ok)
	}
	r0 := mustParse(t, "R0/2024-01-01T01:00:00Z/PT1H", "", now)
	if _, ok := r0.Next(now); ok || len(r0.NextN(now, 5)) != 0 {
		t.Error("R0 has runs")
	}
	var zero Schedule
	if zero.Due(now) || len(zero.NextN(now, 3)) != 0 || zero.String() != "" || !zero.SkipForward(now).Start().IsZero() {
		t.Error("the zero Schedule runs")
	}
}

func TestEmptyStart(t *testing.T) {
	now := at(t, "2024-06-15T12:00:00.123456789Z")
	s := mustParse(t, "R1//PT24H", "", now)
	if s.String() != "R1/2024-06-15T11:59:59.123Z/PT24H" || !s.Due(now) {
		t.Errorf("R1//PT24H = %s due %v", s, s.Due(now))
	}
	// With a zone the same instant is shown in the zone, so re-reading the
	// string with the zone does not move it (Chronos printed UTC fields here
	// and then read them as New York time).
	ny := mustParse(t, "R//PT1H", "America/New_York", now)
	if ny.String() != "R/2024-06-15T07:59:59.123-04:00/PT1H" {
		t.Errorf("R//PT1H in New York = %s", ny)
	}
	again := mustParse(t, ny.String(), "America/New_York", now)
	if !again.Start().Equal(ny.Start()) {
		t.Errorf("re-read start %v, want %v", again.Start(), ny.Start())
	}
}

func TestMonthsAndLeapYears(t *testing.T) {
	tests := []struct {
		name, expr, from string
		want             []string
	}{
		// Launched on time every month: the start is rewritten to Feb 29 and
		// the job stays on the 29th, as in Chronos.
		{"P1M from Jan 31, on time", "R/2024-01-31T09:00:00Z/P1M", "2024-01-01T00:00:00Z",
			[]string{"2024-01-31T09:00:00Z", "2024-02-29T09:00:00Z", "2024-03-29T09:00:00Z", "2024-04-29T09:00:00Z"}},
		{"P1M from Jan 31 in 2023", "R/2023-01-31T09:00:00Z/P1M", "2023-01-01T00:00:00Z",
			[]string{"2023-01-31T09:00:00Z", "2023-02-28T09:00:00Z", "2023-03-28T09:00:00Z"}},
		{"P1D over Feb 29", "R/2024-02-28T00:00:00Z/P1D", "2024-02-01T00:00:00Z",
			[]string{"2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"}},
		{"P1Y from Feb 29", "R/2024-02-29T12:00:00Z/P1Y", "2024-01-01T00:00:00Z",
			[]string{"2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", "2026-02-28T12:00:00Z"}},
		{"P1W", "R/2024-03-10T02:30:00Z/P1W", "2024-03-01T00:00:00Z",
			[]string{"2024-03-10T02:30:00Z", "2024-03-17T02:30:00Z", "2024-03-24T02:30:00Z"}},
		{"P1M2DT3H", "R/2024-01-30T00:00:00Z/P1M2DT3H", "2024-01-01T00:00:00Z",
			[]string{"2024-01-30T00:00:00Z", "2024-03-02T03:00:00Z", "2024-04-04T06:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkNextN(t, tt.expr, "", tt.from, tt.want) })
	}
}

// TestSkipForwardCalendar: a skip over several periods is counted from the
// old start, so it does not drift (Jan 31 + 2 months is Mar 31).
func TestSkipForwardCalendar(t *testing.T) {
	tests := []struct{ expr, now, want string }{
		{"R/2024-01-31T09:00:00Z/P1M", "2024-03-15T00:00:00Z", "R/2024-03-31T09:00:00.000Z/P1M"},
		{"R/2024-01-31T09:00:00Z/P1M", "2024-02-29T09:00:00Z", "R/2024-03-31T09:00:00.000Z/P1M"},
		{"R/2024-02-29T12:00:00Z/P1Y", "2027-06-01T00:00:00Z", "R/2028-02-29T12:00:00.000Z/P1Y"},
		{"R/2024-02-29T12:00:00Z/P1Y", "2028-03-01T00:00:00Z", "R/2029-02-28T12:00:00.000Z/P1Y"},
		{"R9/2020-01-01T00:00:00Z/P1D", "2024-06-15T12:00:00Z", "R8/2024-06-16T00:00:00.000Z/P1D"},
		{"R/2000-01-01T00:00:00Z/PT1S", "2024-06-15T12:00:00.5Z", "R/2024-06-15T12:00:01.000Z/PT1S"},
		{"R/2024-01-01T00:00:00Z/PT0.25S", "2024-01-01T00:00:01.1Z", "R/2024-01-01T00:00:01.250Z/PT0.250S"},
		{"R/1970-01-01T00:00:00Z/P3M", "2024-06-15T00:00:00Z", "R/2024-07-01T00:00:00.000Z/P3M"},
	}
	for _, tt := range tests {
		now := at(t, tt.now)
		got := mustParse(t, tt.expr, "", now).SkipForward(now)
		if got.String() != tt.want {
			t.Errorf("%s skipped at %s = %s, want %s", tt.expr, tt.now, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	now := at(t, "2024-06-15T12:00:00Z")
	tests := []struct{ expr, tz, msg string }{
		{"", "", "empty schedule"},
		{"   ", "", "empty schedule"},
		{"wtf bro", "", `schedule "wtf bro" is neither R[n]/<start>/<period> nor a 5-field cron expression`},
		{"R5/2024-01-01T00:00:00Z", "", "is not R[n]/<start>/<period>"},
		{"R/2024-01-01T00:00:00Z/1D", "", "is not R[n]/<start>/<period>"},
		{"R5/2024-13-01T00:00:00Z/P1D", "", "month 13 is out of range"},
		{"R/2024-02-30T00:00:00Z/P1D", "", "day 30 is out of range"},
		{"R/2024-01-01T24:00:00Z/P1D", "", `"24" is out of range`},
		{"R/2024-01-01T00:00:00+25:00/P1D", "", "out of range"},
		{"R/2024-01-01 00:00:00/P1D", "", "not a space"},
		{"R/2024-01-01T00:00:00Z/P0D", "", "period \"P0D\" is zero"},
		{"R/2024-01-01T00:00:00Z/PT-1H", "", "signed values"},
		{"R/2024-01-01T00:00:00Z/P1Q", "", `unexpected "Q"`},
		{"R/2024-01-01T10.5Z/PT1H", "", "only the seconds may have a fraction"},
		{"R/1969-12-31T00:00:00Z/P1D", "", "before 1970-01-01T00:00:00Z"},
		{"R/1970-01-01T00:00:00+01:00/P1D", "", "before 1970"},
		{"R99999999999999999999/2024-01-01T00:00:00Z/P1D", "", "repetition count"},
		{"R/2024-01-01T00:00:00Z/P9999Y", "", "after the year 9999"},
		{"R/2024-01-01T00:00:00Z/P1D", "Mars/Olympus_Mons", `unknown time zone "Mars/Olympus_Mons"`},
		{"0 2 * * *", "Nowhere", `unknown time zone "Nowhere"`},
		{"@every 1h", "", "@every is not supported"},
		{"0 0 31 2 *", "", "never fires"},
		{"* * *", "", "5-field cron"},
		{"0 2 * * 1-9", "", "5-field cron"},
		{"CRON_TZ=Nowhere 0 2 * * *", "", `unknown time zone "Nowhere"`},
		{"TZ=UTC", "", "5-field cron"},
		{"@reboot", "", "5-field cron"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr, tt.tz, now)
		if err == nil {
			t.Errorf("Parse(%q, %q) succeeded", tt.expr, tt.tz)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q, %q) = %q, want it to contain %q", tt.expr, tt.tz, err, tt.msg)
		}
		if strings.Contains(err.Error(), "wtf") && tt.expr != "wtf bro" {
			t.Errorf("error %q", err)
		}
	}
}

func TestExpired(t *testing.T) {
	due := at(t, "2024-01-01T10:00:00Z")
	tests := []struct {
		now     string
		epsilon time.Duration
		want    bool
	}{
		{"2024-01-01T09:59:00Z", time.Minute, false},
		{"2024-01-01T10:00:30Z", time.Minute, false},
		{"2024-01-01T10:01:00Z", time.Minute, false},
		{"2024-01-01T10:01:00.001Z", time.Minute, true},
		{"2024-01-01T10:00:00Z", 0, false},
		{"2024-01-01T10:00:00.000000001Z", 0, true},
	}
	for _, tt := range tests {
		if got := Expired(due, at(t, tt.now), tt.epsilon); got != tt.want {
			t.Errorf("Expired(10:00, %s, %v) = %v, want %v", tt.now, tt.epsilon, got, tt.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	now := at(t, "2024-06-15T12:00:00Z")
	s := mustParse(t, "R/2024-06-16T00:00:00Z/P1D", "Europe/Berlin", now)
	if s.IsCron() || s.Location().String() != "Europe/Berlin" || !s.Anchor().Equal(s.Start()) {
		t.Errorf("ISO accessors: cron %v loc %v anchor %v", s.IsCron(), s.Location(), s.Anchor())
	}
	c := mustParse(t, "0 3 * * *", "", now)
	if !c.IsCron() || c.Location() != time.UTC || !c.Anchor().Equal(now) {
		t.Errorf("cron accessors: cron %v loc %v anchor %v", c.IsCron(), c.Location(), c.Anchor())
	}
	var zero Schedule
	if zero.Location() != time.UTC || !zero.Anchor().IsZero() {
		t.Error("zero Schedule accessors")
	}
	if n, inf := zero.Remaining(); n != 0 || inf {
		t.Error("zero Schedule has runs")
	}
}

// TestFarFuture: past the year 9999 there are no more runs, and finding that
// out is immediate.
func TestFarFuture(t *testing.T) {
	now := at(t, "2024-01-01T00:00:00Z")
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, expr := range []string{"R/1970-01-01T00:00:00Z/P1D", "R/1970-01-01T00:00:00Z/PT1S", "R5/2024-01-01T00:00:00Z/P1M"} {
		s := mustParse(t, expr, "", now).SkipForward(far)
		if n, inf := s.Remaining(); n != 0 || inf || s.Due(far) {
			t.Errorf("%s skipped to year 20000: %s", expr, s)
		}
	}
}
