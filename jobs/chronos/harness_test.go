package chronos

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/store/storetest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/store"
)

// quiet logs warnings only. (nodetest.Logger is not used: this internal
// test must not import the appliance, which may come to import chronos.)
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// t0 is the fake clock's start.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// harness is a Chronos service on a real one-node store and a real master
// (on the wall clock, allocating every 10 ms), with a fake agent that
// answers launches with status updates. The service runs on a fake clock,
// so schedules are driven exactly by Advance.
type harness struct {
	t     testing.TB
	st    *store.Store
	m     *master.Master
	clk   *clock.Fake
	svc   *Service
	cfg   Config
	srv   *httptest.Server
	agent *fakeAgent
}

type harnessOption func(*harness)

// withoutAgent leaves the master without agents: nothing launches.
func withoutAgent() harnessOption { return func(h *harness) { h.agent = nil } }

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	st := storetest.Open(t)
	h := &harness{t: t, st: st, clk: clock.NewFake(t0), agent: &fakeAgent{}}
	for _, o := range opts {
		o(h)
	}
	h.m = mastertest.Start(t, st, func(c *master.Config) { c.AllocationInterval = 10 * time.Millisecond })
	if h.agent != nil {
		h.agent.start(t, h.m)
	}
	h.cfg = Config{Store: st, Master: h.m, Clock: h.clk, Logger: quiet, FailureRetry: time.Minute, Hostname: "127.0.0.1", Port: 4400}
	h.svc = New(h.cfg)
	if err := h.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.svc.Stop(context.Background()) })
	r := chi.NewRouter()
	h.svc.Mount(r)
	h.srv = httptest.NewServer(r)
	t.Cleanup(h.srv.Close)
	h.waitSubscribed()
	return h
}

// waitSubscribed waits until the service's framework is subscribed.
func (h *harness) waitSubscribed() {
	h.t.Helper()
	eventually(h.t, "framework subscribed", func() bool {
		h.svc.mu.Lock()
		defer h.svc.mu.Unlock()
		return h.svc.drv != nil && h.svc.drv.FrameworkID() != ""
	})
}

// restart stops the service and starts a new one on the same store and
// master, as a new leader would.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.svc.Stop(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.svc = New(h.cfg)
	if err := h.svc.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { h.svc.Stop(context.Background()) })
	r := chi.NewRouter()
	h.svc.Mount(r)
	h.srv.Config.Handler = r
	h.waitSubscribed()
}

// do sends a request and returns the status and body.
func (h *harness) do(method, path, body string) (int, string) {
	h.t.Helper()
	return request(h.t, h.srv.URL, method, path, body)
}

func request(t testing.TB, base, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post posts a job and requires 204.
func (h *harness) post(endpoint, body string) {
	h.t.Helper()
	if code, resp := h.do("POST", "/v1/scheduler/"+endpoint, body); code != http.StatusNoContent {
		h.t.Fatalf("POST %s: %d %s", endpoint, code, resp)
	}
}

// job reads a job through GET job/{name}.
func (h *harness) job(name string) map[string]any {
	h.t.Helper()
	code, body := h.do("GET", "/v1/scheduler/job/"+name, "")
	if code != http.StatusOK {
		h.t.Fatalf("GET job/%s: %d %s", name, code, body)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		h.t.Fatal(err)
	}
	return j
}

func (h *harness) count(name, field string) int {
	return int(h.job(name)[field].(float64))
}

// waitCount waits until a job's counter reaches want.
func (h *harness) waitCount(name, field string, want int) {
	h.t.Helper()
	eventually(h.t, fmt.Sprintf("%s.%s = %d", name, field, want), func() bool { return h.count(name, field) >= want })
	if got := h.count(name, field); got != want {
		h.t.Fatalf("%s.%s = %d, want %d", name, field, got, want)
	}
}

// advance moves the fake clock.
func (h *harness) advance(d time.Duration) { h.clk.Advance(d) }

// eventually polls cond every 5 ms for up to 10 s of real time.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeAgent is an agent registered with the master that "runs" tasks by
// sending status updates. By default a task runs and finishes; behave
// overrides that per task: it returns the states to report (a task left
// in TASK_RUNNING ends when it is killed).
type fakeAgent struct {
	mu       sync.Mutex
	id       string
	m        *master.Master
	launched []mesos.TaskInfo
	behave   func(mesos.TaskInfo) []mesos.TaskState
	fw       map[string]string // task id → framework id
}

func (a *fakeAgent) start(t testing.TB, m *master.Master) {
	res, err := resources.Parse("cpus:4;mem:4096;disk:100000")
	if err != nil {
		t.Fatal(err)
	}
	attrs := []mesos.Attribute{{Name: "rack", Type: mesos.TEXT, Text: &mesos.Value_Text{Value: "r1"}}}
	events, done, id, err := m.RegisterAgent(agentapi.Subscribe{Hostname: "agent1", Address: "agent1:5051",
		Resources: resourcepb.ToProto(res, ""), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	a.id, a.m, a.fw = id, m, map[string]string{}
	go func() {
		for {
			select {
			case <-done:
				return
			case e := <-events:
				a.handle(e)
			}
		}
	}()
}

func (a *fakeAgent) handle(e agentapi.Event) {
	switch e.Type {
	case agentapi.EventLaunch:
		task := e.Launch.Task
		a.mu.Lock()
		a.launched = append(a.launched, task)
		a.fw[task.TaskID.Value] = e.Launch.FrameworkID
		behave := a.behave
		a.mu.Unlock()
		states := []mesos.TaskState{mesos.TASK_RUNNING, mesos.TASK_FINISHED}
		if behave != nil {
			states = behave(task)
		}
		for _, s := range states {
			a.update(e.Launch.FrameworkID, task.TaskID.Value, s)
		}
	case agentapi.EventKill:
		a.update(e.Kill.FrameworkID, e.Kill.TaskID, mesos.TASK_KILLED)
	}
}

func (a *fakeAgent) update(frameworkID, taskID string, state mesos.TaskState) {
	u := uuid.New()
	_ = a.m.AgentUpdate(agentapi.Update{AgentID: a.id, FrameworkID: frameworkID, Status: mesos.TaskStatus{
		TaskID: mesos.TaskID{Value: taskID}, State: state.Enum(), UUID: u[:], AgentID: &mesos.AgentID{Value: a.id}}})
}

// finish ends a task left running.
func (a *fakeAgent) finish(taskID string, state mesos.TaskState) {
	a.mu.Lock()
	fw := a.fw[taskID]
	a.mu.Unlock()
	a.update(fw, taskID, state)
}

func (a *fakeAgent) setBehaviour(f func(mesos.TaskInfo) []mesos.TaskState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.behave = f
}

// launches returns the tasks launched so far for a job.
func (a *fakeAgent) launches(jobName string) []mesos.TaskInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []mesos.TaskInfo
	for _, t := range a.launched {
		if t.Name == taskNamePrefix+jobName {
			out = append(out, t)
		}
	}
	return out
}

// iso formats a schedule start.
func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
