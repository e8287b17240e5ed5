package master

import (
	"fmt"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// A framework with more tasks than its stream buffers reconciles them all
// at once (as frameworks do when they subscribe), implicitly and
// explicitly, and keeps its stream: the answers take at most half of its
// buffer at a time, and every task is answered as the framework reads.
func TestReconcileOfManyTasksKeepsTheStream(t *testing.T) {
	h := newHarness(t)
	f := h.framework("many", nil)
	n := streamBuffer + 1000
	var tasks []agentapi.Task
	var explicit []scheduler.Call_Reconcile_Task
	res := resourcepb.ToProto(resources.Resources{CPUs: resources.ScalarOf(0.01), Mem: resources.ScalarOf(1)}, "*")
	for i := range n {
		id := mesos.TaskID{Value: fmt.Sprintf("task-%05d", i)}
		state := mesos.TASK_RUNNING
		tasks = append(tasks, agentapi.Task{FrameworkID: f.id, Info: mesos.TaskInfo{Name: "t", TaskID: id, Resources: res},
			Status: mesos.TaskStatus{TaskID: id, State: &state}})
		explicit = append(explicit, scheduler.Call_Reconcile_Task{TaskID: id})
	}
	h.agent("host1", fmt.Sprintf("cpus:%d;mem:%d", n, n), tasks...)
	f.mustCall(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: &scheduler.Call_Reconcile{}})
	f.mustCall(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: &scheduler.Call_Reconcile{Tasks: explicit}})
	if queued := len(f.s.Events()); queued > streamBuffer/2+1 {
		t.Fatalf("%d events queued, want at most half of %d", queued, streamBuffer)
	}
	answered := map[string]bool{}
	for len(answered) < n {
		e := f.next()
		if e.Type != scheduler.Event_UPDATE {
			continue
		}
		if st := e.Update.Status; st.GetState() != mesos.TASK_RUNNING || st.GetReason() != mesos.REASON_RECONCILIATION {
			t.Fatalf("reconciled %s %s", st.GetState(), st.GetReason())
		}
		answered[e.Update.Status.TaskID.Value] = true
		if queued := len(f.s.Events()); queued > streamBuffer/2+1 {
			t.Fatalf("%d events queued, want at most half of %d", queued, streamBuffer)
		}
	}
	select {
	case <-f.s.Done():
		t.Fatal("the master closed the stream of a framework that reconciled its tasks")
	default:
	}
	// Room again: a new reconciliation is answered.
	f.mustCall(&scheduler.Call{Type: scheduler.Call_RECONCILE, Reconcile: &scheduler.Call_Reconcile{Tasks: explicit[:1]}})
	for {
		e := f.next()
		if e.Type == scheduler.Event_UPDATE && e.Update.Status.TaskID.Value == explicit[0].TaskID.Value {
			break
		}
	}
}
