package marathon

import (
	"context"
	"strconv"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

func envOf(info mesos.TaskInfo) map[string]string {
	out := map[string]string{}
	for _, v := range info.GetCommand().GetEnvironment().GetVariables() {
		out[v.Name] = v.GetValue()
	}
	return out
}

func TestThreeInstancesGetDistinctPortsAndEnv(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:4;mem:4096;disk:1000;ports:[31000-31010]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/web","cmd":"python3 -m http.server $PORT0","cpus":0.5,"mem":64,"instances":3,"portDefinitions":[{"port":0},{"port":0}]}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "3 running tasks", func() bool { return e.running("/web") == 3 })
	waitFor(t, "deployment done", func() bool { return e.deployments() == 0 })
	seen := map[string]bool{}
	ag.mu.Lock()
	defer ag.mu.Unlock()
	if len(ag.launched) != 3 {
		t.Fatalf("launched %d tasks", len(ag.launched))
	}
	for id, info := range ag.launched {
		env := envOf(info)
		for _, k := range []string{"PORT0", "PORT1"} {
			p := env[k]
			if p == "" || seen[p] {
				t.Fatalf("task %s: %s=%q (seen %v)", id, k, p, seen)
			}
			seen[p] = true
			n, _ := strconv.Atoi(p)
			if n < 31000 || n > 31010 {
				t.Fatalf("%s=%d outside the offer", k, n)
			}
		}
		if env["MARATHON_APP_ID"] != "/web" || env["MESOS_TASK_ID"] != id || env["PORT"] != env["PORT0"] || env["HOST"] != "host-a" {
			t.Fatalf("env %v", env)
		}
		if info.GetCommand().GetValue() != "python3 -m http.server $PORT0" {
			t.Fatalf("command %q", info.GetCommand().GetValue())
		}
	}
}

func TestFailedTaskReplacedAfterBackoff(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/flaky","cmd":"sleep 1000","cpus":0.1,"mem":16,"backoffSeconds":10,"backoffFactor":2,"maxLaunchDelaySeconds":30}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "running", func() bool { return e.running("/flaky") == 1 })
	first := e.tasks("/flaky")[0].ID
	ag.fail(e.frameworkID(), first)
	waitFor(t, "task gone", func() bool { return len(e.tasks("/flaky")) == 0 })
	// The launch is delayed by backoffSeconds: offers keep coming (the
	// master runs on the wall clock) but nothing launches.
	time.Sleep(200 * time.Millisecond)
	if n := ag.launchedCount(); n != 1 {
		t.Fatalf("relaunched during the backoff: %d launches", n)
	}
	var q struct {
		Queue []struct {
			Count int `json:"count"`
			Delay struct {
				TimeLeftSeconds int  `json:"timeLeftSeconds"`
				Overdue         bool `json:"overdue"`
			} `json:"delay"`
		} `json:"queue"`
	}
	e.do("GET", "/v2/queue", nil, &q)
	if len(q.Queue) != 1 || q.Queue[0].Count != 1 || q.Queue[0].Delay.TimeLeftSeconds != 10 || q.Queue[0].Delay.Overdue {
		t.Fatalf("queue %+v", q)
	}
	e.clk.Advance(10 * time.Second)
	waitFor(t, "replacement running", func() bool { return e.running("/flaky") == 1 })
	second := e.tasks("/flaky")[0].ID
	if second == first {
		t.Fatal("the replacement reuses the task id")
	}
	// A second failure doubles the delay.
	ag.fail(e.frameworkID(), second)
	waitFor(t, "task gone", func() bool { return len(e.tasks("/flaky")) == 0 })
	e.clk.Advance(10 * time.Second)
	time.Sleep(100 * time.Millisecond)
	if len(e.tasks("/flaky")) != 0 {
		t.Fatal("relaunched before the doubled delay")
	}
	e.clk.Advance(10 * time.Second)
	waitFor(t, "second replacement", func() bool { return e.running("/flaky") == 1 })
	var app struct {
		App struct {
			LastTaskFailure struct {
				State  string `json:"state"`
				TaskID string `json:"taskId"`
			} `json:"lastTaskFailure"`
		} `json:"app"`
	}
	e.do("GET", "/v2/apps/flaky", nil, &app)
	if app.App.LastTaskFailure.State != "TASK_FAILED" || app.App.LastTaskFailure.TaskID != second {
		t.Fatalf("lastTaskFailure %+v", app.App.LastTaskFailure)
	}
	// Resetting the delay launches at once after the next failure.
	ag.fail(e.frameworkID(), e.tasks("/flaky")[0].ID)
	waitFor(t, "task gone", func() bool { return len(e.tasks("/flaky")) == 0 })
	if code, _, _ := e.do("DELETE", "/v2/queue/flaky/delay", nil, nil); code != 204 {
		t.Fatalf("reset delay: %d", code)
	}
	waitFor(t, "launch after reset", func() bool { return e.running("/flaky") == 1 })
}

func TestRestartHonoursUpgradeStrategy(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/svc","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":4,
		"upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0}}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "4 running", func() bool { return e.running("/svc") == 4 && e.deployments() == 0 })
	old := map[string]bool{}
	for _, task := range e.tasks("/svc") {
		old[task.ID] = true
	}
	// Watch the floor while the restart runs: never fewer than 2 tasks
	// up (ceil(4 × 0.5)), never more than 4 (4 × (1 + 0)).
	stop := make(chan struct{})
	violations := make(chan string, 10)
	go func() {
		for {
			select {
			case <-stop:
				close(violations)
				return
			default:
			}
			up, total := 0, 0
			for _, task := range e.tasks("/svc") {
				total++
				if task.isRunning() && !task.Killing {
					up++
				}
			}
			if up < 2 || ag.runningCount() > 4 {
				select {
				case violations <- "capacity out of bounds: up=" + strconv.Itoa(up) + " on agent=" + strconv.Itoa(ag.runningCount()):
				default:
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var res struct {
		DeploymentID string `json:"deploymentId"`
	}
	code, hdr, body := e.do("POST", "/v2/apps/svc/restart", nil, &res)
	if code != 200 || res.DeploymentID == "" || hdr.Get("Marathon-Deployment-Id") != res.DeploymentID {
		t.Fatalf("restart: %d %s", code, body)
	}
	waitFor(t, "restart done", func() bool { return e.deployments() == 0 })
	close(stop)
	for v := range violations {
		t.Fatal(v)
	}
	tasks := e.tasks("/svc")
	if len(tasks) != 4 {
		t.Fatalf("%d tasks after the restart", len(tasks))
	}
	for _, task := range tasks {
		if old[task.ID] {
			t.Fatalf("task %s survived the restart", task.ID)
		}
	}
}

func TestUniqueHostnameConstraint(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	e.addAgent("host-b", "cpus:4;mem:4096;ports:[31000-31010]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/uniq","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":3,"constraints":[["hostname","UNIQUE"]]}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "2 running", func() bool { return e.running("/uniq") == 2 })
	time.Sleep(150 * time.Millisecond)
	tasks := e.tasks("/uniq")
	if len(tasks) != 2 || tasks[0].Host == tasks[1].Host {
		t.Fatalf("tasks %+v", tasks)
	}
	var q struct {
		Queue []struct {
			Count   int `json:"count"`
			Summary struct {
				Processed int `json:"processedOffersCount"`
				Unused    int `json:"unusedOffersCount"`
				Attempt   []struct {
					Reason   string `json:"reason"`
					Declined int    `json:"declined"`
				} `json:"rejectSummaryLaunchAttempt"`
			} `json:"processedOffersSummary"`
		} `json:"queue"`
	}
	e.do("GET", "/v2/queue", nil, &q)
	if len(q.Queue) != 1 || q.Queue[0].Count != 1 {
		t.Fatalf("queue %+v", q)
	}
	declined := 0
	for _, r := range q.Queue[0].Summary.Attempt {
		if r.Reason == reasonConstraint {
			declined = r.Declined
		}
	}
	if declined == 0 || q.Queue[0].Summary.Unused == 0 {
		t.Fatalf("no constraint rejections counted: %+v", q.Queue[0].Summary)
	}
	// The deployment waits for the third instance: it never completes.
	if e.deployments() != 1 {
		t.Fatal("the deployment finished without its third instance")
	}
}

func TestStateSurvivesLeaderChange(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/keep","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":2}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "2 running", func() bool { return e.running("/keep") == 2 && e.deployments() == 0 })
	before := map[string]bool{}
	for _, task := range e.tasks("/keep") {
		before[task.ID] = true
	}
	fw := e.frameworkID()
	if err := e.svc.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// While stopped, the API proxies to the leader URL, which is this
	// very node: a starting leader answers 503.
	if code, _, _ := e.do("GET", "/v2/apps", nil, nil); code != 503 {
		t.Fatalf("stopped service answered %d", code)
	}
	// Leadership comes back: the component starts again and reloads its
	// state from the store.
	e.start()
	waitFor(t, "re-subscribed", func() bool { return e.svc.drv != nil && e.svc.drv.FrameworkID() == fw })
	time.Sleep(200 * time.Millisecond)
	after := e.tasks("/keep")
	if len(after) != 2 || ag.launchedCount() != 2 {
		t.Fatalf("tasks after failover: %d (launched %d)", len(after), ag.launchedCount())
	}
	for _, task := range after {
		if !before[task.ID] {
			t.Fatalf("task %s is new", task.ID)
		}
	}
}
