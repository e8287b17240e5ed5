// Package schedule is the Chronos schedule engine: ISO 8601 repeating
// intervals (R[n]/<start>/<period>) as Chronos 2.x and 3.x read them, plus
// 5-field cron expressions as a mesosbox extension.
//
// It is pure: no clock of its own (every "now" is passed in), no I/O, no
// goroutines. Times it returns are in the schedule's zone.
//
// # Run model
//
// A Schedule has one pending run, due at Start(). Due(now) is true once the
// start is not after now and runs are left. When the run is launched the
// caller stores SkipForward(now): the start jumps to the first run time after
// now and the count drops by one. That is Chronos 3's "never skip" rule (PR
// #734): however many periods a down scheduler missed, the job runs once to
// catch up and then keeps its rhythm. Chronos 2.x dropped late runs instead;
// Expired implements its epsilon test for a 2.x mode.
//
// The start is rewritten on every launch, as Chronos rewrites the schedule
// string. So a monthly job started on Jan 31 runs on Feb 29 and from then on
// the 29th, exactly as in Chronos; there is no other place in the format to
// remember the 31st.
//
// # Time zones and DST
//
// Periods follow Joda-Time: calendar fields (P1D, P1W, P1M, P1Y) move the
// wall clock and keep the time of day across a DST change; exact fields
// (PT24H, PT1H) add elapsed time. Wall-clock times are placed on the time line
// by resolveWall: a time in a spring-forward gap is shifted forward by the
// gap (Joda), a time in a fall-back overlap takes the offset written in the
// start if it is one of the two, else the earlier instant. scheduleTimeZone
// replaces the start's offset but keeps its fields (withZoneRetainFields), and
// the JDK three-letter ids Chronos accepted ("PST", "EST") map to the zones
// Joda mapped them to, DST included.
//
// Deliberate differences from Chronos, each because Chronos' behaviour was a
// bug: an unknown zone is an error (Chronos used GMT); an empty start with a
// time zone is shown in that zone (Chronos printed it in UTC and then re-read
// it in the zone); after a DST gap the start keeps the requested wall time
// (see formatStart); the count drops by one per launch (see SkipForward).
package schedule
