package appliance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/resources"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// framework is a minimal Mesos framework built on mesos-go v0.0.11's HTTP
// scheduler client, as an outside user would write one.
type framework struct {
	t      testing.TB
	caller calls.Caller
	id     string
	events chan *scheduler.Event
}

func newFramework(t testing.TB, masterURL string, media encoding.MediaType) *framework {
	t.Helper()
	cli := httpcli.New(httpcli.Endpoint(masterURL+"/api/v1/scheduler"), httpcli.Codec(codecs.ByMediaType[media]))
	f := &framework{t: t, caller: httpsched.NewCaller(cli), events: make(chan *scheduler.Event, 256)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	resp, err := f.caller.Call(ctx, calls.Subscribe(&mesos.FrameworkInfo{User: "root", Name: "e2e-" + string(media)}))
	if err != nil {
		t.Fatal("subscribe:", err)
	}
	go func() {
		defer resp.Close()
		for {
			var e scheduler.Event
			if resp.Decode(&e) != nil {
				close(f.events)
				return
			}
			f.events <- &e
		}
	}()
	f.id = f.await(scheduler.Event_SUBSCRIBED).Subscribed.FrameworkID.Value
	return f
}

func (f *framework) await(want scheduler.Event_Type) *scheduler.Event {
	f.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case e, ok := <-f.events:
			if !ok {
				f.t.Fatal("event stream closed")
			}
			if e.Type == want {
				return e
			}
			if e.Type == scheduler.Event_OFFERS && want != scheduler.Event_OFFERS {
				ids := []mesos.OfferID{}
				for _, o := range e.Offers.Offers {
					ids = append(ids, o.ID)
				}
				f.call(calls.Decline(ids...).With(calls.RefuseSeconds(time.Second)))
			}
		case <-timeout:
			f.t.Fatalf("no %s event", want)
		}
	}
}

func (f *framework) call(c *scheduler.Call) {
	f.t.Helper()
	c.FrameworkID = &mesos.FrameworkID{Value: f.id}
	if err := calls.CallNoData(context.Background(), f.caller, c); err != nil {
		f.t.Fatalf("%s: %v", c.Type, err)
	}
}

// states follows one task's updates, acknowledging each, until a terminal
// state, and returns the states seen and the last status.
func (f *framework) states(taskID string) ([]string, mesos.TaskStatus) {
	f.t.Helper()
	var seen []string
	for {
		st := f.await(scheduler.Event_UPDATE).Update.Status
		if st.TaskID.Value != taskID {
			continue
		}
		if len(st.UUID) > 0 {
			f.call(calls.Acknowledge(st.AgentID.Value, taskID, st.UUID))
		}
		seen = append(seen, st.GetState().String())
		switch st.GetState() {
		case mesos.TASK_FINISHED, mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_ERROR, mesos.TASK_LOST, mesos.TASK_DROPPED:
			return seen, st
		}
	}
}

func (f *framework) launch(o mesos.Offer, task mesos.TaskInfo) {
	f.t.Helper()
	task.AgentID = o.AgentID
	want := mesos.Resources{resources.NewCPUs(0.1).Resource, resources.NewMemory(64).Resource}
	for i := range want {
		want[i].AllocationInfo = o.AllocationInfo
	}
	task.Resources = want
	f.call(calls.Accept(calls.OfferOperations{calls.OpLaunch(task)}.WithOffers(o.ID)).With(calls.RefuseSeconds(0)))
}

func shellTask(id, cmd string) mesos.TaskInfo {
	shell := true
	return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, Command: &mesos.CommandInfo{Value: &cmd, Shell: &shell}}
}

// sandboxStdout reads a task's stdout the way the Mesos UI and megos do:
// the executor's directory from the agent's /state, then /files/read.
func sandboxStdout(t *testing.T, agentURL, frameworkID, taskID string) string {
	t.Helper()
	var state struct {
		Frameworks []struct {
			ID                 string                           `json:"id"`
			Executors          []struct{ ID, Directory string } `json:"executors"`
			CompletedExecutors []struct{ ID, Directory string } `json:"completed_executors"`
		} `json:"frameworks"`
		CompletedFrameworks []struct {
			ID                 string                           `json:"id"`
			CompletedExecutors []struct{ ID, Directory string } `json:"completed_executors"`
		} `json:"completed_frameworks"`
	}
	resp, err := http.Get(agentURL + "/state")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	dir := ""
	for _, f := range state.Frameworks {
		for _, e := range append(f.Executors, f.CompletedExecutors...) {
			if f.ID == frameworkID && e.ID == taskID {
				dir = e.Directory
			}
		}
	}
	for _, f := range state.CompletedFrameworks {
		for _, e := range f.CompletedExecutors {
			if f.ID == frameworkID && e.ID == taskID {
				dir = e.Directory
			}
		}
	}
	if dir == "" {
		t.Fatalf("task %s has no directory in the agent's /state", taskID)
	}
	resp, err = http.Get(agentURL + "/files/read?offset=0&path=" + url.QueryEscape(dir+"/stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var read struct {
		Data   string `json:"data"`
		Offset int    `json:"offset"`
	}
	json.NewDecoder(resp.Body).Decode(&read)
	return read.Data
}

// TestMesosFrameworkEndToEnd drives a real node (real store, master,
// agent and containerd) with mesos-go's HTTP scheduler client, in both
// encodings: a command task and a busybox image task run to FINISHED, a
// long task is reconciled and killed.
func TestMesosFrameworkEndToEnd(t *testing.T) {
	cfg := nodetest.WithContainerd(t, nodetest.Config(t, "", nodetest.FreePorts(t)))
	n := nodetest.Start(t, cfg, nil)
	master := nodetest.URL(n, cfg.MasterPort)
	agentURL := nodetest.URL(n, cfg.AgentPort)
	for _, media := range []encoding.MediaType{codecs.MediaTypeJSON, codecs.MediaTypeProtobuf} {
		t.Run(string(media), func(t *testing.T) {
			f := newFramework(t, master, media)

			o := f.await(scheduler.Event_OFFERS).Offers.Offers[0]
			f.launch(o, shellTask("cmd", "echo hello from $MESOS_TASK_ID"))
			seen, _ := f.states("cmd")
			if got := strings.Join(seen, ","); got != "TASK_STARTING,TASK_RUNNING,TASK_FINISHED" {
				t.Fatalf("command task states %s", got)
			}
			if out := sandboxStdout(t, agentURL, f.id, "cmd"); out != "hello from cmd\n" {
				t.Fatalf("stdout %q", out)
			}

			o = f.await(scheduler.Event_OFFERS).Offers.Offers[0]
			img := shellTask("img", "cat /etc/os-release 2>/dev/null || echo busybox $(busybox | head -1 | cut -d' ' -f1)")
			docker := mesos.ContainerInfo_DOCKER
			img.Container = &mesos.ContainerInfo{Type: &docker, Docker: &mesos.ContainerInfo_DockerInfo{Image: "busybox"}}
			f.launch(o, img)
			seen, last := f.states("img")
			if got := strings.Join(seen, ","); got != "TASK_STARTING,TASK_RUNNING,TASK_FINISHED" {
				t.Fatalf("image task states %s (%s)", got, last.GetMessage())
			}
			if out := sandboxStdout(t, agentURL, f.id, "img"); !strings.HasPrefix(out, "busybox BusyBox") {
				t.Fatalf("image task stdout %q", out)
			}

			o = f.await(scheduler.Event_OFFERS).Offers.Offers[0]
			f.launch(o, shellTask("long", "sleep 600"))
			st := f.await(scheduler.Event_UPDATE).Update.Status
			for st.GetState() != mesos.TASK_RUNNING {
				f.call(calls.Acknowledge(st.AgentID.Value, "long", st.UUID))
				st = f.await(scheduler.Event_UPDATE).Update.Status
			}
			f.call(calls.Acknowledge(st.AgentID.Value, "long", st.UUID))
			f.call(calls.Reconcile(calls.ReconcileTasks(map[string]string{"long": st.AgentID.Value})))
			if r := f.await(scheduler.Event_UPDATE).Update.Status; r.GetState() != mesos.TASK_RUNNING || r.GetReason() != mesos.REASON_RECONCILIATION {
				t.Fatalf("reconcile: %s %s", r.GetState(), r.GetReason())
			}
			f.call(calls.Kill("long", st.AgentID.Value))
			seen, _ = f.states("long")
			if seen[len(seen)-1] != "TASK_KILLED" {
				t.Fatalf("killed task states %v", seen)
			}
			f.call(&scheduler.Call{Type: scheduler.Call_TEARDOWN})
		})
	}
	code, body := nodetest.Get(t, master+"/master/state")
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`"leader":"master@127.0.0.1:%d"`, cfg.MasterPort)) {
		t.Fatalf("state: %d %.200s", code, body)
	}
}
