package schedule

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Period is an ISO 8601 duration as Joda-Time's Period holds it: separate
// calendar fields (years, months, weeks, days) whose length depends on where
// they are added, and exact fields (hours, minutes, seconds, milliseconds).
//
// The split is what makes DST right: P1D adds one calendar day to the
// wall-clock time, so a 02:30 job stays at 02:30 across a DST change, while
// PT24H adds exactly 24 hours of elapsed time and so moves by an hour on the
// wall clock (chronos#588, Yelp/paasta#334).
type Period struct {
	Years, Months, Weeks, Days int
	Hours, Minutes, Seconds    int
	// Millis holds the fraction of a second (0-999). Joda keeps periods to the
	// millisecond, so "PT0.5S" is 500 ms and digits past the third are dropped.
	Millis int
}

// maxField bounds each field to Joda's int range.
const maxField = math.MaxInt32

// ParseDuration parses an ISO 8601 duration in the form Joda-Time's
// ISOPeriodFormat.standard() accepts, which is what Chronos uses for schedule
// periods and for 2.x epsilons: PnYnMnWnDTnHnMnS, every field optional but at
// least one present, fields in that order, whole numbers except the seconds,
// which may carry a fraction ("PT0.5S", "PT1,25S"). Negative values, which
// Joda would parse, are rejected: no Chronos period means anything negative.
func ParseDuration(iso string) (Period, error) {
	var p Period
	if iso == "" {
		return p, fmt.Errorf("empty duration (expected ISO 8601 like PT1H, P1D or P1M)")
	}
	if iso[0] != 'P' {
		return p, fmt.Errorf("duration %q must start with P (ISO 8601 like PT1H, P1D or P1M)", iso)
	}
	rest := iso[1:]
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if hasT && timePart == "" {
		return p, fmt.Errorf("duration %q has a T but no hours, minutes or seconds after it", iso)
	}
	if !hasT && datePart == "" {
		return p, fmt.Errorf("duration %q has no fields (expected e.g. PT1H, P1D or P1M)", iso)
	}
	dateFields := []struct {
		unit byte
		dst  *int
	}{{'Y', &p.Years}, {'M', &p.Months}, {'W', &p.Weeks}, {'D', &p.Days}}
	timeFields := []struct {
		unit byte
		dst  *int
	}{{'H', &p.Hours}, {'M', &p.Minutes}, {'S', &p.Seconds}}

	s := datePart
	next := 0
	for s != "" {
		num, frac, unit, tail, err := splitField(iso, s)
		if err != nil {
			return Period{}, err
		}
		if frac != "" {
			return Period{}, fmt.Errorf("duration %q: only seconds may have a fraction", iso)
		}
		i := next
		for i < len(dateFields) && dateFields[i].unit != unit {
			i++
		}
		if i == len(dateFields) {
			return Period{}, fmt.Errorf("duration %q: unexpected %q before T (date fields are Y, M, W, D in that order)", iso, string(unit))
		}
		*dateFields[i].dst = num
		next, s = i+1, tail
	}
	s = timePart
	next = 0
	for s != "" {
		num, frac, unit, tail, err := splitField(iso, s)
		if err != nil {
			return Period{}, err
		}
		i := next
		for i < len(timeFields) && timeFields[i].unit != unit {
			i++
		}
		if i == len(timeFields) {
			return Period{}, fmt.Errorf("duration %q: unexpected %q after T (time fields are H, M, S in that order)", iso, string(unit))
		}
		if frac != "" {
			if unit != 'S' {
				return Period{}, fmt.Errorf("duration %q: only seconds may have a fraction", iso)
			}
			ms := (frac + "00")[:3]
			p.Millis, _ = strconv.Atoi(ms)
		}
		*timeFields[i].dst = num
		next, s = i+1, tail
	}
	return p, nil
}

// splitField reads "<digits>[.<digits>]<unit>" from the front of s.
func splitField(iso, s string) (num int, frac string, unit byte, tail string, err error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		if s[0] == '-' || s[0] == '+' {
			return 0, "", 0, "", fmt.Errorf("duration %q: signed values are not supported", iso)
		}
		return 0, "", 0, "", fmt.Errorf("duration %q: expected a number at %q", iso, s)
	}
	n, perr := strconv.ParseInt(s[:i], 10, 64)
	if perr != nil || n > maxField {
		return 0, "", 0, "", fmt.Errorf("duration %q: value %s is too large", iso, s[:i])
	}
	s = s[i:]
	if s != "" && (s[0] == '.' || s[0] == ',') {
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 1 || j > 10 {
			return 0, "", 0, "", fmt.Errorf("duration %q: a fraction needs 1 to 9 digits", iso)
		}
		frac, s = s[1:j], s[j:]
	}
	if s == "" {
		return 0, "", 0, "", fmt.Errorf("duration %q: number without a unit at the end", iso)
	}
	return int(n), frac, s[0], s[1:], nil
}

// String prints the period as Joda's ISOPeriodFormat.standard() does:
// only the non-zero fields, seconds with three fraction digits when there are
// milliseconds, and "PT0S" for the zero period.
func (p Period) String() string {
	if p.IsZero() {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteByte('P')
	for _, f := range []struct {
		v int
		u byte
	}{{p.Years, 'Y'}, {p.Months, 'M'}, {p.Weeks, 'W'}, {p.Days, 'D'}} {
		if f.v != 0 {
			b.WriteString(strconv.Itoa(f.v))
			b.WriteByte(f.u)
		}
	}
	if p.Hours == 0 && p.Minutes == 0 && p.Seconds == 0 && p.Millis == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if p.Hours != 0 {
		b.WriteString(strconv.Itoa(p.Hours) + "H")
	}
	if p.Minutes != 0 {
		b.WriteString(strconv.Itoa(p.Minutes) + "M")
	}
	if p.Seconds != 0 || p.Millis != 0 {
		b.WriteString(strconv.Itoa(p.Seconds))
		if p.Millis != 0 {
			fmt.Fprintf(&b, ".%03d", p.Millis)
		}
		b.WriteByte('S')
	}
	return b.String()
}

// IsZero reports whether every field is zero.
func (p Period) IsZero() bool { return p == Period{} }

// hasCalendar reports whether the period has fields measured on the calendar
// (and so on the wall clock) rather than in elapsed time.
func (p Period) hasCalendar() bool {
	return p.Years != 0 || p.Months != 0 || p.Weeks != 0 || p.Days != 0
}

// exactMillis is the elapsed-time part: hours, minutes, seconds, millis.
func (p Period) exactMillis() int64 {
	return ((int64(p.Hours)*60+int64(p.Minutes))*60+int64(p.Seconds))*1000 + int64(p.Millis)
}

// approxMillis estimates the period's length with the Gregorian averages; it
// only seeds the search for whole periods in skipCount.
func (p Period) approxMillis() float64 {
	const day = 86400000.0
	return float64(p.Years)*365.2425*day + float64(p.Months)*30.436875*day +
		float64(p.Weeks)*7*day + float64(p.Days)*day + float64(p.exactMillis())
}

// AddTo returns t plus the period, as Joda's DateTime.plus(Period) does in
// t's location: the calendar fields move the wall clock (a month added to
// Jan 31 gives the last day of February, not March 3), the result is placed
// back on the time line with the DST rules of resolveWall, and then the exact
// fields add elapsed time.
func (p Period) AddTo(t time.Time) time.Time {
	if p.hasCalendar() {
		wall, ok := p.addCalendar(wallClock(t), 1)
		if !ok {
			return t
		}
		t = resolveWall(wall, t.Location(), noHint)
	}
	return t.Add(time.Duration(p.exactMillis()) * time.Millisecond)
}

// Length is the elapsed time the period spans when added to from; for a
// period without calendar fields it is the same everywhere.
func (p Period) Length(from time.Time) time.Duration { return p.AddTo(from).Sub(from) }

// addCalendar adds k times the calendar fields to a wall-clock time (held as
// a UTC time.Time), in Joda's order: years, then months, each clamping the day
// to the end of the month (Feb 29 + P1Y is Feb 28; Jan 31 + P1M is Feb 28/29),
// then weeks and days. It reports false when the result would leave the
// years 1..9999 that schedules can print.
func (p Period) addCalendar(wall time.Time, k int64) (time.Time, bool) {
	const limit = 20000 * 12
	y, m, d := wall.Date()
	months := int64(y)*12 + int64(m-1)
	dy, dm := int64(p.Years)*k, int64(p.Months)*k
	if dy > limit || dm > limit*12 {
		return time.Time{}, false
	}
	if p.Years != 0 {
		months += dy * 12
		d = min(d, daysIn(int(months/12), time.Month(months%12+1)))
	}
	if p.Months != 0 {
		months += dm
		d = min(d, daysIn(int(months/12), time.Month(months%12+1)))
	}
	days := (int64(p.Weeks)*7 + int64(p.Days)) * k
	if days > limit*31 || months/12 > 9999 {
		return time.Time{}, false
	}
	h, mi, s := wall.Clock()
	out := time.Date(int(months/12), time.Month(months%12+1), d+int(days), h, mi, s, wall.Nanosecond(), time.UTC)
	if out.Year() > 9999 {
		return time.Time{}, false
	}
	return out, true
}

// daysIn is the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
