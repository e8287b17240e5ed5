package master

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	bolt "go.etcd.io/bbolt"

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
