package marathon

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/store/storetest"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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

// quiet drops the logs of the parts under test.
var quiet = slog.New(slog.DiscardHandler)

// env is a real store and master with fake agents, and the service under
// test on a fake clock, served over HTTP.
type env struct {
	t      *testing.T
	st     *store.Store
	m      *master.Master
	clk    *clock.Fake
	svc    *Service
	srv    *httptest.Server
	agents []*fakeAgent
}

func newEnv(t *testing.T) *env { return newEnvWith(t, nil) }

// newEnvWith lets a test change the master's configuration.
func newEnvWith(t *testing.T, masterCfg func(*master.Config)) *env {
	t.Helper()
	st := storetest.Open(t)
	m := mastertest.Start(t, st, masterCfg)
	e := &env{t: t, st: st, m: m, clk: clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))}
	router := chi.NewRouter()
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	host, port := splitURL(t, e.srv.URL)
	e.svc = New(Config{Store: st, Master: m, Clock: e.clk, Hostname: host, Port: port,
		MasterURL: "http://127.0.0.1:5050", Logger: quiet, LeaderURL: func() string { return e.srv.URL },
		KeepAlive: 50 * time.Millisecond, DeclineRefuse: 50 * time.Millisecond})
	e.svc.Mount(router)
	e.start()
	return e
}

func splitURL(t *testing.T, u string) (string, int) {
	h, p, err := net.SplitHostPort(u[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	var port int
	_ = json.Unmarshal([]byte(p), &port)
	return h, port
}

func (e *env) start() {
	e.t.Helper()
	if err := e.svc.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { e.svc.Stop(context.Background()) })
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeAgent registers with the master and plays an agent: launched tasks
// go to TASK_RUNNING, killed ones to TASK_KILLED, unless the test says
// otherwise.
type fakeAgent struct {
	e        *env
	id, host string

	mu       sync.Mutex
	launched map[string]mesos.TaskInfo
	running  map[string]bool
	// failLaunch makes launched tasks fail at once; stage leaves them
	// staged; ignoreKills drops kills (counted in kills).
	failLaunch, stage, ignoreKills bool
	kills                          int
	done                           <-chan struct{}
}

func (e *env) addAgent(host, res string, attrs ...mesos.Attribute) *fakeAgent {
	e.t.Helper()
	r, err := resources.Parse(res)
	if err != nil {
		e.t.Fatal(err)
	}
	events, done, id, err := e.m.RegisterAgent(agentapi.Subscribe{Hostname: host, Address: host + ":5051",
		Resources: resourcepb.ToProto(r, ""), Attributes: attrs})
	if err != nil {
		e.t.Fatal(err)
	}
	a := &fakeAgent{e: e, id: id, host: host, launched: map[string]mesos.TaskInfo{}, running: map[string]bool{}, done: done}
	e.agents = append(e.agents, a)
	go a.serve(events)
	return a
}

func (a *fakeAgent) serve(events <-chan agentapi.Event) {
	for ev := range events {
		switch ev.Type {
		case agentapi.EventLaunch:
			info := ev.Launch.Task
			a.mu.Lock()
			a.launched[info.TaskID.Value] = info
			fail, stage := a.failLaunch, a.stage
			if !fail && !stage {
				a.running[info.TaskID.Value] = true
			}
			a.mu.Unlock()
			if stage {
				continue
			}
			if fail {
				a.update(ev.Launch.FrameworkID, info.TaskID.Value, mesos.TASK_FAILED)
			} else {
				a.update(ev.Launch.FrameworkID, info.TaskID.Value, mesos.TASK_RUNNING)
			}
		case agentapi.EventKill:
			a.mu.Lock()
			a.kills++
			ignore := a.ignoreKills
			if !ignore {
				delete(a.running, ev.Kill.TaskID)
			}
			a.mu.Unlock()
			if ignore {
				continue
			}
			a.update(ev.Kill.FrameworkID, ev.Kill.TaskID, mesos.TASK_KILLED)
		}
	}
}

func (a *fakeAgent) update(frameworkID, taskID string, state mesos.TaskState) {
	u := uuid.New()
	_ = a.e.m.AgentUpdate(agentapi.Update{AgentID: a.id, FrameworkID: frameworkID,
		Status: mesos.TaskStatus{TaskID: mesos.TaskID{Value: taskID}, State: &state, UUID: u[:],
			AgentID: &mesos.AgentID{Value: a.id}}})
}

// fail makes a running task fail.
func (a *fakeAgent) fail(frameworkID, taskID string) {
	a.mu.Lock()
	delete(a.running, taskID)
	a.mu.Unlock()
	a.update(frameworkID, taskID, mesos.TASK_FAILED)
}

func (a *fakeAgent) runningCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.running)
}

func (a *fakeAgent) launchedCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.launched)
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (e *env) do(method, path string, body any, out any) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewBuffer(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode, resp.Header, data
}

// tasks returns the service's active tasks of an app.
func (e *env) tasks(appID string) []*Task {
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	var out []*Task
	if e.svc.st == nil {
		return nil
	}
	for _, t := range e.svc.st.tasksOf(appID) {
		if t.isActive() {
			c := *t
			out = append(out, &c)
		}
	}
	return out
}

func (e *env) running(appID string) int {
	n := 0
	for _, t := range e.tasks(appID) {
		if t.isRunning() && !t.Killing {
			n++
		}
	}
	return n
}

func (e *env) deployments() int {
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	return len(e.svc.st.deployments)
}

func (e *env) frameworkID() string {
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	return e.svc.st.frameworkID
}

func bytesReader(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }
