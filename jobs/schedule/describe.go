package schedule

import (
	"fmt"
	"strings"
)

// Describe puts a schedule in words for the UI:
//
//	R3/2024-03-10T02:30:00.000-05:00/P1D in America/New_York
//	    → "every day at 02:30 America/New_York, 3 runs left"
//	R/2024-03-10T00:00:00Z/PT15M → "every 15 minutes"
//	R/2024-01-31T09:00:00Z/P1M   → "every month on day 31 at 09:00 UTC"
//	0 2 * * 1-5 in America/New_York → "cron 0 2 * * 1-5 (America/New_York)"
//
// The time of day is only given for whole-day periods, where it is what the
// user chose; for hours and minutes it would only echo the start.
func Describe(s Schedule) string {
	switch {
	case s.cron != nil:
		return fmt.Sprintf("cron %s (%s)", s.cron.spec, zoneLabel(s.cron.loc))
	case s.iso == nil:
		return "no schedule"
	}
	iso := s.iso
	p := iso.period
	var b strings.Builder
	b.WriteString("every " + describePeriod(p))
	if p.exactMillis() == 0 {
		w := iso.wall
		switch p {
		case Period{Weeks: p.Weeks}:
			b.WriteString(" on " + w.Weekday().String())
		case Period{Months: p.Months}:
			fmt.Fprintf(&b, " on day %d", w.Day())
		case Period{Years: p.Years}:
			fmt.Fprintf(&b, " on %s %d", w.Month(), w.Day())
		}
		clock := w.Format("15:04")
		if w.Second() != 0 || w.Nanosecond() != 0 {
			clock = w.Format("15:04:05")
		}
		b.WriteString(" at " + clock + " " + zoneLabel(iso.loc))
	}
	switch n := iso.remaining; {
	case n == 0:
		b.WriteString(", no runs left")
	case n == 1:
		b.WriteString(", 1 run left")
	case n > 1:
		fmt.Fprintf(&b, ", %d runs left", n)
	}
	return b.String()
}

// describePeriod says "day", "15 minutes" or "1 day 2 hours".
func describePeriod(p Period) string {
	type part struct {
		n    int
		unit string
	}
	parts := []part{
		{p.Years, "year"}, {p.Months, "month"}, {p.Weeks, "week"}, {p.Days, "day"},
		{p.Hours, "hour"}, {p.Minutes, "minute"},
	}
	var words []string
	for _, x := range parts {
		if x.n != 0 {
			words = append(words, plural(x.n, x.unit))
		}
	}
	switch {
	case p.Millis != 0:
		words = append(words, fmt.Sprintf("%d.%03d seconds", p.Seconds, p.Millis))
	case p.Seconds != 0:
		words = append(words, plural(p.Seconds, "second"))
	}
	if len(words) == 1 && strings.HasPrefix(words[0], "1 ") {
		return strings.TrimPrefix(words[0], "1 ")
	}
	return strings.Join(words, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
