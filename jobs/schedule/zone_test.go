package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	tests := []struct {
		in   string
		name string
		// offset in January and July 2024, seconds east of UTC
		jan, jul int
	}{
		{"America/Los_Angeles", "America/Los_Angeles", -8 * 3600, -7 * 3600},
		{"Europe/Berlin", "Europe/Berlin", 3600, 7200},
		{"UTC", "UTC", 0, 0},
		{"Etc/UTC", "Etc/UTC", 0, 0},
		{"GMT", "UTC", 0, 0},
		// Joda turns the JDK's three-letter ids into zones with DST.
		{"PST", "America/Los_Angeles", -8 * 3600, -7 * 3600},
		{"EST", "America/New_York", -5 * 3600, -4 * 3600},
		{"CET", "CET", 3600, 7200},
		{"IST", "Asia/Kolkata", 19800, 19800},
		{"GMT+05:30", "UTC+05:30", 19800, 19800},
		{"GMT-8", "UTC-08:00", -8 * 3600, -8 * 3600},
		{"UTC+0100", "UTC+01:00", 3600, 3600},
		{"GMT+00:00", "UTC", 0, 0},
	}
	for _, tt := range tests {
		loc, err := LoadZone(tt.in)
		if err != nil {
			t.Errorf("LoadZone(%q): %v", tt.in, err)
			continue
		}
		if loc.String() != tt.name {
			t.Errorf("LoadZone(%q) = %s, want %s", tt.in, loc, tt.name)
		}
		_, jan := time.Date(2024, 1, 15, 12, 0, 0, 0, loc).Zone()
		_, jul := time.Date(2024, 7, 15, 12, 0, 0, 0, loc).Zone()
		if jan != tt.jan || jul != tt.jul {
			t.Errorf("LoadZone(%q) offsets %d/%d, want %d/%d", tt.in, jan, jul, tt.jan, tt.jul)
		}
	}
}

func TestLoadZoneErrors(t *testing.T) {
	for _, in := range []string{"", "Local", "Mars/Olympus_Mons", "america/los_angeles", "../etc/passwd", "/etc/localtime", "GMT+25", "GMT+05:3", "UTC+", "Europe/Berlin "} {
		_, err := LoadZone(in)
		if err == nil {
			t.Errorf("LoadZone(%q) succeeded", in)
			continue
		}
		if !strings.Contains(err.Error(), in) {
			t.Errorf("LoadZone(%q) error %q does not name the zone", in, err)
		}
	}
}

// TestResolveWall pins the DST rules on both sides of the Atlantic.
func TestResolveWall(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	berlin := mustZone(t, "Europe/Berlin")
	sydney := mustZone(t, "Australia/Sydney")
	tests := []struct {
		name string
		wall time.Time
		loc  *time.Location
		hint int
		want time.Time
	}{
		{"LA ordinary", utc(2024, 3, 9, 2, 30), la, noHint, utc(2024, 3, 9, 10, 30)},
		{"LA gap shifts forward", utc(2024, 3, 10, 2, 30), la, noHint, utc(2024, 3, 10, 10, 30)},
		{"LA gap start", utc(2024, 3, 10, 2, 0), la, noHint, utc(2024, 3, 10, 10, 0)},
		{"LA gap ignores a hint", utc(2024, 3, 10, 2, 30), la, -7 * 3600, utc(2024, 3, 10, 10, 30)},
		{"LA after gap", utc(2024, 3, 10, 3, 0), la, noHint, utc(2024, 3, 10, 10, 0)},
		{"LA overlap earlier", utc(2024, 11, 3, 1, 30), la, noHint, utc(2024, 11, 3, 8, 30)},
		{"LA overlap hint PST", utc(2024, 11, 3, 1, 30), la, -8 * 3600, utc(2024, 11, 3, 9, 30)},
		{"LA overlap hint PDT", utc(2024, 11, 3, 1, 30), la, -7 * 3600, utc(2024, 11, 3, 8, 30)},
		{"LA overlap foreign hint", utc(2024, 11, 3, 1, 30), la, 0, utc(2024, 11, 3, 8, 30)},
		{"Berlin gap shifts forward", utc(2024, 3, 31, 2, 30), berlin, noHint, utc(2024, 3, 31, 1, 30)},
		{"Berlin overlap earlier", utc(2024, 10, 27, 2, 30), berlin, noHint, utc(2024, 10, 27, 0, 30)},
		{"Berlin overlap hint CET", utc(2024, 10, 27, 2, 30), berlin, 3600, utc(2024, 10, 27, 1, 30)},
		{"Berlin overlap hint CEST", utc(2024, 10, 27, 2, 30), berlin, 7200, utc(2024, 10, 27, 0, 30)},
		{"Sydney gap (October)", utc(2024, 10, 6, 2, 30), sydney, noHint, utc(2024, 10, 5, 16, 30)},
		{"Sydney overlap (April)", utc(2024, 4, 7, 2, 30), sydney, noHint, utc(2024, 4, 6, 15, 30)},
		{"UTC", utc(2024, 1, 1, 0, 0), time.UTC, noHint, utc(2024, 1, 1, 0, 0)},
		{"nil location is UTC", utc(2024, 1, 1, 0, 0), nil, noHint, utc(2024, 1, 1, 0, 0)},
	}
	for _, tt := range tests {
		if got := resolveWall(tt.wall, tt.loc, tt.hint); !got.Equal(tt.want) {
			t.Errorf("%s: resolveWall(%v) = %v, want %v", tt.name, tt.wall, got.UTC(), tt.want)
		}
	}
}
