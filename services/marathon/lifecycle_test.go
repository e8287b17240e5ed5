package marathon

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master"
)

func (a *fakeAgent) killCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kills
}

// TestLaunchTimeoutAndKillRetry: a task still staged after
// task_launch_timeout (300 s on the clock) is killed and replaced, and the
// kill is sent again every 10 s until the task is terminal.
func TestLaunchTimeoutAndKillRetry(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	ag.stage, ag.ignoreKills = true, true
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/slow","cmd":"sleep 1000","cpus":0.1,"mem":16}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "staged", func() bool { return ag.launchedCount() == 1 && len(e.tasks("/slow")) == 1 })
	first := e.tasks("/slow")[0].ID
	e.clk.Advance(299 * time.Second)
	time.Sleep(50 * time.Millisecond)
	if ag.killCount() != 0 || e.tasks("/slow")[0].Killing {
		t.Fatal("killed before the launch timeout")
	}
	e.clk.Advance(time.Second)
	waitFor(t, "overdue task killed and replaced", func() bool { return ag.killCount() == 1 && ag.launchedCount() == 2 })
	e.clk.Advance(10 * time.Second)
	waitFor(t, "kill sent again", func() bool { return ag.killCount() == 2 })
	e.clk.Advance(10 * time.Second)
	waitFor(t, "and again", func() bool { return ag.killCount() == 3 })
	// The terminal update ends the retries.
	ag.update(e.frameworkID(), first, mesos.TASK_KILLED)
	waitFor(t, "first task gone", func() bool { return len(e.tasks("/slow")) == 1 })
	e.clk.Advance(20 * time.Second)
	time.Sleep(50 * time.Millisecond)
	if n := ag.killCount(); n != 3 {
		t.Fatalf("%d kills after the terminal update", n)
	}
	var m struct {
		Counters map[string]struct{ Count int } `json:"counters"`
	}
	e.do("GET", "/metrics", nil, &m)
	if m.Counters["marathon.instances.launch-overdue.counter"].Count != 1 || m.Counters["marathon.instances.kill-retries.counter"].Count != 2 {
		t.Fatalf("counters %+v", m.Counters)
	}
}

// TestReadinessChecks: a deployment finishes only once the new task
// answers its readiness check with a ready status; the results show in
// the deployment and the app.
func TestReadinessChecks(t *testing.T) {
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ready" || !ready.Load() {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	_, port := splitURL(t, srv.URL)
	p := strconv.Itoa(port)
	e := newEnv(t)
	e.addAgent("127.0.0.1", "cpus:4;mem:4096;ports:["+p+"-"+p+"]")
	body := `{"id":"/ready","cmd":"sleep 1000","cpus":0.1,"mem":16,"requirePorts":true,"portDefinitions":[{"port":` + p + `,"name":"http"}],
		"readinessChecks":[{"name":"rc","portName":"http","path":"/ready","intervalSeconds":5,"timeoutSeconds":2,"httpStatusCodesForReady":[200],"preserveLastResponse":true}]}`
	if code, _, out := e.do("POST", "/v2/apps", body, nil); code != 201 {
		t.Fatalf("create: %d %s", code, out)
	}
	type result struct {
		Name, TaskID string
		Ready        bool
		LastResponse *struct {
			Status      int
			ContentType string
			Body        string
		}
	}
	var plans []struct {
		CurrentActions []struct {
			Action                string
			ReadinessCheckResults []result
		}
	}
	waitFor(t, "a not-ready result", func() bool {
		e.do("GET", "/v2/deployments", nil, &plans)
		if len(plans) != 1 || len(plans[0].CurrentActions) != 1 || len(plans[0].CurrentActions[0].ReadinessCheckResults) != 1 {
			return false
		}
		r := plans[0].CurrentActions[0].ReadinessCheckResults[0]
		return r.LastResponse != nil && r.LastResponse.Status == 503
	})
	r := plans[0].CurrentActions[0].ReadinessCheckResults[0]
	if r.Name != "rc" || r.Ready || r.TaskID != e.tasks("/ready")[0].ID || r.LastResponse.Body != "warming up\n" {
		t.Fatalf("result %+v", r)
	}
	var info struct {
		App struct {
			ReadinessCheckResults []result `json:"readinessCheckResults"`
		} `json:"app"`
	}
	e.do("GET", "/v2/apps/ready?embed=app.readiness", nil, &info)
	if len(info.App.ReadinessCheckResults) != 1 || info.App.ReadinessCheckResults[0].Ready {
		t.Fatalf("app readiness %+v", info.App.ReadinessCheckResults)
	}
	// Running, but not ready: the deployment waits for the next check.
	time.Sleep(50 * time.Millisecond)
	if e.deployments() != 1 || e.running("/ready") != 1 {
		t.Fatalf("deployments %d, running %d", e.deployments(), e.running("/ready"))
	}
	ready.Store(true)
	e.clk.Advance(5 * time.Second)
	waitFor(t, "deployment done once ready", func() bool { return e.deployments() == 0 })
}

// TestUnreachableStrategy: the framework is partition aware; a task whose
// agent is lost is TASK_UNREACHABLE, replaced after inactiveAfterSeconds
// and expunged after expungeAfterSeconds; with 0/0 both at once.
func TestUnreachableStrategy(t *testing.T) {
	e := newEnvWith(t, func(c *master.Config) { c.AgentTimeout = 100 * time.Millisecond })
	a := e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/patient","cmd":"sleep 1000","cpus":0.1,"mem":16,
		"unreachableStrategy":{"inactiveAfterSeconds":60,"expungeAfterSeconds":120}}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/eager","cmd":"sleep 1000","cpus":0.1,"mem":16}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "running on host-a", func() bool { return e.running("/patient") == 1 && e.running("/eager") == 1 && e.deployments() == 0 })
	e.addAgent("host-b", "cpus:4;mem:4096;ports:[31000-31010]")
	e.m.AgentDisconnected(a.id, a.done)

	waitFor(t, "eager replaced at once", func() bool {
		ts := e.tasks("/eager")
		return len(ts) == 1 && ts[0].Host == "host-b" && ts[0].isRunning()
	})
	waitFor(t, "patient unreachable", func() bool {
		ts := e.tasks("/patient")
		return len(ts) == 1 && ts[0].State == stateUnreachable
	})
	time.Sleep(50 * time.Millisecond)
	if n := len(e.tasks("/patient")); n != 1 {
		t.Fatalf("replaced before inactiveAfterSeconds: %d tasks", n)
	}
	e.clk.Advance(60 * time.Second)
	waitFor(t, "patient replaced", func() bool { return e.running("/patient") == 1 && len(e.tasks("/patient")) == 2 })
	e.clk.Advance(60 * time.Second)
	waitFor(t, "unreachable task expunged", func() bool { return len(e.tasks("/patient")) == 1 && e.tasks("/patient")[0].Host == "host-b" })
}
