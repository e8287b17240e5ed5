package master

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpmaster"
	mmaster "github.com/mesos/mesos-go/api/v1/lib/master"
	mcalls "github.com/mesos/mesos-go/api/v1/lib/master/calls"
)

func TestOperatorAPIWithMesosGo(t *testing.T) {
	for _, media := range []encoding.MediaType{codecs.MediaTypeJSON, codecs.MediaTypeProtobuf} {
		t.Run(string(media), func(t *testing.T) {
			h := newHarness(t)
			url := serve(t, h)
			cli := httpcli.New(httpcli.Endpoint(url+"/api/v1"), httpcli.Codec(codecs.ByMediaType[media]))
			sender := httpmaster.NewSender(cli.Send)
			send := func(c *mmaster.Call) *mmaster.Response {
				t.Helper()
				resp, err := sender.Send(context.Background(), mcalls.NonStreaming(c))
				if err != nil {
					t.Fatalf("%s: %v", c.Type, err)
				}
				defer resp.Close()
				var r mmaster.Response
				if err := resp.Decode(&r); err != nil {
					t.Fatalf("%s decode: %v", c.Type, err)
				}
				return &r
			}
			// SUBSCRIBE first, so the stream sees what follows.
			stream, err := sender.Send(context.Background(), mcalls.NonStreaming(mcalls.Subscribe()))
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			events := make(chan *mmaster.Event, 64)
			go func() {
				for {
					var e mmaster.Event
					if stream.Decode(&e) != nil {
						close(events)
						return
					}
					events <- &e
				}
			}()
			expect := func(want mmaster.Event_Type) *mmaster.Event {
				t.Helper()
				for {
					select {
					case e := <-events:
						if e.Type == want {
							return e
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("no %s operator event", want)
					}
				}
			}
			expect(mmaster.Event_SUBSCRIBED)
			ag := h.agent("host1", "cpus:4;mem:2048")
			expect(mmaster.Event_AGENT_ADDED)
			f := h.framework("op", nil)
			expect(mmaster.Event_FRAMEWORK_ADDED)
			o := f.offer()
			f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:1;mem:128")))
			if e := expect(mmaster.Event_TASK_ADDED); e.TaskAdded.Task.TaskID.Value != "t1" {
				t.Fatalf("task added: %+v", e.TaskAdded)
			}
			h.agentStatus(ag, f.id, "t1", mesos.TASK_RUNNING)
			if e := expect(mmaster.Event_TASK_UPDATED); e.TaskUpdated.GetState() != mesos.TASK_RUNNING {
				t.Fatalf("task updated: %+v", e.TaskUpdated)
			}

			if r := send(mcalls.GetHealth()); !r.GetHealth.Healthy {
				t.Fatal("unhealthy")
			}
			if r := send(mcalls.GetVersion()); r.GetVersion.VersionInfo.Version != mesosVersion {
				t.Fatalf("version %+v", r.GetVersion)
			}
			st := send(mcalls.GetState()).GetState
			if len(st.GetAgents.Agents) != 1 || len(st.GetFrameworks.Frameworks) != 1 || len(st.GetTasks.Tasks) != 1 ||
				st.GetTasks.Tasks[0].GetState() != mesos.TASK_RUNNING {
				t.Fatalf("state: %+v", st)
			}
			if r := send(mcalls.GetRoles()); len(r.GetRoles.Roles) != 1 || r.GetRoles.Roles[0].Name != "*" {
				t.Fatalf("roles: %+v", r.GetRoles)
			}
			if r := send(mcalls.GetMaster()); r.GetMaster.MasterInfo.GetPID() != "master@127.0.0.1:5050" {
				t.Fatalf("master: %+v", r.GetMaster)
			}
		})
	}
}

func TestV0StateShapes(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	ag := h.agent("host1", "cpus:4;mem:2048;ports:[31000-31005,31010-31010]")
	f := h.framework("v0", nil)
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:1;mem:128")))
	var state struct {
		Leader string `json:"leader"`
		PID    string `json:"pid"`
		Slaves []struct {
			PID       string         `json:"pid"`
			Resources map[string]any `json:"resources"`
		} `json:"slaves"`
		Frameworks []struct {
			Name  string `json:"name"`
			Tasks []struct {
				ID, State, SlaveID string
				Resources          map[string]any `json:"resources"`
			} `json:"tasks"`
		} `json:"frameworks"`
	}
	for _, path := range []string{"/master/state", "/state.json", "/master/state.json"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&state)
		resp.Body.Close()
		if state.Leader != "master@127.0.0.1:5050" || state.PID != state.Leader {
			t.Fatalf("%s leader %q pid %q", path, state.Leader, state.PID)
		}
		if len(state.Slaves) != 1 || state.Slaves[0].PID != "slave(1)@host1:5051" || state.Slaves[0].Resources["ports"] != "[31000-31005, 31010-31010]" {
			t.Fatalf("%s slaves %+v", path, state.Slaves)
		}
		if len(state.Frameworks) != 1 || len(state.Frameworks[0].Tasks) != 1 || state.Frameworks[0].Tasks[0].State != "TASK_STAGING" ||
			state.Frameworks[0].Tasks[0].Resources["cpus"] != 1.0 {
			t.Fatalf("%s frameworks %+v", path, state.Frameworks)
		}
	}
	resp, _ := http.Get(url + "/master/state?jsonp=angular.callbacks._1")
	var b strings.Builder
	buf := make([]byte, 1<<16)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	resp.Body.Close()
	if !strings.HasPrefix(b.String(), "angular.callbacks._1({") {
		t.Fatalf("jsonp: %.40q", b.String())
	}
	var metrics map[string]float64
	resp, _ = http.Get(url + "/metrics/snapshot")
	json.NewDecoder(resp.Body).Decode(&metrics)
	resp.Body.Close()
	if metrics["master/elected"] != 1 || metrics["master/tasks_staging"] != 1 || metrics["master/cpus_total"] != 4 || metrics["master/frameworks_active"] != 1 {
		t.Fatalf("metrics: %v", metrics)
	}
}

// TestV1JSONHasNoNulls: the v1 API's JSON, like Mesos', leaves unset
// fields out; mesos-go's structs alone would write them as null (no
// pending tasks, no port mappings, ...), which clients that read
// .get(field, []) trip on.
func TestV1JSONHasNoNulls(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	ag := h.agent("host1", "cpus:4;mem:2048")
	f := h.framework("op", nil)
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:1;mem:128")))
	h.agentStatus(ag, f.id, "t1", mesos.TASK_RUNNING)
	for _, call := range []string{"GET_STATE", "GET_TASKS", "GET_AGENTS", "GET_FRAMEWORKS"} {
		resp, err := http.Post(url+"/api/v1", "application/json", strings.NewReader(`{"type":"`+call+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"type":"`+call+`"`) {
			t.Fatalf("%s: %d %s", call, resp.StatusCode, body)
		}
		if strings.Contains(string(body), ":null") {
			t.Fatalf("%s has null members: %s", call, body)
		}
		var r mmaster.Response
		if err := json.Unmarshal(body, &r); err != nil || r.Type.String() != call {
			t.Fatalf("%s: mesos-go cannot read it: %v", call, err)
		}
	}
}
