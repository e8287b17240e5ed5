package chronos

import (
	"context"
	"errors"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/driver"
	"github.com/mesosbox/mesosbox/jobs/job"
)

// outcome is how a run ended, for the books.
type outcome int

const (
	succeeded outcome = iota
	failed            // counts, and is retried while attempts are left
	killed            // killed on request: Chronos neither counts nor retries it
	ignored           // the task ended but the job reports its own result (2.x async)
)

// Update records a status update before the driver acknowledges it. A
// running task's state is kept; a terminal one ends the task and is booked
// on its job: counters, history, retries, dependent children. A status
// that could not be recorded (no longer leader, a failed write) is
// refused, so that the driver does not acknowledge it and the agent sends
// it again, to the next leader if need be.
func (h *handlers) Update(_ context.Context, _ *driver.Driver, status mesos.TaskStatus) error {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return errors.New("chronos is not running on this node")
	}
	t := s.st.tasks[status.TaskID.Value]
	if t == nil {
		return nil // ended already (a resent or reconciled update), or not Chronos'
	}
	state := status.GetState()
	now := s.cfg.Clock.Now()
	if !terminal(state) {
		return s.progressLocked(t, status, now)
	}
	o := failed
	switch {
	case state == mesos.TASK_FINISHED:
		o = succeeded
		if j, ok := s.st.graph.Job(t.Job); ok && j.Async {
			o = ignored
		}
	case state == mesos.TASK_KILLED:
		o = killed
	}
	msg := status.GetMessage()
	if status.Reason != nil {
		msg = status.Reason.String() + ": " + msg
	}
	return s.finishLocked(t, o, state.String(), msg, now, true)
}

// progressLocked keeps a non-terminal state of a running task.
func (s *Service) progressLocked(t *TaskRecord, status mesos.TaskStatus, now time.Time) error {
	next := *t
	next.State = status.GetState().String()
	if status.AgentID != nil && status.AgentID.Value != "" {
		next.AgentID = status.AgentID.Value
	}
	if status.GetState() == mesos.TASK_RUNNING && next.Started.IsZero() {
		next.Started = now.UTC()
	}
	if next == *t {
		return nil
	}
	*t = next
	return s.apply(UpdateTasks{Change{Tasks: []TaskRecord{next}}})
}

// terminal reports whether a task in this state has ended. TASK_UNKNOWN
// (a reconciled task the master does not know) has ended as far as Chronos
// is concerned: it is never coming back.
func terminal(st mesos.TaskState) bool {
	switch st {
	case mesos.TASK_FINISHED, mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_LOST, mesos.TASK_ERROR,
		mesos.TASK_DROPPED, mesos.TASK_GONE, mesos.TASK_GONE_BY_OPERATOR, mesos.TASK_UNKNOWN:
		return true
	}
	return false
}

// finishLocked books the end of a run on its job, as Chronos'
// handleFinishedTask and handleFailedTask do, in one command:
//
//   - success: successCount, lastSuccess, errorsSinceLastSuccess = 0, the
//     job disabled if its Rn schedule is used up, and the children whose
//     parents have all succeeded since they last started queued;
//   - failure: a retry queued FailureRetry later while attempts are left
//     (RecordFailure's rule), else errorCount, errorsSinceLastSuccess,
//     lastError, maybe disabled (--disable_after_failures), and with
//     softError the children fired anyway;
//   - killed: only the history.
//
// running says whether t is a recorded running task (false for a result
// reported through the 2.x task API after the task was gone).
func (s *Service) finishLocked(t *TaskRecord, o outcome, state, msg string, now time.Time, running bool) error {
	st := s.st
	var c Change
	if running {
		c.EndTasks = []string{t.TaskID}
		delete(st.tasks, t.TaskID)
	}
	j, ok := st.graph.Job(t.Job)
	if ok && o != ignored {
		start := t.Started
		if start.IsZero() {
			start = t.Launched
		}
		rec := RunRecord{TaskID: t.TaskID, Job: t.Job, AgentID: t.AgentID, Start: start, End: now.UTC(),
			Status: StatusFail, State: state, Message: msg, Elements: t.Elements}
		var fire bool
		switch o {
		case succeeded:
			rec.Status = StatusSuccess
			if j.RecordSuccess(now) {
				s.log.Info("job disabled: its schedule has no runs left", "job", j.Name)
			}
			fire = true
			s.metrics.Succeeded++
		case failed:
			s.metrics.Failed++
			if j.RecordFailure(now, t.Attempt, s.cfg.DisableAfterFailures) {
				r := newRun(j.Name, now.Add(s.cfg.FailureRetry), t.Attempt+1, t.Arguments, ReasonRetry, now)
				st.queue[r.TaskID] = r
				c.Enqueue = append(c.Enqueue, r)
				s.metrics.Retried++
				s.log.Info("job failed; retry queued", "job", j.Name, "task", t.TaskID, "retry", r.TaskID, "message", msg)
			} else {
				fire = j.SoftError
				s.log.Warn("job failed", "job", j.Name, "task", t.TaskID, "errors_since_success", j.ErrorsSinceLastSuccess,
					"disabled", j.Disabled, "message", msg)
			}
		case killed:
			s.metrics.Killed++
		}
		if fire {
			c.Enqueue = append(c.Enqueue, s.fireChildren(j.Name, now)...)
			c.Edges = st.edges(st.graph.Children(j.Name)...)
		}
		c.Jobs = []JobRecord{st.record(j)}
		c.History = []RunRecord{rec}
	}
	var err error
	if running {
		err = s.apply(EndTasks{c})
	} else {
		err = s.apply(QueueRuns{c})
	}
	if err == nil {
		s.log.Info("job run ended", "job", t.Job, "task", t.TaskID, "state", state)
	}
	s.tickLocked()
	return err
}

// fireChildren books a success of parent in the graph and queues the
// children that became ready (Chronos' processDependencies).
func (s *Service) fireChildren(parent string, now time.Time) []Run {
	var out []Run
	for _, child := range s.st.graph.OnSuccess(parent) {
		r := newRun(child, now, 0, "", ReasonDependency, now)
		if _, dup := s.st.queue[r.TaskID]; dup {
			continue
		}
		s.st.queue[r.TaskID] = r
		out = append(out, r)
		s.metrics.Queued++
	}
	return out
}

// markSuccess is PUT job/success/{name}: the job is booked as successful
// and its children fire, as Chronos' markJobSuccessAndFireOffDependencies.
func (s *Service) markSuccess(j *job.Job, now time.Time) error {
	st := s.st
	j.RecordSuccess(now)
	st.graph.ChildStarted(j.Name)
	c := Change{Jobs: []JobRecord{st.record(j)}}
	c.Enqueue = s.fireChildren(j.Name, now)
	c.Edges = st.edges(append(st.graph.Children(j.Name), j.Name)...)
	if err := s.apply(QueueRuns{c}); err != nil {
		return err
	}
	s.tickLocked()
	return nil
}
