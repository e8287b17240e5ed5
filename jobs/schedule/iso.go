package schedule

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// isoSchedule is R[n]/<start>/<period>.
type isoSchedule struct {
	loc *time.Location
	// wall is the start's wall-clock time in loc (as UTC). It usually equals
	// the start's clock reading; after a DST gap it keeps the time the user
	// asked for (02:30) while start is the instant Joda shifts it to (03:30).
	wall      time.Time
	start     time.Time
	period    Period
	remaining int // -1 = forever
}

// unixEpoch is the earliest start: task ids carry the due time as unsigned
// milliseconds since 1970.
var unixEpoch = time.Unix(0, 0).UTC()

func parseISO(repeat, startText, periodText string, tz *time.Location, now time.Time) (*isoSchedule, error) {
	s := &isoSchedule{remaining: -1}
	if len(repeat) > 1 {
		n, err := strconv.Atoi(repeat[1:])
		if err != nil || n > math.MaxInt32 {
			return nil, fmt.Errorf("repetition count %q is too large", repeat)
		}
		s.remaining = n
	}
	p, err := ParseDuration(periodText)
	if err != nil {
		return nil, err
	}
	if p.IsZero() {
		return nil, fmt.Errorf("period %q is zero; a schedule needs a period longer than zero", periodText)
	}
	s.period = p

	if startText == "" {
		// Chronos: DateTime.now(UTC).minusSeconds(1), so the job is due at
		// once. Chronos then printed that start in UTC even when tz was set,
		// and the next parse read those UTC fields in tz, moving the job by
		// the zone's offset; here the start is the same instant shown in tz.
		s.loc = tz
		if s.loc == nil {
			s.loc = time.UTC
		}
		s.start = now.Add(-time.Second).Truncate(time.Millisecond).In(s.loc)
		s.wall = wallClock(s.start)
	} else {
		dt, err := parseDateTime(startText)
		if err != nil {
			return nil, err
		}
		s.wall = dt.wall
		switch {
		case tz != nil:
			hint := noHint
			if dt.hasOffset {
				hint = dt.offset
			}
			s.loc = tz
			s.start = resolveWall(dt.wall, tz, hint)
		case dt.hasOffset:
			s.loc = fixedZone(dt.offset)
			s.start = time.Unix(dt.wall.Unix()-int64(dt.offset), int64(dt.wall.Nanosecond())).In(s.loc)
		default:
			s.loc = time.UTC
			s.start = dt.wall
		}
	}
	if s.start.Before(unixEpoch) {
		return nil, fmt.Errorf("start %s is before 1970-01-01T00:00:00Z", formatStart(s.wall, s.start))
	}
	if _, ok := s.occurrence(1); !ok {
		return nil, fmt.Errorf("period %s is too long: the next run after %s would be after the year 9999", p, formatStart(s.wall, s.start))
	}
	return s, nil
}

// occurrence returns the k-th run time counted from the start (k >= 0), as
// Joda's start.plus(period.multipliedBy(k)): the calendar fields times k
// added to the wall clock and resolved, then the exact fields times k added
// as elapsed time. It reports false past the year 9999.
func (s *isoSchedule) occurrence(k int64) (time.Time, bool) {
	if k == 0 {
		return s.start, true
	}
	t := s.start
	if s.period.hasCalendar() {
		wall, ok := s.period.addCalendar(s.wall, k)
		if !ok {
			return time.Time{}, false
		}
		t = resolveWall(wall, s.loc, noHint)
	}
	if e := s.period.exactMillis(); e != 0 {
		span := time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC).UnixMilli() - t.UnixMilli()
		if k > span/e {
			return time.Time{}, false
		}
		// In milliseconds: k*e can exceed what a time.Duration holds.
		t = time.UnixMilli(t.UnixMilli() + k*e).In(s.loc)
	}
	if wallClock(t).Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// skipCount returns the smallest k >= 1 with occurrence(k) > now, or false if
// that lies past the year 9999. For exact periods it is a division; with
// calendar fields the Gregorian average gives a guess that is off by at most
// a step or two, which the loops then correct.
func (s *isoSchedule) skipCount(now time.Time) (int64, bool) {
	elapsed := float64(now.UnixMilli() - s.start.UnixMilli())
	if elapsed < 0 {
		return 1, true
	}
	if !s.period.hasCalendar() {
		return int64(elapsed)/s.period.exactMillis() + 1, true
	}
	if wallClock(now.In(s.loc)).Year() >= 9999 {
		// Keeps the guess below within the printable range, where it is close.
		return 0, false
	}
	k := max(int64(elapsed/s.period.approxMillis()), 0)
	for k > 0 {
		t, ok := s.occurrence(k)
		if ok && !t.After(now) {
			break
		}
		k--
	}
	for {
		t, ok := s.occurrence(k + 1)
		if !ok {
			return 0, false
		}
		if t.After(now) {
			return k + 1, true
		}
		k++
	}
}

func (s *isoSchedule) skipForward(now time.Time) *isoSchedule {
	next := *s
	if next.remaining > 0 {
		next.remaining--
	}
	k, ok := s.skipCount(now)
	var start time.Time
	if ok {
		start, ok = s.occurrence(k)
	}
	if !ok {
		next.remaining = 0
		return &next
	}
	next.start = start
	if s.period.exactMillis() == 0 {
		// Pure calendar periods keep the wall time the user asked for, even
		// where a DST gap shifted this one run.
		next.wall, _ = s.period.addCalendar(s.wall, k)
	} else {
		next.wall = wallClock(next.start)
	}
	return &next
}

func (s *isoSchedule) String() string {
	r := "R"
	if s.remaining >= 0 {
		r += strconv.Itoa(s.remaining)
	}
	return r + "/" + formatStart(s.wall, s.start) + "/" + s.period.String()
}
