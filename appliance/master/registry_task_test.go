package master

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/store"
	"github.com/mesosbox/mesosbox/store/storetest"
)

// A PutTask stores the task as the Raft log carries it; those bytes are
// what encoding the decoded record again (as the state machine did) gives,
// and the registry reads the whole record back.
func TestPutTaskStoresTheRecordAsEncoded(t *testing.T) {
	ts, healthy := 1.7e9+0.25, true
	rec := TaskRecord{
		FrameworkID: "fw-1",
		AgentID:     "agent-<1>&",
		Info: mesos.TaskInfo{
			Name:      "web",
			TaskID:    mesos.TaskID{Value: "web.1"},
			AgentID:   mesos.AgentID{Value: "agent-<1>&"},
			Resources: []mesos.Resource{{Name: "cpus", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 0.01}}},
			Command:   &mesos.CommandInfo{Value: proto("sleep 1000 && echo \u2028 done")},
			Data:      []byte{0, 1, 2, 255},
			Labels:    &mesos.Labels{Labels: []mesos.Label{{Key: "k", Value: proto("v")}}},
		},
		Statuses: []mesos.TaskStatus{
			{TaskID: mesos.TaskID{Value: "web.1"}, State: mesos.TASK_STARTING.Enum(), Timestamp: &ts},
			{TaskID: mesos.TaskID{Value: "web.1"}, State: mesos.TASK_RUNNING.Enum(), Timestamp: &ts, Healthy: &healthy, UUID: []byte("0123456789abcdef")},
		},
	}
	sent, err := json.Marshal(&PutTask{Task: rec})
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct{ Task TaskRecord }
	if err := json.Unmarshal(sent, &decoded); err != nil {
		t.Fatal(err)
	}
	reencoded, err := json.Marshal(&decoded.Task)
	if err != nil {
		t.Fatal(err)
	}

	st := storetest.Open(t)
	if _, err := st.Apply(context.Background(), PutTask{Task: rec}); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := st.View(func(tx *bolt.Tx) error {
		stored = append(stored, tx.Bucket(tasksBucket).Get(taskKey("fw-1", "web.1"))...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, reencoded) {
		t.Fatalf("stored:\n%s\nthe record encoded again:\n%s", stored, reencoded)
	}
	reg, err := loadRegistry(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.tasks) != 1 || reg.tasks[0].Info.GetName() != "web" || len(reg.tasks[0].Statuses) != 2 || !reg.tasks[0].Statuses[1].GetHealthy() {
		t.Fatalf("registry read back: %+v", reg.tasks)
	}

	// A task without its key is refused, as before.
	if _, err := st.Apply(context.Background(), PutTask{Task: TaskRecord{FrameworkID: "fw-1"}}); err == nil {
		t.Fatal("a task without an id was stored")
	}
}

func proto(s string) *string { return &s }

// A task's statuses written apart come back in its record; a whole record,
// and the removals of the task and of its framework, drop them.
func TestPutTaskStatusesRoundTrip(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	state := func(s mesos.TaskState) mesos.TaskStatus {
		return mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t"}, State: s.Enum(), UUID: []byte(s.String())}
	}
	apply := func(cmds ...store.Command) {
		t.Helper()
		res, err := st.ApplyBatch(ctx, cmds)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if err, ok := r.(error); ok {
				t.Fatalf("command %d: %v", i, err)
			}
		}
	}
	statesOf := func(fw string) []string {
		t.Helper()
		reg, err := loadRegistry(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range reg.tasks {
			if tr.FrameworkID == fw {
				var out []string
				for _, s := range tr.Statuses {
					out = append(out, s.GetState().String())
				}
				if tr.Info.GetName() != "task" {
					t.Fatalf("the record lost its TaskInfo: %+v", tr.Info)
				}
				return out
			}
		}
		return nil
	}
	record := func(fw string, states ...mesos.TaskState) TaskRecord {
		r := TaskRecord{FrameworkID: fw, AgentID: "a", Info: mesos.TaskInfo{Name: "task", TaskID: mesos.TaskID{Value: "t"}}}
		for _, s := range states {
			r.Statuses = append(r.Statuses, state(s))
		}
		return r
	}
	for _, fw := range []string{"f1", "f2", "f3"} {
		apply(PutTask{Task: record(fw, mesos.TASK_STAGING)},
			PutTaskStatuses{FrameworkID: fw, TaskID: "t", Statuses: record(fw, mesos.TASK_STAGING, mesos.TASK_RUNNING).Statuses})
		if got := statesOf(fw); len(got) != 2 || got[1] != "TASK_RUNNING" {
			t.Fatalf("%s: statuses after PutTaskStatuses: %v", fw, got)
		}
	}
	// A whole record replaces what was written apart.
	apply(PutTask{Task: record("f1", mesos.TASK_STAGING, mesos.TASK_FAILED)})
	if got := statesOf("f1"); len(got) != 2 || got[1] != "TASK_FAILED" {
		t.Fatalf("statuses after a PutTask: %v", got)
	}
	// Removals leave nothing behind: a task put again has its own statuses.
	apply(RemoveTask{FrameworkID: "f2", TaskID: "t"}, RemoveFramework{ID: "f3"})
	for _, fw := range []string{"f2", "f3"} {
		if got := statesOf(fw); got != nil {
			t.Fatalf("%s: removed task still there: %v", fw, got)
		}
		apply(PutTask{Task: record(fw, mesos.TASK_STAGING)})
		if got := statesOf(fw); len(got) != 1 {
			t.Fatalf("%s: statuses of a removed task came back: %v", fw, got)
		}
	}
	// Statuses of a task the registry does not hold are refused.
	res, err := st.ApplyBatch(ctx, []store.Command{PutTaskStatuses{FrameworkID: "f9", TaskID: "t", Statuses: record("f9", mesos.TASK_RUNNING).Statuses}})
	if err != nil {
		t.Fatal(err)
	}
	if _, refused := res[0].(error); !refused {
		t.Fatal("statuses of an unknown task were stored")
	}
}
