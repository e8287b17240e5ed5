// Package job is the Chronos job model: the job JSON of the Chronos 2.x and
// 3.x APIs (Decode, Encode), the rules around a run (RecordSuccess,
// RecordFailure, TaskID, MatchConstraints), the dependency graph (Graph) and
// run-time statistics (Percentiles).
//
// Everything here is pure: times are passed in, nothing is read or written,
// nothing runs in the background. The HTTP handlers and the run loop sit on
// top and store what these functions return.
//
// Existing Chronos clients must work unchanged, so the defaults and field
// names are Chronos 3's (utils/JobDeserializer and JobSerializer). Where
// Chronos accepted nonsense silently or failed with a stack trace, mesosbox
// answers with a 400 that says what is wrong; where Chronos refused input
// its own GET had produced (both "uris" and "fetch"), mesosbox accepts it.
// Each such choice is documented where it is made.
package job
