package schedule

import "testing"

// TestCronDST: cron fields match the zone's wall clock; a match in the
// spring-forward gap fires at the shifted instant, a match in the fall-back
// hour fires once.
func TestCronDST(t *testing.T) {
	tests := []struct {
		name, expr, tz, from string
		want                 []string
	}{
		{"LA daily 02:30 over the gap", "30 2 * * *", "America/Los_Angeles", "2024-03-09T08:00:00Z",
			[]string{"2024-03-09T10:30:00Z", "2024-03-10T10:30:00Z", "2024-03-11T09:30:00Z"}},
		{"LA daily 01:30 over the overlap runs once", "30 1 * * *", "America/Los_Angeles", "2024-11-02T12:00:00Z",
			[]string{"2024-11-03T08:30:00Z", "2024-11-04T09:30:00Z"}},
		{"LA half-hourly over the overlap", "*/30 * * * *", "America/Los_Angeles", "2024-11-03T07:45:00Z",
			[]string{"2024-11-03T08:00:00Z", "2024-11-03T08:30:00Z", "2024-11-03T10:00:00Z", "2024-11-03T10:30:00Z"}},
		{"LA half-hourly over the gap", "*/30 * * * *", "America/Los_Angeles", "2024-03-10T09:15:00Z",
			[]string{"2024-03-10T09:30:00Z", "2024-03-10T10:00:00Z", "2024-03-10T10:30:00Z"}},
		{"Berlin 02:30 over the gap", "30 2 * * *", "Europe/Berlin", "2024-03-30T00:00:00Z",
			[]string{"2024-03-30T01:30:00Z", "2024-03-31T01:30:00Z", "2024-04-01T00:30:00Z"}},
		{"Berlin 02:30 over the overlap", "30 2 * * *", "Europe/Berlin", "2024-10-26T00:00:00Z",
			[]string{"2024-10-26T00:30:00Z", "2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"}},
		{"weekdays in New York", "0 2 * * 1-5", "America/New_York", "2024-03-08T00:00:00Z",
			[]string{"2024-03-08T07:00:00Z", "2024-03-11T06:00:00Z", "2024-03-12T06:00:00Z"}},
		{"@hourly", "@hourly", "", "2024-01-01T00:30:00Z",
			[]string{"2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"}},
		{"@daily in Berlin", "@daily", "Europe/Berlin", "2024-01-01T00:30:00Z",
			[]string{"2024-01-01T23:00:00Z", "2024-01-02T23:00:00Z"}},
		{"CRON_TZ prefix", "CRON_TZ=Europe/Berlin 0 3 * * *", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T02:00:00Z", "2024-01-02T02:00:00Z"}},
		{"scheduleTimeZone beats CRON_TZ", "CRON_TZ=Europe/Berlin 0 3 * * *", "UTC", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T03:00:00Z"}},
		{"Feb 29 only", "0 0 29 2 *", "", "2024-03-01T00:00:00Z",
			[]string{"2028-02-29T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := checkNextN(t, tt.expr, tt.tz, tt.from, tt.want)
			if s.String() != tt.expr {
				t.Errorf("String() = %q, want the original %q", s.String(), tt.expr)
			}
		})
	}
}

func TestCronDueAndSkip(t *testing.T) {
	anchor := at(t, "2024-01-01T00:10:00Z")
	s := mustParse(t, "*/15 * * * *", "", anchor)
	if !s.Start().Equal(at(t, "2024-01-01T00:15:00Z")) || s.Due(anchor) {
		t.Fatalf("pending %v, due %v", s.Start(), s.Due(anchor))
	}
	// The scheduler was down for an hour: one catch-up run, then back on the grid.
	late := at(t, "2024-01-01T01:20:00Z")
	if !s.Due(late) {
		t.Fatal("not due after the pending time")
	}
	s = s.SkipForward(late)
	if !s.Start().Equal(at(t, "2024-01-01T01:30:00Z")) || s.Due(late) || !s.Anchor().Equal(late) {
		t.Errorf("after skip: pending %v anchor %v", s.Start(), s.Anchor())
	}
	// Rebuilding from the persisted anchor gives the same pending run.
	again := mustParse(t, s.String(), "", s.Anchor())
	if !again.Start().Equal(s.Start()) {
		t.Errorf("rebuilt pending %v, want %v", again.Start(), s.Start())
	}
	if s.SkipForward(late).Start() != s.Start() {
		t.Error("SkipForward of a schedule that is not due changed it")
	}
}
