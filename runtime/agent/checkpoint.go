package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// taskRecord is what the agent checkpoints about a task. It is written
// before every status update is sent and after every acknowledgement, so a
// restarted agent knows each task's framework, TaskInfo and sandbox, every
// update the framework has not acknowledged yet (to resend them in order),
// and whether the task was already handed to the executor.
type taskRecord struct {
	FrameworkID   string         `json:"framework_id"`
	FrameworkName string         `json:"framework_name,omitempty"`
	FrameworkUser string         `json:"framework_user,omitempty"`
	Info          mesos.TaskInfo `json:"info"`
	// Group lists the task ids of the task group (LAUNCH_GROUP) the task
	// belongs to, itself included; empty for a lone task.
	Group []string `json:"group,omitempty"`
	// RunID is the container id of Mesos: the last element of the sandbox
	// path (runs/<RunID>) and TASK_RUNNING's container_status.container_id.
	RunID   string `json:"run_id"`
	Sandbox string `json:"sandbox"`
	// Launched is set once Executor.Launch returned the task. A launched
	// task that the executor no longer knows after a restart has vanished;
	// one that was not launched was cut short by the restart.
	Launched bool `json:"launched,omitempty"`
	// Statuses are the updates generated so far, oldest first (bounded:
	// the first and the latest are kept), for /state and for the Subscribe
	// task list.
	Statuses []mesos.TaskStatus `json:"statuses"`
	// Pending are the updates not acknowledged yet, in order; the first
	// is the one in flight.
	Pending []mesos.TaskStatus `json:"pending,omitempty"`
	// Killed says why the agent killed the task, once it started to.
	Killed killReason `json:"killed,omitempty"`
	// Shutdown is set when the framework was shut down: its terminal
	// update is sent once and not waited for, as nobody will acknowledge it.
	Shutdown bool `json:"shutdown,omitempty"`
	// Completed is set once the terminal update was acknowledged and the
	// executor forgot the task; the record then only serves /state.
	Completed   bool      `json:"completed,omitempty"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
}

// latest is the last status generated, nil before the first.
func (r *taskRecord) latest() *mesos.TaskStatus {
	if len(r.Statuses) == 0 {
		return nil
	}
	return &r.Statuses[len(r.Statuses)-1]
}

// terminal reports whether the task's terminal status was generated.
func (r *taskRecord) terminal() bool {
	l := r.latest()
	return l != nil && isTerminal(l.GetState())
}

// statusesKept bounds taskRecord.Statuses; like the master, the first
// (STARTING) and the most recent are kept.
const statusesKept = 16

func (r *taskRecord) addStatus(st mesos.TaskStatus) {
	r.Statuses = append(r.Statuses, st)
	if len(r.Statuses) > statusesKept {
		r.Statuses = append(r.Statuses[:1], r.Statuses[len(r.Statuses)-statusesKept+1:]...)
	}
}

func isTerminal(s mesos.TaskState) bool {
	switch s {
	case mesos.TASK_FINISHED, mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_ERROR,
		mesos.TASK_LOST, mesos.TASK_DROPPED, mesos.TASK_GONE, mesos.TASK_GONE_BY_OPERATOR:
		return true
	}
	return false
}

// checkpoints is the agent's meta directory.
type checkpoints struct {
	dir   string
	batch *checkpointBatch // changes not flushed yet, and the log
}

func newCheckpoints(dir string) checkpoints {
	return checkpoints{dir: dir, batch: &checkpointBatch{}}
}

func (c checkpoints) init() error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("checkpoint directory: %w", err)
	}
	return nil
}

func (c checkpoints) loadAgentID() (string, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, "agent_id"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read agent id: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (c checkpoints) saveAgentID(id string) error {
	return writeFileAtomic(filepath.Join(c.dir, "agent_id"), []byte(id+"\n"))
}

// checkpointKey names a task's checkpoint by a hash of its framework id, task
// id and run id: ids may hold any character, and a task id a framework
// reuses gets a run, and a checkpoint, of its own.
func checkpointKey(r *taskRecord) string {
	sum := sha256.Sum256([]byte(r.FrameworkID + "\x00" + r.Info.TaskID.Value + "\x00" + r.RunID))
	return hex.EncodeToString(sum[:12])
}

// loadTasks reads every task checkpoint and opens the log for the changes
// to come. An unreadable one is reported in bad and left for a human to
// look at, so that one damaged checkpoint does not keep the agent from
// starting.
func (c checkpoints) loadTasks() (recs []*taskRecord, bad []error, err error) {
	l, records, bad, err := openTaskLog(c.dir)
	if err != nil {
		return nil, nil, err
	}
	c.batch.flushMu.Lock()
	c.batch.log.close()
	c.batch.log = l
	c.batch.flushMu.Unlock()
	for key, b := range records {
		var r taskRecord
		if err := json.Unmarshal(b, &r); err != nil {
			bad = append(bad, fmt.Errorf("task checkpoint %s: %w", key, err))
			continue
		}
		recs = append(recs, &r)
	}
	return recs, bad, nil
}

// writeFileAtomic replaces path with data so that a crash leaves either
// the old or the new content (see replaceFile).
func writeFileAtomic(path string, data []byte) error {
	f, err := replaceFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	return f.Close()
}
