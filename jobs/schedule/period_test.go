package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want Period
		out  string
	}{
		{"PT1H", Period{Hours: 1}, "PT1H"},
		{"P1D", Period{Days: 1}, "P1D"},
		{"P1M", Period{Months: 1}, "P1M"},
		{"PT1M", Period{Minutes: 1}, "PT1M"},
		{"P1W", Period{Weeks: 1}, "P1W"},
		{"PT24H", Period{Hours: 24}, "PT24H"},
		{"PT60M", Period{Minutes: 60}, "PT60M"},
		{"PT15M", Period{Minutes: 15}, "PT15M"},
		{"P10M", Period{Months: 10}, "P10M"},
		{"P1Y12M12D", Period{Years: 1, Months: 12, Days: 12}, "P1Y12M12D"},
		{"P12DT12M", Period{Days: 12, Minutes: 12}, "P12DT12M"},
		{"P1Y2M3W4DT5H6M7.008S", Period{1, 2, 3, 4, 5, 6, 7, 8}, "P1Y2M3W4DT5H6M7.008S"},
		{"PT0.5S", Period{Millis: 500}, "PT0.500S"},
		{"PT1,25S", Period{Seconds: 1, Millis: 250}, "PT1.250S"},
		{"PT2.123456789S", Period{Seconds: 2, Millis: 123}, "PT2.123S"},
		{"PT0S", Period{}, "PT0S"},
		{"P0D", Period{}, "PT0S"},
		{"PT2S", Period{Seconds: 2}, "PT2S"},
		{"PT60S", Period{Seconds: 60}, "PT60S"},
		{"PT2147483647S", Period{Seconds: 2147483647}, "PT2147483647S"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDuration(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.out {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", tt.in, s, tt.out)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty duration"},
		{"1D", "must start with P"},
		{"p1d", "must start with P"},
		{"P", "no fields"},
		{"PT", "T but no hours"},
		{"P1DT", "T but no hours"},
		{"P1H", `unexpected "H" before T`},
		{"PT1D", `unexpected "D" after T`},
		{"P1D1Y", `unexpected "Y" before T`},
		{"PT1M1H", `unexpected "H" after T`},
		{"P1D1D", `unexpected "D" before T`},
		{"P1.5D", "only seconds may have a fraction"},
		{"PT1.5M", "only seconds may have a fraction"},
		{"PT1.S", "1 to 9 digits"},
		{"PT1.1234567890S", "1 to 9 digits"},
		{"P-1D", "signed values"},
		{"PT+1H", "signed values"},
		{"P99999999999D", "too large"},
		{"P2147483648D", "too large"},
		{"P1", "number without a unit"},
		{"PTH", "expected a number"},
		{"P1Q", `unexpected "Q" before T`},
		{"P 1D", "expected a number"},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDuration(%q) error = %v, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestPeriodAddTo(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	berlin := mustZone(t, "Europe/Berlin")
	tests := []struct {
		name   string
		from   time.Time
		period string
		want   time.Time
	}{
		{"P1M from Jan 31 clamps to Feb 29 in a leap year", utc(2024, 1, 31, 9, 0), "P1M", utc(2024, 2, 29, 9, 0)},
		{"P1M from Jan 31 clamps to Feb 28", utc(2023, 1, 31, 9, 0), "P1M", utc(2023, 2, 28, 9, 0)},
		{"P2M from Dec 31 crosses the year", utc(2023, 12, 31, 0, 0), "P2M", utc(2024, 2, 29, 0, 0)},
		{"P1Y from Feb 29 clamps to Feb 28", utc(2024, 2, 29, 12, 0), "P1Y", utc(2025, 2, 28, 12, 0)},
		{"P4Y from Feb 29 keeps Feb 29", utc(2024, 2, 29, 12, 0), "P4Y", utc(2028, 2, 29, 12, 0)},
		{"P1Y1M clamps after each field like Joda", utc(2023, 1, 31, 0, 0), "P1Y1M", utc(2024, 2, 29, 0, 0)},
		{"P1M1D adds days after clamping", utc(2024, 1, 31, 0, 0), "P1M1D", utc(2024, 3, 1, 0, 0)},
		{"P1D into the LA gap shifts forward", time.Date(2024, 3, 9, 2, 30, 0, 0, la), "P1D", time.Date(2024, 3, 10, 3, 30, 0, 0, la)},
		{"PT24H across the LA gap", time.Date(2024, 3, 9, 2, 30, 0, 0, la), "PT24H", time.Date(2024, 3, 10, 3, 30, 0, 0, la)},
		{"P1D keeps 08:00 across the LA gap", time.Date(2024, 3, 9, 8, 0, 0, 0, la), "P1D", time.Date(2024, 3, 10, 8, 0, 0, 0, la)},
		{"PT24H moves 08:00 to 09:00 across the LA gap", time.Date(2024, 3, 9, 8, 0, 0, 0, la), "PT24H", time.Date(2024, 3, 10, 9, 0, 0, 0, la)},
		{"P1D into the Berlin overlap takes the earlier", time.Date(2024, 10, 26, 2, 30, 0, 0, berlin), "P1D", utc(2024, 10, 27, 0, 30)},
		{"P1D keeps 08:00 across the Berlin fall back", time.Date(2024, 10, 26, 8, 0, 0, 0, berlin), "P1D", utc(2024, 10, 27, 7, 0)},
		{"PT24H across the Berlin fall back", time.Date(2024, 10, 26, 8, 0, 0, 0, berlin), "PT24H", utc(2024, 10, 27, 6, 0)},
		{"PT0.5S", utc(2024, 1, 1, 0, 0), "PT0.5S", utc(2024, 1, 1, 0, 0).Add(500 * time.Millisecond)},
	}
	for _, tt := range tests {
		p, err := ParseDuration(tt.period)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AddTo(tt.from); !got.Equal(tt.want) {
			t.Errorf("%s: %v + %s = %v, want %v", tt.name, tt.from, tt.period, got, tt.want)
		}
	}
}

func TestPeriodLength(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	springDay := time.Date(2024, 3, 10, 0, 0, 0, 0, la)
	fallDay := time.Date(2024, 11, 3, 0, 0, 0, 0, la)
	tests := []struct {
		period string
		from   time.Time
		want   time.Duration
	}{
		{"PT30M", springDay, 30 * time.Minute},
		{"P1D", springDay, 23 * time.Hour},
		{"P1D", fallDay, 25 * time.Hour},
		{"PT24H", springDay, 24 * time.Hour},
		{"PT10M", fallDay, 10 * time.Minute},
	}
	for _, tt := range tests {
		p, _ := ParseDuration(tt.period)
		if got := p.Length(tt.from); got != tt.want {
			t.Errorf("%s from %v: length %v, want %v", tt.period, tt.from, got, tt.want)
		}
	}
}

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
