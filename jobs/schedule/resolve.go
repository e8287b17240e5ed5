package schedule

import "time"

// noHint tells resolveWall that no offset was written next to the wall-clock
// time.
const noHint = -1 << 31

// wallClock returns t's wall-clock reading in its own location as a UTC
// time.Time, so that calendar arithmetic on it never meets a DST change.
func wallClock(t time.Time) time.Time {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, m, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// resolveWall places a wall-clock time (held as UTC) of zone loc on the time
// line, the way Joda-Time does and not the way time.Date does:
//
//   - A time that exists once maps to that instant.
//   - A time in a spring-forward gap does not exist. Joda shifts it forward by
//     the length of the gap: 02:30 on the day Los Angeles jumps from 02:00 PST
//     to 03:00 PDT becomes 03:30 PDT (the instant 02:30 PST would have been).
//     time.Date picks either side "without guarantee" and in practice goes
//     backward in the western hemisphere (01:30 PST).
//   - A time in a fall-back overlap exists twice. If hint is the offset of
//     one of the two (the start was written as 01:30-08:00), that one is used,
//     as Joda's withZoneRetainFields keeps it. Otherwise the earlier instant
//     (the summer-time offset) is used, as Joda's period arithmetic does.
//     Joda's retain-fields conversion with a hint that matches neither can pick
//     the later one in eastern zones; mesosbox always picks the earlier.
func resolveWall(wall time.Time, loc *time.Location, hint int) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	u := wall.Unix()
	ns := wall.Nanosecond()
	// Every offset that could apply lies within ±18 h of the wall reading, so
	// the zone periods that intersect that window hold all candidates.
	type period struct {
		offset int
		end    int64 // first second of the next period, or 0 if none
	}
	var periods []period
	t := time.Unix(u-18*3600, 0).In(loc)
	for range 8 {
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		p := period{offset: off}
		if !end.IsZero() {
			p.end = end.Unix()
		}
		periods = append(periods, p)
		if end.IsZero() || end.Unix() > u+18*3600 {
			break
		}
		t = end.In(loc)
	}
	offsetAt := func(instant int64) int {
		_, off := time.Unix(instant, 0).In(loc).Zone()
		return off
	}
	found := false
	var best int64
	for _, p := range periods {
		c := u - int64(p.offset)
		if offsetAt(c) != p.offset {
			continue
		}
		if p.offset == hint {
			best, found = c, true
			break
		}
		if !found || c < best {
			best, found = c, true
		}
	}
	if !found {
		// A gap: find the transition whose gap holds the wall time and shift
		// by it, i.e. read the wall time with the offset before the change.
		best = u - int64(periods[0].offset)
		for i := 0; i+1 < len(periods); i++ {
			before, after := periods[i].offset, periods[i+1].offset
			tr := periods[i].end
			if after > before && u >= tr+int64(before) && u < tr+int64(after) {
				best = u - int64(before)
				break
			}
		}
	}
	return time.Unix(best, int64(ns)).In(loc)
}
