package chronos

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/mesosbox/mesosbox/jobs/job"
)

// runJob is PUT job/{name}?arguments=...: run the job now. The arguments
// go into the task id and are appended to the command (launch.go). Like
// Chronos, the run of a disabled job is accepted and then dropped, and a
// manual run does not use up a scheduled one.
func (s *Service) runJob(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	args := r.URL.Query().Get("arguments")
	if _, ok := s.lockJob(w, name); !ok {
		return
	}
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	run := newRun(name, now, 0, args, ReasonManual, now)
	if _, err := job.ParseTaskID(run.TaskID); err != nil {
		badRequest(w, "arguments cannot be put in a task id: %v", err)
		return
	}
	// Mesos refuses a task id that is not one path component (TASK_ERROR
	// after the run was queued); say so now.
	if id := run.TaskID; len(id) > 255 || strings.ContainsFunc(id, func(r rune) bool { return r == '/' || r == '\\' || unicode.IsControl(r) }) {
		badRequest(w, "arguments cannot be put in a Mesos task id (at most 255 bytes in all, no '/', '\\' or control characters): %q", args)
		return
	}
	s.st.queue[run.TaskID] = run
	if err := s.apply(QueueRuns{Change{Enqueue: []Run{run}}}); err != nil {
		unavailable(w, err)
		return
	}
	s.metrics.Queued++
	s.log.Info("job run requested", "job", name, "task", run.TaskID)
	s.tickLocked()
	w.WriteHeader(http.StatusNoContent)
}

// putSuccess is PUT job/success/{name}: mark the job successful and fire
// its children.
func (s *Service) putSuccess(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	j, ok := s.lockJob(w, name)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	if err := s.markSuccess(j, s.cfg.Clock.Now()); err != nil {
		unavailable(w, err)
		return
	}
	writeText(w, fmt.Sprintf("marked job %s as successful: true", name))
}

// killTasks is DELETE task/kill/{name}: the job's queued runs are dropped
// and its running tasks killed.
func (s *Service) killTasks(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	if _, ok := s.lockJob(w, name); !ok {
		return
	}
	defer s.mu.Unlock()
	c := Change{}
	s.dropQueued(&c, s.st.queuedFor(name), s.cfg.Clock.Now())
	tasks := s.st.tasksOf(name)
	for _, t := range tasks {
		t.Killing = true
		c.Tasks = append(c.Tasks, *t)
	}
	if !c.empty() {
		if err := s.apply(UpdateTasks{c}); err != nil {
			unavailable(w, err)
			return
		}
	}
	for _, t := range s.st.tasksOf(name) {
		s.kill(t)
	}
	s.log.Info("job tasks killed", "job", name, "running", len(tasks), "dropped", len(c.Dequeue))
	s.tickLocked()
	w.WriteHeader(http.StatusNoContent)
}

// kill asks the master to kill a task; the TASK_KILLED update ends it.
func (s *Service) kill(t *TaskRecord) {
	if s.drv == nil {
		return
	}
	if err := s.drv.Kill(t.TaskID, t.AgentID, 0); err != nil {
		s.log.Warn("kill failed", "task", t.TaskID, "error", err)
	}
}

// postProgress is POST job/{name}/task/{taskId}/progress with
// {"numAdditionalElementsProcessed":N}: the count shows as
// numElementsProcessed in job/stat. Chronos only counts it for jobs with
// dataProcessingJobType and answers 204 either way.
func (s *Service) postProgress(w http.ResponseWriter, r *http.Request) {
	name, taskID := param(r, "name"), param(r, "taskId")
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var p struct {
		N *int64 `json:"numAdditionalElementsProcessed"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.N == nil || *p.N < 0 {
		badRequest(w, "the body must be {\"numAdditionalElementsProcessed\": <non-negative number>}")
		return
	}
	j, ok := s.lockJob(w, name)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	if !j.DataProcessingJobType {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var err error
	if t := s.st.tasks[taskID]; t != nil && t.Job == name {
		next := *t
		next.Elements += *p.N
		if err = s.apply(UpdateTasks{Change{Tasks: []TaskRecord{next}}}); err == nil {
			*t = next
		}
	} else {
		runs, herr := history(s.cfg.Store, name)
		i := slices.IndexFunc(runs, func(r RunRecord) bool { return r.TaskID == taskID })
		if herr != nil || i < 0 {
			badRequest(w, "Task '%s' of job '%s' not found", taskID, name)
			return
		}
		runs[i].Elements += *p.N
		err = s.apply(QueueRuns{Change{History: []RunRecord{runs[i]}}})
	}
	if err != nil {
		unavailable(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putTaskStatus is 2.x's PUT /scheduler/task/{taskId} with
// {"statusCode":N}: an asynchronous job reports its result, 0 for success.
// It is booked like the end of the task (which for an async job books
// nothing itself).
func (s *Service) putTaskStatus(w http.ResponseWriter, r *http.Request) {
	taskID := param(r, "taskId")
	ref, err := job.ParseTaskID(taskID)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, job.ErrorBody(err))
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var p struct {
		StatusCode *int `json:"statusCode"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.StatusCode == nil {
		badRequest(w, "the body must be {\"statusCode\": <number>}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	if _, ok := s.st.graph.Job(ref.Job); !ok {
		notFound(w, ref.Job)
		return
	}
	now := s.cfg.Clock.Now()
	o, state := succeeded, "TASK_FINISHED"
	if *p.StatusCode != 0 {
		o, state = failed, "TASK_FAILED"
	}
	msg := fmt.Sprintf("status code %d reported through the API", *p.StatusCode)
	if t := s.st.tasks[taskID]; t != nil {
		s.finishLocked(t, o, state, msg, now, true)
	} else {
		t := &TaskRecord{TaskID: taskID, Job: ref.Job, Due: ref.Due, Attempt: ref.Attempt, Arguments: ref.Arguments,
			Launched: ref.Due, Reason: ReasonManual}
		s.finishLocked(t, o, state, msg, now, false)
	}
	w.WriteHeader(http.StatusNoContent)
}

// purgeQueue is 2.x's DELETE /scheduler/task/all: every queued run is
// dropped (running tasks are not touched).
func (s *Service) purgeQueue(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	var runs []Run
	for _, id := range slices.Sorted(maps.Keys(s.st.queue)) {
		runs = append(runs, s.st.queue[id])
	}
	if len(runs) > 0 {
		var c Change
		s.dropQueued(&c, runs, s.cfg.Clock.Now())
		if err := s.apply(QueueRuns{c}); err != nil {
			unavailable(w, err)
			return
		}
	}
	s.log.Info("queue purged", "runs", len(runs))
	s.tickLocked()
	w.WriteHeader(http.StatusNoContent)
}
