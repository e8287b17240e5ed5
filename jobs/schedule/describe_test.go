package schedule

import "testing"

func TestDescribe(t *testing.T) {
	now := at(t, "2024-01-01T00:00:00Z")
	tests := []struct{ expr, tz, want string }{
		{"R3/2024-03-10T02:30:00-05:00/P1D", "America/New_York", "every day at 02:30 America/New_York, 3 runs left"},
		{"R/2024-03-10T00:00:00Z/PT15M", "", "every 15 minutes"},
		{"R/2024-03-10T00:00:00Z/PT1H", "", "every hour"},
		{"R1/2024-03-10T00:00:00Z/PT1H", "", "every hour, 1 run left"},
		{"R0/2024-03-10T00:00:00Z/PT1H", "", "every hour, no runs left"},
		{"R/2024-03-10T02:30:00Z/P2D", "", "every 2 days at 02:30 UTC"},
		{"R/2024-03-10T02:30:00-08:00/P1D", "", "every day at 02:30 UTC-08:00"},
		{"R/2024-03-10T02:30:15Z/P1D", "", "every day at 02:30:15 UTC"},
		{"R/2024-03-10T02:30:00Z/P1W", "Europe/Berlin", "every week on Sunday at 02:30 Europe/Berlin"},
		{"R/2024-01-31T09:00:00Z/P1M", "", "every month on day 31 at 09:00 UTC"},
		{"R/2024-03-10T02:30:00Z/P1Y", "", "every year on March 10 at 02:30 UTC"},
		{"R/2024-03-10T02:30:00Z/P1M1D", "", "every 1 month 1 day at 02:30 UTC"},
		{"R/2024-03-10T02:30:00Z/P1DT2H", "", "every 1 day 2 hours"},
		{"R/2024-03-10T02:30:00Z/PT0.5S", "", "every 0.500 seconds"},
		{"R/2024-03-10T02:30:00Z/PT30S", "", "every 30 seconds"},
		{"R/2024-03-10T02:30:00Z/PT1S", "", "every second"},
		{"R/2024-03-10T02:30:00Z/P1D", "PST", "every day at 02:30 America/Los_Angeles"},
		{"0 2 * * 1-5", "America/New_York", "cron 0 2 * * 1-5 (America/New_York)"},
		{"0 2 * * 1-5", "", "cron 0 2 * * 1-5 (UTC)"},
		{"CRON_TZ=Asia/Tokyo @daily", "", "cron @daily (Asia/Tokyo)"},
	}
	for _, tt := range tests {
		if got := Describe(mustParse(t, tt.expr, tt.tz, now)); got != tt.want {
			t.Errorf("Describe(%q, %q) = %q, want %q", tt.expr, tt.tz, got, tt.want)
		}
	}
	if got := Describe(Schedule{}); got != "no schedule" {
		t.Errorf("Describe(zero) = %q", got)
	}
}
