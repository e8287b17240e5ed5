// Package chronos is mesosbox's Chronos: a Mesos framework that runs
// scheduled and dependent jobs through offers of the mesosbox master, and
// the Chronos REST API on port 4400, under both /v1/scheduler (3.x) and
// /scheduler (2.x), so that existing job JSON, chronos-sync style scripts
// and Chronos clients work unchanged.
//
// # Shape
//
// The job model and the schedule engine are pure packages (jobs/job,
// jobs/schedule). This package adds what has state and time:
//
//   - store.go: the records and typed commands; every decision (a job
//     posted, runs queued, runs launched, tasks ended) is one command
//     applied through Raft, written whole in one transaction.
//   - state.go: the leader's in-memory view, loaded from the store at
//     Start and changed only together with a committed command (when a
//     command fails the view is reloaded from the store, the truth).
//   - loop.go: the clock-driven loop that queues due runs.
//   - offers.go, launch.go: matching queued runs to offers and building
//     the TaskInfos; updates.go: status updates, retries, dependencies.
//   - api_*.go, proxy.go: the REST API, served by the leader and proxied
//     to it by the other nodes, as Chronos' RedirectFilter does.
//
// # Where mesosbox differs from Chronos, on purpose
//
// Chronos kept its task queue, running tasks and dependency counts in
// memory: a leader change lost queued runs, launched tasks twice (#411,
// #722) and made multi-parent children wait forever (#811). Here they are
// stored, and a new leader reconciles the recorded tasks before anything
// is relaunched. The decision to launch a run is committed before the
// launch, so a slot runs at most once even across failovers; a launch that
// never reached the master comes back as TASK_LOST and is retried.
//
// Missed runs collapse into one catch-up run (Chronos 3). A job posted
// with an explicit "epsilon" (or every job in 2.x mode) gets the 2.x rule
// instead: a run not launched by due+epsilon is skipped and counted.
package chronos
