package marathon

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestHealthChecksKillUnhealthyTasks drives Marathon-run HTTP checks with
// the fake clock: the task turns healthy, then after
// maxConsecutiveFailures failed probes it is killed and replaced.
func TestHealthChecksKillUnhealthyTasks(t *testing.T) {
	e := newEnv(t)
	e.addAgent("127.0.0.1", "cpus:4;mem:4096;ports:[31000-31010]")
	var healthy atomic.Bool
	healthy.Store(true)
	probe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer probe.Close()
	_, port := splitURL(t, probe.URL)
	body := fmt.Sprintf(`{"id":"/hc","cmd":"sleep 1000","cpus":0.1,"mem":16,"healthChecks":[{"protocol":"HTTP","path":"/health","port":%d,
		"gracePeriodSeconds":5,"intervalSeconds":10,"timeoutSeconds":2,"maxConsecutiveFailures":2}]}`, port)
	if code, _, out := e.do("POST", "/v2/apps", body, nil); code != 201 {
		t.Fatalf("create: %d %s", code, out)
	}
	waitFor(t, "running", func() bool { return e.running("/hc") == 1 })
	first := e.tasks("/hc")[0].ID
	// Running but not yet checked: the deployment waits for health.
	if e.deployments() != 1 {
		t.Fatal("deployment finished before the first health check")
	}
	waitFor(t, "check armed", func() bool { return e.clk.Pending() > 0 })
	e.clk.Advance(10 * time.Second)
	waitFor(t, "healthy and deployed", func() bool { return e.deployments() == 0 })
	var got struct {
		App struct {
			TasksHealthy int `json:"tasksHealthy"`
			Tasks        []struct {
				HealthCheckResults []struct {
					Alive      bool   `json:"alive"`
					TaskID     string `json:"taskId"`
					InstanceID string `json:"instanceId"`
				} `json:"healthCheckResults"`
			} `json:"tasks"`
		} `json:"app"`
	}
	e.do("GET", "/v2/apps/hc", nil, &got)
	if got.App.TasksHealthy != 1 || len(got.App.Tasks) != 1 || len(got.App.Tasks[0].HealthCheckResults) != 1 {
		t.Fatalf("app %+v", got)
	}
	r := got.App.Tasks[0].HealthCheckResults[0]
	if !r.Alive || r.TaskID != first || r.InstanceID != instanceID(first) {
		t.Fatalf("health result %+v", r)
	}
	healthy.Store(false)
	e.clk.Advance(10 * time.Second)
	time.Sleep(50 * time.Millisecond)
	if len(e.tasks("/hc")) != 1 || e.tasks("/hc")[0].Killing {
		t.Fatal("killed after one failure")
	}
	e.clk.Advance(10 * time.Second)
	waitFor(t, "unhealthy task replaced", func() bool {
		ts := e.tasks("/hc")
		return len(ts) == 1 && ts[0].ID != first && ts[0].isRunning()
	})
}
