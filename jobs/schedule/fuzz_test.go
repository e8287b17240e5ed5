package schedule

import (
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics and that what it accepts is
// stable: the canonical String() parses back to the same schedule (same
// start, count and next runs), runs come strictly in order, and launching the
// pending run leaves a schedule that is not due at the launch time.
func FuzzParse(f *testing.F) {
	seeds := []struct {
		expr, tz string
		now      int64
	}{
		{"R/2024-03-09T02:30:00/P1D", "America/Los_Angeles", 0},
		{"R5/2024-03-10T01:30:00.000-08:00/P1D", "", 0},
		{"R/2024-11-03T01:30:00-08:00/PT1H", "America/Los_Angeles", 3600e3},
		{"R0/2024-01-01T00:00:00Z/PT1H", "", 0},
		{"R1//PT24H", "", 0},
		{"R//PT0.5S", "Europe/Berlin", -86400e3},
		{"R/2024-01-31T09:00:00Z/P1M", "", 86400e3 * 400},
		{"R/2024-02-29T12:00:00Z/P1Y2M3W4DT5H6M7.008S", "Australia/Sydney", 0},
		{"R/2024-W10-7T02:30+05:30/P1W", "", 0},
		{"R/2024-070T23:59:59,999/PT1M", "PST", 0},
		{"R/1970-01-01T00:00:00Z/P3M", "GMT+05:30", 0},
		{"30 2 * * *", "America/Los_Angeles", 0},
		{"*/15 * * * *", "Europe/Berlin", 0},
		{"CRON_TZ=Asia/Tokyo @daily", "", 0},
		{"0 0 29 2 *", "", 0},
		{"@every 1h", "", 0},
		{"wtf bro", "", 0},
		{"TZ=UTC", "", 0},
	}
	for _, s := range seeds {
		f.Add(s.expr, s.tz, s.now)
	}
	base := time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr, tz string, offsetMillis int64) {
		// Keep now within a few centuries of 2024.
		now := base.Add(time.Duration(offsetMillis%(200*365*86400e3)) * time.Millisecond)
		s, err := Parse(expr, tz, now)
		if err != nil {
			return
		}
		_ = Describe(s)
		next := s.NextN(now, 5)
		for i, n := range next {
			if !n.After(now) || (i > 0 && !n.After(next[i-1])) {
				t.Fatalf("%q in %q: runs out of order at %v: %v", expr, tz, now, next)
			}
		}
		ref := now
		if s.IsCron() {
			ref = s.Anchor()
		}
		again, err := Parse(s.String(), tz, ref)
		if err != nil {
			t.Fatalf("%q in %q: canonical %q does not parse: %v", expr, tz, s.String(), err)
		}
		if again.String() != s.String() || !again.Start().Equal(s.Start()) {
			t.Fatalf("%q in %q: re-parsed %q starting %v, want %q starting %v", expr, tz, again, again.Start(), s, s.Start())
		}
		n1, inf1 := s.Remaining()
		n2, inf2 := again.Remaining()
		if n1 != n2 || inf1 != inf2 {
			t.Fatalf("%q: remaining %d/%v vs %d/%v", expr, n1, inf1, n2, inf2)
		}
		next2 := again.NextN(now, 5)
		if len(next2) != len(next) {
			t.Fatalf("%q in %q: next runs %v vs %v", expr, tz, next, next2)
		}
		for i := range next {
			if !next[i].Equal(next2[i]) {
				t.Fatalf("%q in %q: next runs %v vs %v", expr, tz, next, next2)
			}
		}
		if s.Due(now) {
			after := s.SkipForward(now)
			if after.Due(now) {
				t.Fatalf("%q: still due after SkipForward(%v): %s", expr, now, after)
			}
			n3, _ := after.Remaining()
			if !inf1 && n3 != n1-1 {
				t.Fatalf("%q: count %d after a launch, want %d", expr, n3, n1-1)
			}
		}
	})
}

// FuzzParseDuration checks that every accepted duration prints in a form that
// parses back to the same period.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "P1Y2M3W4DT5H6M7.008S", "PT0.5S", "PT1,25S", "P0D", "PT", "P-1D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParseDuration(in)
		if err != nil {
			return
		}
		q, err := ParseDuration(p.String())
		if err != nil || q != p {
			t.Fatalf("%q -> %q -> %+v, %v", in, p.String(), q, err)
		}
	})
}
