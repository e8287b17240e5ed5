package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateTime is a parsed ISO 8601 start: the wall-clock fields (as a UTC
// time.Time) and the offset written after them, if any.
type dateTime struct {
	wall      time.Time
	offset    int // seconds east of UTC
	hasOffset bool
}

// parseDateTime parses the start of a repeating interval. It accepts what
// Joda's DateTime.parse (ISODateTimeFormat.dateTimeParser) accepts in
// practice, in the extended format:
//
//	date              2024-03-10 | 2024-03 | 2024 | 2024-W10-7 | 2024-W10 | 2024-070
//	date T time       time = 01 | 01:30 | 01:30:00 | 01:30:00.5 | 01:30:00,123
//	date T time zone  zone = Z | +01 | +0100 | +01:00 | -08:00:00
//
// Fractions of a second are kept to the millisecond, as Joda does. Fractions
// of an hour or minute ("T10.5"), basic format ("20240310T0130") and a time
// without a date are rejected.
func parseDateTime(s string) (dateTime, error) {
	bad := func(format string, args ...any) (dateTime, error) {
		return dateTime{}, fmt.Errorf("start %q: %s", s, fmt.Sprintf(format, args...))
	}
	datePart, rest, hasT := strings.Cut(s, "T")
	if !hasT {
		datePart, rest, hasT = strings.Cut(s, "t")
	}
	if strings.ContainsAny(datePart, " ") {
		return bad("separate the date and the time with T, not a space")
	}
	y, m, d, err := parseDate(datePart)
	if err != nil {
		return bad("%v", err)
	}
	var dt dateTime
	hh, mm, ss, ms := 0, 0, 0, 0
	if hasT {
		timePart, zone := splitZone(rest)
		if timePart == "" {
			return bad("missing the time after T")
		}
		hh, mm, ss, ms, err = parseClock(timePart)
		if err != nil {
			return bad("%v", err)
		}
		if zone != "" {
			dt.offset, err = parseOffset(zone)
			if err != nil {
				return bad("%v", err)
			}
			dt.hasOffset = true
		}
	}
	dt.wall = time.Date(y, m, d, hh, mm, ss, ms*int(time.Millisecond), time.UTC)
	return dt, nil
}

// parseDate reads the calendar, week or ordinal date forms.
func parseDate(s string) (int, time.Month, int, error) {
	if len(s) < 4 || !allDigits(s[:4]) {
		return 0, 0, 0, fmt.Errorf("the date must start with a 4-digit year (YYYY-MM-DD)")
	}
	y, _ := strconv.Atoi(s[:4])
	if y == 0 {
		return 0, 0, 0, fmt.Errorf("year 0000 is not supported")
	}
	s = s[4:]
	if s == "" {
		return y, time.January, 1, nil
	}
	if s[0] != '-' {
		return 0, 0, 0, fmt.Errorf("expected - after the year (YYYY-MM-DD)")
	}
	s = s[1:]
	switch {
	case len(s) >= 1 && (s[0] == 'W' || s[0] == 'w'):
		return parseWeekDate(y, s[1:])
	case len(s) == 3 && allDigits(s):
		n, _ := strconv.Atoi(s)
		if n < 1 || n > daysInYear(y) {
			return 0, 0, 0, fmt.Errorf("day of year %d is out of range", n)
		}
		t := time.Date(y, time.January, n, 0, 0, 0, 0, time.UTC)
		return t.Year(), t.Month(), t.Day(), nil
	}
	ms, ds, hasDay := strings.Cut(s, "-")
	if len(ms) != 2 || !allDigits(ms) {
		return 0, 0, 0, fmt.Errorf("the month must have 2 digits (YYYY-MM-DD)")
	}
	m, _ := strconv.Atoi(ms)
	if m < 1 || m > 12 {
		return 0, 0, 0, fmt.Errorf("month %d is out of range", m)
	}
	if !hasDay {
		return y, time.Month(m), 1, nil
	}
	if len(ds) != 2 || !allDigits(ds) {
		return 0, 0, 0, fmt.Errorf("the day must have 2 digits (YYYY-MM-DD)")
	}
	d, _ := strconv.Atoi(ds)
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return 0, 0, 0, fmt.Errorf("day %d is out of range for %04d-%02d", d, y, m)
	}
	return y, time.Month(m), d, nil
}

// parseWeekDate reads "ww" or "ww-D" of an ISO week date.
func parseWeekDate(y int, s string) (int, time.Month, int, error) {
	ws, ds, hasDay := strings.Cut(s, "-")
	if len(ws) != 2 || !allDigits(ws) || (hasDay && (len(ds) != 1 || !allDigits(ds))) {
		return 0, 0, 0, fmt.Errorf("a week date is YYYY-Www or YYYY-Www-D")
	}
	w, _ := strconv.Atoi(ws)
	wd := 1
	if hasDay {
		wd, _ = strconv.Atoi(ds)
	}
	// Week 1 is the week with the year's first Thursday, i.e. with Jan 4.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday1 := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	_, lastWeek := time.Date(y, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	if w < 1 || w > lastWeek || wd < 1 || wd > 7 {
		return 0, 0, 0, fmt.Errorf("week %d day %d is out of range for %04d", w, wd, y)
	}
	t := monday1.AddDate(0, 0, (w-1)*7+wd-1)
	return t.Year(), t.Month(), t.Day(), nil
}

// parseClock reads hh[:mm[:ss[.fff]]].
func parseClock(s string) (hh, mm, ss, ms int, err error) {
	main, frac, hasFrac := strings.Cut(s, ".")
	if !hasFrac {
		main, frac, hasFrac = strings.Cut(s, ",")
	}
	parts := strings.Split(main, ":")
	if len(parts) > 3 {
		return 0, 0, 0, 0, fmt.Errorf("the time must be hh:mm:ss")
	}
	vals := [3]int{}
	limits := [3]int{23, 59, 59}
	for i, p := range parts {
		if len(p) != 2 || !allDigits(p) {
			return 0, 0, 0, 0, fmt.Errorf("the time must be hh:mm:ss with 2-digit fields")
		}
		vals[i], _ = strconv.Atoi(p)
		if vals[i] > limits[i] {
			return 0, 0, 0, 0, fmt.Errorf("%q is out of range in the time", p)
		}
	}
	if hasFrac {
		if len(parts) != 3 {
			return 0, 0, 0, 0, fmt.Errorf("only the seconds may have a fraction")
		}
		if frac == "" || len(frac) > 9 || !allDigits(frac) {
			return 0, 0, 0, 0, fmt.Errorf("a fraction of a second needs 1 to 9 digits")
		}
		ms, _ = strconv.Atoi((frac + "00")[:3])
	}
	return vals[0], vals[1], vals[2], ms, nil
}

// splitZone separates a trailing Z or ±offset from the time.
func splitZone(s string) (clock, zone string) {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return s[:len(s)-1], "Z"
	}
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// parseOffset reads Z, ±hh, ±hhmm, ±hh:mm or ±hh:mm:ss.
func parseOffset(s string) (int, error) {
	if s == "Z" {
		return 0, nil
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	body := s[1:]
	var fields []string
	switch {
	case strings.Contains(body, ":"):
		fields = strings.Split(body, ":")
	case len(body) == 4:
		fields = []string{body[:2], body[2:]}
	default:
		fields = []string{body}
	}
	if len(fields) > 3 {
		return 0, fmt.Errorf("offset %q must be Z or ±hh:mm", s)
	}
	limits := []int{23, 59, 59}
	total := 0
	for i, f := range fields {
		if len(f) != 2 || !allDigits(f) {
			return 0, fmt.Errorf("offset %q must be Z or ±hh:mm", s)
		}
		v, _ := strconv.Atoi(f)
		if v > limits[i] {
			return 0, fmt.Errorf("offset %q is out of range", s)
		}
		total = total*60 + v
	}
	for range 3 - len(fields) {
		total *= 60
	}
	return sign * total, nil
}

// formatStart prints a start as Joda's ISODateTimeFormat.dateTime() does:
// milliseconds always, Z for a zero offset, else ±hh:mm. The wall-clock
// fields are printed as held and the offset is whatever makes them denote the
// instant; for a start that was shifted out of a DST gap this keeps the wall
// time the user asked for (02:30-08:00 is the instant 03:30-07:00), so a
// schedule that is re-read with its time zone keeps firing at 02:30 on the
// days that have one.
func formatStart(wall, instant time.Time) string {
	offset := int(wall.Unix() - instant.Unix())
	zone := "Z"
	if offset != 0 {
		zone = formatOffset(offset, ":")
	}
	return wall.Format("2006-01-02T15:04:05.000") + zone
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func daysInYear(y int) int {
	return time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC).YearDay()
}
