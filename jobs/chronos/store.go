package chronos

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/store"
)

// Everything Chronos kept in ZooKeeper, and the things it kept only in
// memory and lost on a leader change (the queue, the running tasks, the
// dependency edge counts: issues #411, #722, #811), lives in these buckets.
var (
	jobsBucket    = []byte("chronos.jobs")    // job name → JobRecord
	edgesBucket   = []byte("chronos.edges")   // child name → []job.EdgeCount
	queueBucket   = []byte("chronos.queue")   // task id → Run
	tasksBucket   = []byte("chronos.tasks")   // task id → TaskRecord
	historyBucket = []byte("chronos.history") // job name → []RunRecord, newest last
	metaBucket    = []byte("chronos.meta")    // frameworkIDKey → framework id
)

var frameworkIDKey = []byte("framework_id")

// historyKept bounds the run history of a job.
const historyKept = 100

// JobRecord is a stored job: its Chronos JSON (the 2.x form, which carries
// every field including epsilon) plus what the scheduler needs beyond it.
type JobRecord struct {
	Job json.RawMessage `json:"job"`
	// Anchor is, for a cron schedule, the reference time whose next match
	// is the pending run (schedule.Anchor): without it a cron job could not
	// catch up on a run missed while no leader was up.
	Anchor time.Time `json:"anchor,omitempty"`
	// EpsilonSet records that the job was posted with an "epsilon": such a
	// job gets Chronos 2.x's rule (a run later than due+epsilon is skipped)
	// even in 3.x mode.
	EpsilonSet bool `json:"epsilon_set,omitempty"`
	// Skipped counts the runs skipped by the epsilon rule.
	Skipped int64 `json:"skipped,omitempty"`
}

// Run reasons: why a run was queued.
const (
	ReasonSchedule   = "schedule"   // its schedule came due; launching it skips the schedule forward
	ReasonManual     = "manual"     // PUT job/{name}
	ReasonDependency = "dependency" // its parents succeeded
	ReasonRetry      = "retry"      // an earlier attempt failed
)

// Run is a queued run. It launches once Due has passed and an offer fits.
type Run struct {
	TaskID    string    `json:"task_id"` // the Mesos task id it will launch as; the queue key
	Job       string    `json:"job"`
	Due       time.Time `json:"due"`
	Attempt   int       `json:"attempt"`
	Arguments string    `json:"arguments,omitempty"`
	Reason    string    `json:"reason"`
	Queued    time.Time `json:"queued"`
}

// TaskRecord is a launched task that has not ended. A new leader
// reconciles these instead of launching their runs again.
type TaskRecord struct {
	TaskID    string    `json:"task_id"`
	Job       string    `json:"job"`
	AgentID   string    `json:"agent_id"`
	Hostname  string    `json:"hostname,omitempty"`
	Due       time.Time `json:"due"`
	Attempt   int       `json:"attempt"`
	Arguments string    `json:"arguments,omitempty"`
	Reason    string    `json:"reason"`
	Launched  time.Time `json:"launched"`
	Started   time.Time `json:"started,omitempty"` // first TASK_RUNNING
	State     string    `json:"state"`
	Elements  int64     `json:"elements,omitempty"` // numElementsProcessed
	Killing   bool      `json:"killing,omitempty"`  // kill requested through the API
}

// Run statuses of the history, as Chronos' ChronosTaskStatus names them.
const (
	StatusSuccess = "Success"
	StatusFail    = "Fail"
)

// RunRecord is one finished run in a job's history.
type RunRecord struct {
	TaskID   string    `json:"task_id"`
	Job      string    `json:"job"`
	AgentID  string    `json:"agent_id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Status   string    `json:"status"`
	State    string    `json:"state"` // the Mesos task state it ended in
	Message  string    `json:"message,omitempty"`
	Elements int64     `json:"elements,omitempty"`
}

// Duration is how long the run took.
func (r RunRecord) Duration() time.Duration { return r.End.Sub(r.Start) }

// Change is the set of records one scheduling decision writes. The typed
// commands below carry one each and apply it in a single bbolt transaction,
// so a decision is stored whole or not at all. Records are written whole
// (state, not deltas), which keeps the FSM free of scheduling logic.
type Change struct {
	Jobs       []JobRecord                `json:"jobs,omitempty"`
	DeleteJobs []string                   `json:"delete_jobs,omitempty"`
	Edges      map[string][]job.EdgeCount `json:"edges,omitempty"` // by child; empty deletes
	Enqueue    []Run                      `json:"enqueue,omitempty"`
	Dequeue    []string                   `json:"dequeue,omitempty"`
	Tasks      []TaskRecord               `json:"tasks,omitempty"`
	EndTasks   []string                   `json:"end_tasks,omitempty"`
	History    []RunRecord                `json:"history,omitempty"`
}

func (c *Change) empty() bool {
	return len(c.Jobs) == 0 && len(c.DeleteJobs) == 0 && len(c.Edges) == 0 && len(c.Enqueue) == 0 &&
		len(c.Dequeue) == 0 && len(c.Tasks) == 0 && len(c.EndTasks) == 0 && len(c.History) == 0
}

// The commands. Each names the decision it records; they differ in the
// preconditions checked before anything is written.
type (
	// PutJob creates or replaces jobs (a POST, or the re-parenting of a
	// delete's children). Every parent named must exist after the change.
	PutJob struct{ Change }
	// DeleteJob removes a job, its queue, history and edges, and rewrites
	// its children.
	DeleteJob struct{ Change }
	// QueueRuns records runs that came due, manual runs, retries, and the
	// runs dropped or skipped; it may also rewrite schedules (skips).
	QueueRuns struct{ Change }
	// LaunchRuns records the decision to launch: the runs leave the queue
	// and become tasks. It fails if a run is no longer queued or a task id
	// is already taken, so that no slot is launched twice.
	LaunchRuns struct{ Change }
	// EndTasks records the end of tasks: counters, history, follow-up runs.
	// It fails with errUnknownTask if a task already ended, which makes a
	// status update delivered twice harmless.
	EndTasks struct{ Change }
	// UpdateTasks rewrites running tasks (state, progress, kill requests).
	UpdateTasks struct{ Change }
	// SetFrameworkID stores the framework id the master gave Chronos, so a
	// new leader subscribes as the same framework and keeps its tasks.
	SetFrameworkID struct{ ID string }
)

func (PutJob) CommandType() string         { return "chronos.put_job" }
func (DeleteJob) CommandType() string      { return "chronos.delete_job" }
func (QueueRuns) CommandType() string      { return "chronos.queue_runs" }
func (LaunchRuns) CommandType() string     { return "chronos.launch_runs" }
func (EndTasks) CommandType() string       { return "chronos.end_tasks" }
func (UpdateTasks) CommandType() string    { return "chronos.update_tasks" }
func (SetFrameworkID) CommandType() string { return "chronos.set_framework_id" }

var (
	errNotQueued   = errors.New("chronos: run is no longer queued")
	errTaskExists  = errors.New("chronos: task id already launched")
	errUnknownTask = errors.New("chronos: task is not running")
	errNoParent    = errors.New("chronos: parent job does not exist")
)

func init() {
	store.Register(func(tx *bolt.Tx, c PutJob) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		if err := checkParents(tx, &c.Change); err != nil {
			return nil, err
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c DeleteJob) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		if err := checkParents(tx, &c.Change); err != nil {
			return nil, err
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c QueueRuns) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c LaunchRuns) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		for _, id := range c.Dequeue {
			if !exists(tx, queueBucket, id) {
				return nil, fmt.Errorf("%w: %s", errNotQueued, id)
			}
		}
		for _, t := range c.Tasks {
			if exists(tx, tasksBucket, t.TaskID) {
				return nil, fmt.Errorf("%w: %s", errTaskExists, t.TaskID)
			}
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c EndTasks) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		for _, id := range c.EndTasks {
			if !exists(tx, tasksBucket, id) {
				return nil, fmt.Errorf("%w: %s", errUnknownTask, id)
			}
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c UpdateTasks) (any, error) {
		if err := checkRecords(&c.Change); err != nil {
			return nil, err
		}
		for _, t := range c.Tasks {
			if !exists(tx, tasksBucket, t.TaskID) {
				return nil, fmt.Errorf("%w: %s", errUnknownTask, t.TaskID)
			}
		}
		return nil, c.write(tx)
	})
	store.Register(func(tx *bolt.Tx, c SetFrameworkID) (any, error) {
		if c.ID == "" {
			return nil, errors.New("chronos: framework id is empty")
		}
		return nil, put(tx, metaBucket, frameworkIDKey, []byte(c.ID))
	})
}

// checkRecords refuses records without keys.
func checkRecords(c *Change) error {
	for _, r := range c.Jobs {
		if jobName(r) == "" {
			return errors.New("chronos: job record without a name")
		}
	}
	for _, r := range c.Enqueue {
		if r.TaskID == "" || r.Job == "" {
			return errors.New("chronos: run without a task id")
		}
	}
	for _, t := range c.Tasks {
		if t.TaskID == "" || t.Job == "" {
			return errors.New("chronos: task without an id")
		}
	}
	return nil
}

// checkParents makes sure every parent named by a written job exists once
// the change is applied: the API checks this too, but a stale leader's
// decision must not store a dangling edge.
func checkParents(tx *bolt.Tx, c *Change) error {
	written := map[string]bool{}
	for _, r := range c.Jobs {
		written[jobName(r)] = true
	}
	deleted := map[string]bool{}
	for _, n := range c.DeleteJobs {
		deleted[n] = true
	}
	for _, r := range c.Jobs {
		var p struct {
			Parents []string `json:"parents"`
		}
		if err := json.Unmarshal(r.Job, &p); err != nil {
			return fmt.Errorf("chronos: job record: %w", err)
		}
		for _, parent := range p.Parents {
			if deleted[parent] || (!written[parent] && !exists(tx, jobsBucket, parent)) {
				return fmt.Errorf("%w: %q", errNoParent, parent)
			}
		}
	}
	return nil
}

// write stores the change; the preconditions have been checked.
func (c *Change) write(tx *bolt.Tx) error {
	for _, name := range c.DeleteJobs {
		for _, b := range [][]byte{jobsBucket, historyBucket, edgesBucket} {
			if err := del(tx, b, name); err != nil {
				return err
			}
		}
	}
	for _, r := range c.Jobs {
		if err := putJSON(tx, jobsBucket, jobName(r), r); err != nil {
			return err
		}
	}
	for child, counts := range c.Edges {
		var err error
		if len(counts) == 0 {
			err = del(tx, edgesBucket, child)
		} else {
			err = putJSON(tx, edgesBucket, child, counts)
		}
		if err != nil {
			return err
		}
	}
	for _, id := range c.Dequeue {
		if err := del(tx, queueBucket, id); err != nil {
			return err
		}
	}
	for _, r := range c.Enqueue {
		if err := putJSON(tx, queueBucket, r.TaskID, r); err != nil {
			return err
		}
	}
	for _, id := range c.EndTasks {
		if err := del(tx, tasksBucket, id); err != nil {
			return err
		}
	}
	for _, t := range c.Tasks {
		if err := putJSON(tx, tasksBucket, t.TaskID, t); err != nil {
			return err
		}
	}
	return appendHistory(tx, c.History)
}

// appendHistory adds runs to their jobs' histories, keeping the newest
// historyKept of each. A run whose task id is already in the history
// replaces that entry (progress reported after the end).
func appendHistory(tx *bolt.Tx, runs []RunRecord) error {
	for _, r := range runs {
		var list []RunRecord
		if err := getJSON(tx, historyBucket, r.Job, &list); err != nil {
			return err
		}
		replaced := false
		for i := range list {
			if list[i].TaskID == r.TaskID {
				list[i], replaced = r, true
			}
		}
		if !replaced {
			list = append(list, r)
		}
		if len(list) > historyKept {
			list = list[len(list)-historyKept:]
		}
		if err := putJSON(tx, historyBucket, r.Job, list); err != nil {
			return err
		}
	}
	return nil
}

// jobName reads the name out of a record's job JSON.
func jobName(r JobRecord) string {
	var n struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(r.Job, &n) != nil {
		return ""
	}
	return n.Name
}

func exists(tx *bolt.Tx, bucket []byte, key string) bool {
	b := tx.Bucket(bucket)
	return b != nil && b.Get([]byte(key)) != nil
}

func put(tx *bolt.Tx, bucket, key, value []byte) error {
	b, err := tx.CreateBucketIfNotExists(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

func putJSON(tx *bolt.Tx, bucket []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return put(tx, bucket, []byte(key), data)
}

func getJSON(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	data := b.Get([]byte(key))
	if data == nil {
		return nil
	}
	return json.Unmarshal(data, v)
}

func del(tx *bolt.Tx, bucket []byte, key string) error {
	if b := tx.Bucket(bucket); b != nil {
		return b.Delete([]byte(key))
	}
	return nil
}

func forEach(tx *bolt.Tx, bucket []byte, fn func(k, v []byte) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(fn)
}

// history reads a job's run history, oldest first.
func history(st *store.Store, name string) ([]RunRecord, error) {
	var list []RunRecord
	err := st.View(func(tx *bolt.Tx) error { return getJSON(tx, historyBucket, name, &list) })
	return list, err
}
