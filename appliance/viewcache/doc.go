// Package viewcache serves big read-only views of in-memory state (the
// Mesos master's /master/state, Marathon's /v2/apps and /v2/tasks) to
// many pollers at the cost of one render per state change.
//
// The state's mutex is a Mutex: every critical section it ends with Unlock
// counts as a change and bumps its generation. A Views remembers the last
// encoded body of each view with the generation it was rendered at and
// answers from it while the generation is unchanged; concurrent requests
// for a view that is out of date share one render. Bodies are gzipped on
// first demand and kept next to the plain bytes.
package viewcache
