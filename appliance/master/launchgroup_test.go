package master

import (
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

func launchGroupCall(offerIDs []mesos.OfferID, tasks ...mesos.TaskInfo) *scheduler.Call {
	refuse := 0.0
	return &scheduler.Call{Type: scheduler.Call_ACCEPT, Accept: &scheduler.Call_Accept{OfferIDs: offerIDs,
		Filters: &mesos.Filters{RefuseSeconds: &refuse},
		Operations: []mesos.Offer_Operation{{Type: mesos.Offer_Operation_LAUNCH_GROUP, LaunchGroup: &mesos.Offer_Operation_LaunchGroup{
			Executor:  mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: "default"}},
			TaskGroup: mesos.TaskGroupInfo{Tasks: tasks}}}}}}
}

// LAUNCH_GROUP launches its tasks together, each told the whole group;
// one invalid task fails them all with TASK_ERROR and nothing reaches the
// agent, as in Mesos.
func TestLaunchGroup(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	ag := h.agent("host1", "cpus:2;mem:1024")

	o := f.offer()
	f.mustCall(launchGroupCall([]mesos.OfferID{o.ID}, taskInfo("g.a", ag.id, "cpus:0.5;mem:128"), taskInfo("g.b", ag.id, "cpus:4;mem:128")))
	for range 2 {
		st := f.update()
		if st.GetState() != mesos.TASK_ERROR || st.GetReason() != mesos.REASON_TASK_INVALID || !strings.Contains(st.GetMessage(), "Task group is invalid") {
			t.Fatalf("invalid group: %s %s %q", st.GetState(), st.GetReason(), st.GetMessage())
		}
	}

	o = f.offer()
	f.mustCall(launchGroupCall([]mesos.OfferID{o.ID}, taskInfo("h.a", ag.id, "cpus:0.5;mem:128"), taskInfo("h.b", ag.id, "cpus:0.5;mem:128")))
	for _, want := range []string{"h.a", "h.b"} {
		e := ag.next(t)
		if e.Type != agentapi.EventLaunch || e.Launch.Task.TaskID.Value != want ||
			strings.Join(e.Launch.Group, ",") != "h.a,h.b" {
			t.Fatalf("agent got %+v, want the launch of %s in group h.a,h.b", e, want)
		}
	}
}
