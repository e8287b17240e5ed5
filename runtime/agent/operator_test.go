package agent

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	magent "github.com/mesos/mesos-go/api/v1/lib/agent"
	acalls "github.com/mesos/mesos-go/api/v1/lib/agent/calls"
	"github.com/mesos/mesos-go/api/v1/lib/encoding"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpagent"
)

// TestOperatorAPIWithMesosGo drives the agent's v1 operator API with
// mesos-go's httpagent client in both encodings: one running task and one
// completed show in the state, tasks, executors, frameworks and
// containers; unsupported and bad calls get Mesos' answers.
func TestOperatorAPIWithMesosGo(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "agent id", func() bool { return h.a.ID() == "agent-1" })
	h.m.launch(fw, shellTask("done", "true"))
	h.m.launch(fw, shellTask("runs", "sleep 100"))
	h.m.waitState(t, "runs", mesos.TASK_RUNNING)
	waitFor(t, "done completed", func() bool { return h.completed("done") })

	for _, media := range []encoding.MediaType{codecs.MediaTypeJSON, codecs.MediaTypeProtobuf} {
		t.Run(string(media), func(t *testing.T) {
			cli := httpcli.New(httpcli.Endpoint(h.http.URL+"/api/v1"), httpcli.Codec(codecs.ByMediaType[media]))
			sender := httpagent.NewSender(cli.Send)
			send := func(c *magent.Call) *magent.Response {
				t.Helper()
				resp, err := sender.Send(context.Background(), acalls.NonStreaming(c))
				if err != nil {
					t.Fatalf("%s: %v", c.Type, err)
				}
				defer resp.Close()
				var r magent.Response
				if err := resp.Decode(&r); err != nil {
					t.Fatalf("%s decode: %v", c.Type, err)
				}
				if r.Type.String() != c.Type.String() {
					t.Fatalf("%s answered as %s", c.Type, r.Type)
				}
				return &r
			}
			if !send(acalls.GetHealth()).GetHealth.Healthy {
				t.Fatal("unhealthy")
			}
			if v := send(acalls.GetVersion()).GetVersion.VersionInfo; v.Version != "1.11.0" {
				t.Fatalf("version %+v", v)
			}
			if f := send(acalls.GetFlags()).GetFlags.Flags; len(f) == 0 {
				t.Fatal("no flags")
			}
			running := -1.0
			for _, m := range send(acalls.GetMetrics(nil)).GetMetrics.Metrics {
				if m.Name == "slave/tasks_running" {
					running = m.GetValue()
				}
			}
			if running != 1 {
				t.Fatalf("metrics: slave/tasks_running %v", running)
			}
			st := send(acalls.GetState()).GetState
			tasks := st.GetTasks
			if len(tasks.LaunchedTasks) != 1 || tasks.LaunchedTasks[0].TaskID.Value != "runs" ||
				tasks.LaunchedTasks[0].GetState() != mesos.TASK_RUNNING || tasks.LaunchedTasks[0].AgentID.Value != "agent-1" ||
				len(tasks.CompletedTasks) != 1 || tasks.CompletedTasks[0].GetState() != mesos.TASK_FINISHED {
				t.Fatalf("tasks %+v", tasks)
			}
			if ex := st.GetExecutors; len(ex.Executors) != 1 || ex.Executors[0].ExecutorInfo.ExecutorID.Value != "runs" ||
				len(ex.CompletedExecutors) != 1 {
				t.Fatalf("executors %+v", ex)
			}
			if fws := send(acalls.GetFrameworks()).GetFrameworks; len(fws.Frameworks) != 1 ||
				fws.Frameworks[0].FrameworkInfo.GetID().Value != fw || fws.Frameworks[0].FrameworkInfo.Name != "test-framework" {
				t.Fatalf("frameworks %+v", fws)
			}
			cs := send(acalls.GetContainers()).GetContainers.Containers
			if len(cs) != 1 || cs[0].ExecutorID.Value != "runs" || cs[0].ContainerStatus.GetExecutorPID() == 0 ||
				cs[0].ResourceStatistics.GetMemLimitBytes() != 64<<20 || cs[0].ResourceStatistics.GetMemRSSBytes() == 0 {
				t.Fatalf("containers %+v", cs)
			}
			if ag := send(acalls.GetAgent()).GetAgent.AgentInfo; ag.GetID().Value != "agent-1" || ag.Hostname != "agent.test" {
				t.Fatalf("agent %+v", ag)
			}
		})
	}

	for _, c := range []struct {
		method, body string
		code         int
		msg          string
	}{
		{"GET", "", 405, "Expecting a 'POST' request"},
		{"POST", `{"type":"KILL_CONTAINER","kill_container":{"container_id":{"value":"x"}}}`, 501, "not supported"},
		{"POST", `{}`, 400, "Expecting 'type' to be present"},
		{"POST", `{"type":`, 400, "Failed to parse body into Call"},
	} {
		req, _ := http.NewRequest(c.method, h.http.URL+"/api/v1", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.body, resp.StatusCode, b, c.code, c.msg)
		}
	}
}
