package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in        string
		wall      time.Time
		offset    int
		hasOffset bool
	}{
		{"2024-03-10T01:30:00Z", utc(2024, 3, 10, 1, 30), 0, true},
		{"2024-03-10T01:30:00.000-08:00", utc(2024, 3, 10, 1, 30), -8 * 3600, true},
		{"1997-07-16T19:20:30.45+01:00", time.Date(1997, 7, 16, 19, 20, 30, 450e6, time.UTC), 3600, true},
		{"2024-03-10T01:30:00,123456789+0530", time.Date(2024, 3, 10, 1, 30, 0, 123e6, time.UTC), 5*3600 + 30*60, true},
		{"2024-03-10T01:30:00+05", utc(2024, 3, 10, 1, 30), 5 * 3600, true},
		{"1972-01-01T00:00:00-00:44:30", utc(1972, 1, 1, 0, 0), -(44*60 + 30), true},
		{"2024-03-10T01:30:00", utc(2024, 3, 10, 1, 30), 0, false},
		{"2024-03-10T01:30Z", utc(2024, 3, 10, 1, 30), 0, true},
		{"2024-03-10T01Z", utc(2024, 3, 10, 1, 0), 0, true},
		{"2024-03-10t01:30:00z", utc(2024, 3, 10, 1, 30), 0, true},
		{"2024-03-10", utc(2024, 3, 10, 0, 0), 0, false},
		{"2024-03", utc(2024, 3, 1, 0, 0), 0, false},
		{"2024", utc(2024, 1, 1, 0, 0), 0, false},
		{"2024-W10-7", utc(2024, 3, 10, 0, 0), 0, false},
		{"2024-W10", utc(2024, 3, 4, 0, 0), 0, false},
		{"2020-W53-5T12:00:00Z", utc(2021, 1, 1, 12, 0), 0, true},
		{"2024-070", utc(2024, 3, 10, 0, 0), 0, false},
		{"2024-366T23:59:59.999Z", time.Date(2024, 12, 31, 23, 59, 59, 999e6, time.UTC), 0, true},
	}
	for _, tt := range tests {
		got, err := parseDateTime(tt.in)
		if err != nil {
			t.Errorf("parseDateTime(%q): %v", tt.in, err)
			continue
		}
		if !got.wall.Equal(tt.wall) || got.offset != tt.offset || got.hasOffset != tt.hasOffset {
			t.Errorf("parseDateTime(%q) = %v %d %v, want %v %d %v", tt.in, got.wall, got.offset, got.hasOffset, tt.wall, tt.offset, tt.hasOffset)
		}
	}
}

func TestParseDateTimeErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "4-digit year"},
		{"24-03-10", "4-digit year"},
		{"0000-01-01", "year 0000"},
		{"2024/03/10", "expected - after the year"},
		{"2024-3-10", "month must have 2 digits"},
		{"2024-13-01", "month 13 is out of range"},
		{"2024-02-30", "day 30 is out of range for 2024-02"},
		{"2023-02-29", "day 29 is out of range"},
		{"2024-03-1", "day must have 2 digits"},
		{"2023-366", "day of year 366 is out of range"},
		{"2024-W54", "week 54 day 1 is out of range"},
		{"2024-W10-8", "out of range"},
		{"2024-03-10 01:30:00", "not a space"},
		{"2024-03-10T", "missing the time"},
		{"2024-03-10TZ", "missing the time"},
		{"2024-03-10T24:00:00", `"24" is out of range`},
		{"2024-03-10T01:60:00", `"60" is out of range`},
		{"2024-03-10T01:30:60", `"60" is out of range`},
		{"2024-03-10T1:30", "2-digit fields"},
		{"2024-03-10T0130", "2-digit fields"},
		{"2024-03-10T10.5", "only the seconds may have a fraction"},
		{"2024-03-10T10:30:00.", "1 to 9 digits"},
		{"2024-03-10T10:30:00.1234567890", "1 to 9 digits"},
		{"2024-03-10T10:30:00+24:00", "out of range"},
		{"2024-03-10T10:30:00+5", "must be Z or ±hh:mm"},
		{"2024-03-10T10:30:00+05:00:00:00", "must be Z or ±hh:mm"},
		{"2024-03-10T10:30:00:00", "hh:mm:ss"},
	}
	for _, tt := range tests {
		_, err := parseDateTime(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("parseDateTime(%q) error = %v, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestFormatStart(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	tests := []struct {
		wall, instant time.Time
		want          string
	}{
		{utc(2024, 3, 10, 1, 30), utc(2024, 3, 10, 1, 30), "2024-03-10T01:30:00.000Z"},
		{utc(2024, 3, 10, 1, 30), utc(2024, 3, 10, 9, 30), "2024-03-10T01:30:00.000-08:00"},
		{utc(2024, 3, 10, 1, 30), utc(2024, 3, 9, 20, 0), "2024-03-10T01:30:00.000+05:30"},
		// A start shifted out of the gap keeps the wall time it was given.
		{utc(2024, 3, 10, 2, 30), time.Date(2024, 3, 10, 3, 30, 0, 0, la), "2024-03-10T02:30:00.000-08:00"},
		{time.Date(2024, 1, 1, 0, 0, 0, 7e6, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 7e6, time.UTC), "2024-01-01T00:00:00.007Z"},
	}
	for _, tt := range tests {
		if got := formatStart(tt.wall, tt.instant); got != tt.want {
			t.Errorf("formatStart(%v, %v) = %q, want %q", tt.wall, tt.instant, got, tt.want)
		}
	}
}
