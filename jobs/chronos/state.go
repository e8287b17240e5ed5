package chronos

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/jobs/schedule"
	"github.com/mesosbox/mesosbox/store"
)

// jobMeta is what the scheduler keeps about a job beyond its definition.
type jobMeta struct {
	anchor     time.Time // cron schedules: see JobRecord.Anchor
	epsilonSet bool
	skipped    int64
}

// state is the leader's view of the stored records. It is guarded by
// Service.mu and changed only together with a committed command.
type state struct {
	graph       *job.Graph
	meta        map[string]*jobMeta
	queue       map[string]Run         // by task id
	tasks       map[string]*TaskRecord // by task id
	frameworkID string
}

// load reads every record of the chronos buckets.
func load(st *store.Store, defaults job.Defaults) (*state, error) {
	s := &state{meta: map[string]*jobMeta{}, queue: map[string]Run{}, tasks: map[string]*TaskRecord{}}
	var jobs []*job.Job
	var counts []job.EdgeCount
	defaults.Mode = job.V2 // stored jobs carry epsilon
	err := st.View(func(tx *bolt.Tx) error {
		if err := forEach(tx, jobsBucket, func(k, v []byte) error {
			var r JobRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("job %s: %w", k, err)
			}
			j, err := decodeRecord(r, defaults)
			if err != nil {
				return fmt.Errorf("job %s: %w", k, err)
			}
			jobs = append(jobs, j)
			s.meta[j.Name] = &jobMeta{anchor: r.Anchor, epsilonSet: r.EpsilonSet, skipped: r.Skipped}
			return nil
		}); err != nil {
			return err
		}
		if err := forEach(tx, edgesBucket, func(k, v []byte) error {
			var c []job.EdgeCount
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("edges of %s: %w", k, err)
			}
			counts = append(counts, c...)
			return nil
		}); err != nil {
			return err
		}
		if err := forEach(tx, queueBucket, func(k, v []byte) error {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("queued run %s: %w", k, err)
			}
			s.queue[r.TaskID] = r
			return nil
		}); err != nil {
			return err
		}
		if err := forEach(tx, tasksBucket, func(k, v []byte) error {
			var t TaskRecord
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("task %s: %w", k, err)
			}
			s.tasks[t.TaskID] = &t
			return nil
		}); err != nil {
			return err
		}
		if b := tx.Bucket(metaBucket); b != nil {
			s.frameworkID = string(b.Get(frameworkIDKey))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.graph, err = job.NewGraph(jobs); err != nil {
		return nil, err
	}
	s.graph.RestoreCounts(counts)
	return s, nil
}

// decodeRecord reads a stored job back with the Chronos decoder.
func decodeRecord(r JobRecord, defaults job.Defaults) (*job.Job, error) {
	var p struct {
		Parents []string `json:"parents"`
	}
	if err := json.Unmarshal(r.Job, &p); err != nil {
		return nil, err
	}
	kind := job.Scheduled
	if len(p.Parents) > 0 {
		kind = job.Dependent
	}
	return job.Decode(r.Job, kind, defaults, time.Time{})
}

// record is a job as stored.
func (s *state) record(j *job.Job) JobRecord {
	r := JobRecord{Job: job.Encode(j, job.V2)}
	if m := s.meta[j.Name]; m != nil {
		r.Anchor, r.EpsilonSet, r.Skipped = m.anchor, m.epsilonSet, m.skipped
	}
	return r
}

// metaOf returns the job's meta, creating it.
func (s *state) metaOf(name string) *jobMeta {
	m := s.meta[name]
	if m == nil {
		m = &jobMeta{}
		s.meta[name] = m
	}
	return m
}

// schedule parses a scheduled job's schedule; a cron schedule counts from
// its stored anchor so that a run missed while no leader was up is still
// pending.
func (s *state) schedule(j *job.Job, now time.Time) (schedule.Schedule, error) {
	ref := now
	if m := s.meta[j.Name]; m != nil && !m.anchor.IsZero() {
		ref = m.anchor
	}
	return schedule.Parse(j.Schedule, j.ScheduleTimeZone, ref)
}

// setSchedule stores sched as the job's pending schedule: ISO schedules are
// rewritten in place, as Chronos rewrites the schedule string; cron keeps
// its expression and moves its anchor.
func (s *state) setSchedule(j *job.Job, sched schedule.Schedule) {
	if sched.IsCron() {
		s.metaOf(j.Name).anchor = sched.Anchor()
		return
	}
	j.Schedule = sched.String()
}

// edges returns the stored form of the edge counts into the given children.
func (s *state) edges(children ...string) map[string][]job.EdgeCount {
	out := make(map[string][]job.EdgeCount, len(children))
	for _, c := range children {
		out[c] = []job.EdgeCount{}
	}
	for _, e := range s.graph.Counts() {
		if _, ok := out[e.Child]; ok {
			out[e.Child] = append(out[e.Child], e)
		}
	}
	return out
}

// status is a job's task status for jobs/summary and graph/csv.
func (s *state) status(name string) string {
	for _, t := range s.tasks {
		if t.Job == name {
			return job.StatusRunning
		}
	}
	for _, r := range s.queue {
		if r.Job == name {
			return job.StatusQueued
		}
	}
	return job.StatusIdle
}

// running reports whether a task of the job is running.
func (s *state) running(name string) bool {
	for _, t := range s.tasks {
		if t.Job == name {
			return true
		}
	}
	return false
}

// queuedFor returns the job's queued runs, by task id.
func (s *state) queuedFor(name string) []Run {
	var out []Run
	for _, id := range slices.Sorted(maps.Keys(s.queue)) {
		if r := s.queue[id]; r.Job == name {
			out = append(out, r)
		}
	}
	return out
}

// tasksOf returns the job's running tasks, by task id.
func (s *state) tasksOf(name string) []*TaskRecord {
	var out []*TaskRecord
	for _, id := range slices.Sorted(maps.Keys(s.tasks)) {
		if t := s.tasks[id]; t.Job == name {
			out = append(out, t)
		}
	}
	return out
}

// newRun makes a queued run of a job.
func newRun(name string, due time.Time, attempt int, arguments, reason string, now time.Time) Run {
	due = due.UTC().Truncate(time.Millisecond)
	return Run{TaskID: job.TaskID(due, attempt, name, arguments), Job: name, Due: due, Attempt: attempt,
		Arguments: arguments, Reason: reason, Queued: now.UTC()}
}

// emptyStart matches an ISO schedule whose start is empty ("R5//PT1M"),
// which means "now" every time it is parsed.
func emptyStart(expr string) bool {
	rest, ok := strings.CutPrefix(expr, "R")
	if !ok {
		return false
	}
	i := strings.IndexByte(rest, '/')
	return i >= 0 && strings.HasPrefix(rest[i+1:], "/")
}
