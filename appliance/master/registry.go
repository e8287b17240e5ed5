package master

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/store"
)

// The master's registry lives in the store, so that a restarted or newly
// elected master knows the agents, frameworks and tasks of its predecessor.
// Apache Mesos keeps only agents in its registry and learns the rest when
// they re-register; mesosbox keeps all three, so a framework that
// reconciles right after a failover gets real answers.
var (
	agentsBucket     = []byte("master.agents")
	frameworksBucket = []byte("master.frameworks")
	tasksBucket      = []byte("master.tasks")
)

// AgentRecord is a registered agent.
type AgentRecord struct {
	ID           string            `json:"id"`
	Hostname     string            `json:"hostname"`
	Address      string            `json:"address"`
	Resources    []mesos.Resource  `json:"resources"`
	Attributes   []mesos.Attribute `json:"attributes,omitempty"`
	RegisteredAt time.Time         `json:"registered_at"`
	Version      string            `json:"version,omitempty"`
}

// FrameworkRecord is a subscribed framework.
type FrameworkRecord struct {
	Info         mesos.FrameworkInfo `json:"info"`
	RegisteredAt time.Time           `json:"registered_at"`
}

// TaskRecord is a task with its latest statuses.
type TaskRecord struct {
	FrameworkID string             `json:"framework_id"`
	AgentID     string             `json:"agent_id"`
	Info        mesos.TaskInfo     `json:"info"`
	Statuses    []mesos.TaskStatus `json:"statuses"`
}

// PutAgent stores or replaces an agent.
type PutAgent struct{ Agent AgentRecord }

// RemoveAgent forgets an agent (marked gone).
type RemoveAgent struct{ ID string }

// PutFramework stores or replaces a framework.
type PutFramework struct{ Framework FrameworkRecord }

// RemoveFramework forgets a framework and all its tasks.
type RemoveFramework struct{ ID string }

// PutTask stores or replaces a task.
type PutTask struct {
	Task TaskRecord
	// encoded is Task as it came out of the Raft log, set by UnmarshalJSON
	// with taskKey's fields of Task (the rest of Task is left empty).
	encoded json.RawMessage
}

// UnmarshalJSON keeps the task as the log holds it: the state machine
// stores those bytes, which are what putJSON would write (json.Marshal of
// the same record), rather than decoding the whole TaskInfo and encoding
// it again, on every node and for every status update.
func (c *PutTask) UnmarshalJSON(b []byte) error {
	var raw struct{ Task json.RawMessage }
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var key struct {
		FrameworkID string `json:"framework_id"`
		Info        struct {
			TaskID struct {
				Value string `json:"value"`
			} `json:"task_id"`
		} `json:"info"`
	}
	if len(raw.Task) > 0 {
		if err := json.Unmarshal(raw.Task, &key); err != nil {
			return err
		}
	}
	*c = PutTask{encoded: raw.Task}
	c.Task.FrameworkID = key.FrameworkID
	c.Task.Info.TaskID.Value = key.Info.TaskID.Value
	return nil
}

// RemoveTask forgets a task whose terminal update was acknowledged.
type RemoveTask struct{ FrameworkID, TaskID string }

func (PutAgent) CommandType() string        { return "master.put_agent" }
func (RemoveAgent) CommandType() string     { return "master.remove_agent" }
func (PutFramework) CommandType() string    { return "master.put_framework" }
func (RemoveFramework) CommandType() string { return "master.remove_framework" }
func (PutTask) CommandType() string         { return "master.put_task" }
func (RemoveTask) CommandType() string      { return "master.remove_task" }

func taskKey(frameworkID, taskID string) []byte { return []byte(frameworkID + "\x00" + taskID) }

func init() {
	store.Register(func(tx *bolt.Tx, c PutAgent) (any, error) {
		if c.Agent.ID == "" {
			return nil, errors.New("agent id is empty")
		}
		return nil, putJSON(tx, agentsBucket, []byte(c.Agent.ID), &c.Agent)
	})
	store.Register(func(tx *bolt.Tx, c RemoveAgent) (any, error) {
		return nil, deleteKey(tx, agentsBucket, []byte(c.ID))
	})
	store.Register(func(tx *bolt.Tx, c PutFramework) (any, error) {
		if c.Framework.Info.ID == nil || c.Framework.Info.ID.Value == "" {
			return nil, errors.New("framework id is empty")
		}
		return nil, putJSON(tx, frameworksBucket, []byte(c.Framework.Info.ID.Value), &c.Framework)
	})
	store.Register(func(tx *bolt.Tx, c RemoveFramework) (any, error) {
		if err := deleteKey(tx, frameworksBucket, []byte(c.ID)); err != nil {
			return nil, err
		}
		prefix := []byte(c.ID + "\x00")
		if err := deletePrefix(tx, tasksBucket, prefix); err != nil {
			return nil, err
		}
		return nil, deletePrefix(tx, taskStatusesBucket, prefix)
	})
	store.Register(func(tx *bolt.Tx, c PutTask) (any, error) {
		if c.Task.FrameworkID == "" || c.Task.Info.TaskID.Value == "" {
			return nil, errors.New("task key is empty")
		}
		key := taskKey(c.Task.FrameworkID, c.Task.Info.TaskID.Value)
		if err := deleteKey(tx, taskStatusesBucket, key); err != nil { // the record has the latest
			return nil, err
		}
		if c.encoded != nil {
			return nil, putBytes(tx, tasksBucket, key, c.encoded)
		}
		return nil, putJSON(tx, tasksBucket, key, &c.Task)
	})
	store.Register(func(tx *bolt.Tx, c RemoveTask) (any, error) {
		key := taskKey(c.FrameworkID, c.TaskID)
		if err := deleteKey(tx, taskStatusesBucket, key); err != nil {
			return nil, err
		}
		return nil, deleteKey(tx, tasksBucket, key)
	})
}

func putJSON(tx *bolt.Tx, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return putBytes(tx, bucket, key, data)
}

func putBytes(tx *bolt.Tx, bucket, key, data []byte) error {
	b, err := tx.CreateBucketIfNotExists(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// deletePrefix deletes the keys of bucket that begin with prefix.
func deletePrefix(tx *bolt.Tx, bucket, prefix []byte) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	var keys [][]byte
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func deleteKey(tx *bolt.Tx, bucket, key []byte) error {
	if b := tx.Bucket(bucket); b != nil {
		return b.Delete(key)
	}
	return nil
}

// registry is what a master reads back when it starts.
type registry struct {
	agents     []AgentRecord
	frameworks []FrameworkRecord
	tasks      []TaskRecord
}

func loadRegistry(st *store.Store) (registry, error) {
	var r registry
	err := st.View(func(tx *bolt.Tx) error {
		if err := each(tx, agentsBucket, func(v []byte) error {
			var a AgentRecord
			err := json.Unmarshal(v, &a)
			r.agents = append(r.agents, a)
			return err
		}); err != nil {
			return err
		}
		if err := each(tx, frameworksBucket, func(v []byte) error {
			var f FrameworkRecord
			err := json.Unmarshal(v, &f)
			r.frameworks = append(r.frameworks, f)
			return err
		}); err != nil {
			return err
		}
		b := tx.Bucket(tasksBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var t TaskRecord
			err := json.Unmarshal(v, &t)
			if err == nil {
				err = loadTaskStatuses(tx, k, &t)
			}
			r.tasks = append(r.tasks, t)
			return err
		})
	})
	return r, err
}

func each(tx *bolt.Tx, bucket []byte, fn func(v []byte) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(_, v []byte) error { return fn(v) })
}
