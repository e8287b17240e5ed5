package master

import (
	"encoding/json"
	"fmt"
	"slices"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/store"
)

// A status update changes only a task's statuses, yet a PutTask writes the
// whole record, most of which is the TaskInfo, through Raft and into every
// node's state database: scaling an app to 1 000 tasks wrote each TaskInfo
// three times. PutTaskStatuses writes the statuses alone, beside the
// record, in taskStatusesBucket; loadRegistry puts them back in the
// record. A PutTask (a whole record, statuses included) drops them, as do
// the removals of the task and of its framework.
var taskStatusesBucket = []byte("master.task_statuses")

// PutTaskStatuses replaces the statuses of a task the registry holds. It
// is refused for a task the registry does not hold (its PutTask failed):
// like any failed write that leaves the registry behind the master, which
// a new leader makes up for when the agents re-register with their tasks.
type PutTaskStatuses struct {
	FrameworkID string
	TaskID      string
	Statuses    []mesos.TaskStatus
	// encoded is Statuses as they came out of the Raft log (UnmarshalJSON).
	encoded json.RawMessage
}

func (PutTaskStatuses) CommandType() string { return "master.put_task_statuses" }

// UnmarshalJSON keeps the statuses as the log holds them, for the state
// machine to store as they are (see PutTask.UnmarshalJSON).
func (c *PutTaskStatuses) UnmarshalJSON(b []byte) error {
	var raw struct {
		FrameworkID, TaskID string
		Statuses            json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = PutTaskStatuses{FrameworkID: raw.FrameworkID, TaskID: raw.TaskID, encoded: raw.Statuses}
	return nil
}

// persistStatuses records a change of t's statuses alone.
func (m *Master) persistStatuses(t *task) {
	m.persist(statusesOf(t))
}

// persistReportedStatuses records a change of t's statuses an agent
// reported; the write may wait (registryWriter.addStatuses says why).
func (m *Master) persistReportedStatuses(t *task) {
	if w := m.writes.Load(); w != nil {
		w.addStatuses(statusesOf(t))
		return
	}
	m.persist(statusesOf(t)) // logs the write while stopped
}

func statusesOf(t *task) PutTaskStatuses {
	// A copy: appendStatus may reuse the array before the writer encodes it.
	return PutTaskStatuses{FrameworkID: t.FrameworkID, TaskID: t.id(), Statuses: slices.Clone(t.Statuses)}
}

func init() {
	store.Register(func(tx *bolt.Tx, c PutTaskStatuses) (any, error) {
		key := taskKey(c.FrameworkID, c.TaskID)
		if b := tx.Bucket(tasksBucket); b == nil || b.Get(key) == nil {
			return nil, fmt.Errorf("task %s of framework %s is not in the registry", c.TaskID, c.FrameworkID)
		}
		if c.encoded != nil {
			return nil, putBytes(tx, taskStatusesBucket, key, c.encoded)
		}
		return nil, putJSON(tx, taskStatusesBucket, key, c.Statuses)
	})
}

// loadTaskStatuses puts the statuses written apart back into the task
// stored under key.
func loadTaskStatuses(tx *bolt.Tx, key []byte, t *TaskRecord) error {
	b := tx.Bucket(taskStatusesBucket)
	if b == nil {
		return nil
	}
	v := b.Get(key)
	if v == nil {
		return nil
	}
	var statuses []mesos.TaskStatus
	if err := json.Unmarshal(v, &statuses); err != nil {
		return err
	}
	t.Statuses = statuses
	return nil
}
