package master

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// An Updates call takes every valid update of the round, as that many
// Update calls would, and answers with the first refusal.
func TestAgentUpdatesTakesARound(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	f := h.framework("f", nil)
	ag := h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:0.5;mem:128"), taskInfo("t2", ag.id, "cpus:0.5;mem:128")))
	if e := ag.next(t); e.Type != agentapi.EventLaunch {
		t.Fatalf("agent got %s", e.Type)
	}
	running, src := mesos.TASK_RUNNING, mesos.SOURCE_EXECUTOR
	update := func(agentID, taskID string) agentapi.Update {
		return agentapi.Update{AgentID: agentID, FrameworkID: f.id, Status: mesos.TaskStatus{
			TaskID: mesos.TaskID{Value: taskID}, State: &running, UUID: []byte("uuid-" + taskID), Source: &src}}
	}
	post := func(us ...agentapi.Update) (int, string) {
		body, err := json.Marshal(agentapi.Updates{Updates: us})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(url+agentapi.UpdatesPath, "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(msg)
	}

	if code, msg := post(update(ag.id, "t1"), update("nobody", "t2"), update(ag.id, "")); code != 403 || !strings.Contains(msg, "nobody") {
		t.Fatalf("a round with refused updates: %d %s", code, msg)
	}
	if st := f.update(); st.TaskID.Value != "t1" || st.GetState() != mesos.TASK_RUNNING {
		t.Fatalf("the valid update of the round: %+v", st)
	}
	if code, msg := post(update(ag.id, "t2")); code != 202 {
		t.Fatalf("a valid round: %d %s", code, msg)
	}
	if st := f.update(); st.TaskID.Value != "t2" || st.GetState() != mesos.TASK_RUNNING {
		t.Fatalf("second round: %+v", st)
	}
	if code, _ := post(); code != 202 {
		t.Fatalf("an empty round: %d", code)
	}
	resp, err := http.Post(url+agentapi.UpdatesPath, "application/json", strings.NewReader(`{"updates":[{`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a bad body: %d", resp.StatusCode)
	}
}
