package chronos

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/jobs/schedule"
)

// postJob is POST iso8601 and POST dependency: create the job, or replace
// the one with its name (Chronos has no PUT for jobs). The job is checked
// whole (JSON, name, schedule, parents, cycles) before anything is stored,
// so a refused post leaves nothing behind.
//
// Replacing keeps the job's counters when the body carries none (a job
// read back with GET and posted again carries its own), keeps a cron job's
// pending run when its expression did not change, and drops a scheduled
// run already queued, which the new schedule re-queues if it is due.
func (s *Service) postJob(kind job.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		now := s.cfg.Clock.Now()
		j, err := job.Decode(body, kind, s.cfg.Defaults, now)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, job.ErrorBody(err))
			return
		}
		if len(j.Parents) > maxParents {
			badRequest(w, "job '%s' has %d parents, expected %d or less", j.Name, len(j.Parents), maxParents)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.active() {
			noLeader(w)
			return
		}
		st := s.st
		old, exists := st.graph.Job(j.Name)
		if !exists {
			if err := j.ValidateNew(now); err != nil {
				writeJSON(w, http.StatusBadRequest, job.ErrorBody(err))
				return
			}
		} else if countersUnset(j) {
			j.SuccessCount, j.ErrorCount, j.ErrorsSinceLastSuccess = old.SuccessCount, old.ErrorCount, old.ErrorsSinceLastSuccess
			j.LastSuccess, j.LastError = old.LastSuccess, old.LastError
		}
		var anchor time.Time
		if j.Kind() == job.Scheduled {
			sched, err := schedule.Parse(j.Schedule, j.ScheduleTimeZone, now)
			if err != nil {
				badRequest(w, "Cannot parse schedule '%s': %v", j.Schedule, err)
				return
			}
			switch {
			case sched.IsCron():
				anchor = now
				if m := st.meta[j.Name]; exists && m != nil && !m.anchor.IsZero() &&
					old.Schedule == j.Schedule && old.ScheduleTimeZone == j.ScheduleTimeZone {
					anchor = m.anchor
				}
			case emptyStart(j.Schedule):
				// An empty start means "now" each time it is read; pin it.
				j.Schedule = sched.String()
			}
		}
		if err := st.graph.Put(j); err != nil {
			writeJSON(w, http.StatusBadRequest, job.ErrorBody(err))
			return
		}
		m := st.metaOf(j.Name)
		m.anchor, m.epsilonSet = anchor, hasField(body, "epsilon")
		c := Change{Jobs: []JobRecord{st.record(j)}, Edges: st.edges(j.Name)}
		for _, q := range st.queuedFor(j.Name) {
			if q.Reason == ReasonSchedule {
				c.Dequeue = append(c.Dequeue, q.TaskID)
				delete(st.queue, q.TaskID)
			}
		}
		if err := s.apply(PutJob{c}); err != nil {
			unavailable(w, err)
			return
		}
		s.log.Info("job stored", "job", j.Name, "kind", j.Kind().String(), "replaced", exists)
		s.tickLocked()
		w.WriteHeader(http.StatusNoContent)
	}
}

// maxParents bounds a dependent job's parents, the one list of other
// jobs a Chronos request carries. Chronos has no such bound; each parent
// is an edge the graph keeps and checks on every run. A variable so that
// the test can try the bound without posting a thousand jobs.
var maxParents = 1000

func countersUnset(j *job.Job) bool {
	return j.SuccessCount == 0 && j.ErrorCount == 0 && j.ErrorsSinceLastSuccess == 0 &&
		j.LastSuccess.IsZero() && j.LastError.IsZero()
}

// hasField reports whether a JSON object has a non-null field.
func hasField(body []byte, field string) bool {
	var o map[string]json.RawMessage
	if json.Unmarshal(body, &o) != nil {
		return false
	}
	v, ok := o[field]
	return ok && string(v) != "null"
}

// getJobs is GET jobs: every job, as a bare array.
func (s *Service) getJobs(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	writeJSON(w, http.StatusOK, job.EncodeList(s.st.graph.Jobs(), s.cfg.Defaults.Mode))
}

// getJob is GET job/{name} (3.x).
func (s *Service) getJob(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	j, ok := s.lockJob(w, name)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, job.Encode(j, s.cfg.Defaults.Mode))
}

// getSummary is GET jobs/summary (3.x): {"jobs":[...]} with each job's
// last state and whether it is idle, queued or running.
func (s *Service) getSummary(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	list := job.SummaryList{Jobs: []job.Summary{}}
	for _, j := range s.st.graph.Jobs() {
		list.Jobs = append(list.Jobs, job.Summarize(j, s.st.status(j.Name)))
	}
	writeValue(w, list)
}

// searchJobs is GET jobs/search: case-insensitive substring filters on
// name, command, and any (name, command, description or owner), then
// offset and limit (defaults 0 and 10), as Chronos' JobManagementResource.
func (s *Service) searchJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err1 := intParam(q.Get("limit"), 10)
	offset, err2 := intParam(q.Get("offset"), 0)
	if err1 != nil || err2 != nil {
		badRequest(w, "limit and offset must be non-negative integers")
		return
	}
	name, command, anyText := strings.ToLower(q.Get("name")), strings.ToLower(q.Get("command")), strings.ToLower(q.Get("any"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	var found []*job.Job
	for _, j := range s.st.graph.Jobs() {
		switch {
		case name != "" && !strings.Contains(strings.ToLower(j.Name), name):
		case command != "" && !strings.Contains(strings.ToLower(j.Command), command):
		case anyText != "" && !containsAny(anyText, j.Name, j.Command, j.Description, j.Owner):
		default:
			found = append(found, j)
		}
	}
	found = found[min(offset, len(found)):]
	found = found[:min(limit, len(found))]
	writeJSON(w, http.StatusOK, job.EncodeList(found, s.cfg.Defaults.Mode))
}

func containsAny(needle string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// deleteJob is DELETE job/{name}: the job goes with its queued runs, its
// running tasks are killed, and its children are re-parented as Chronos
// does (Graph.Reparent).
func (s *Service) deleteJob(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	st := s.st
	if _, ok := st.graph.Job(name); !ok {
		notFound(w, name)
		return
	}
	children, err := st.graph.Reparent(name)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, job.ErrorBody(err))
		return
	}
	c := Change{DeleteJobs: []string{name}}
	var touched []string
	for _, child := range children {
		c.Jobs = append(c.Jobs, st.record(child))
		touched = append(touched, child.Name)
	}
	c.Edges = st.edges(touched...)
	for _, q := range st.queuedFor(name) {
		c.Dequeue = append(c.Dequeue, q.TaskID)
		delete(st.queue, q.TaskID)
	}
	delete(st.meta, name)
	if err := s.apply(DeleteJob{c}); err != nil {
		unavailable(w, err)
		return
	}
	for _, t := range st.tasksOf(name) {
		s.kill(t)
	}
	s.log.Info("job deleted", "job", name, "reparented", len(children))
	s.tickLocked()
	w.WriteHeader(http.StatusNoContent)
}
