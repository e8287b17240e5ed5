package marathon

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsLeaderAndTextTasks(t *testing.T) {
	e := newEnv(t)
	e.svc.cfg.Abdicate = e.st.LeadershipTransfer // one voter: ErrSoleVoter
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/m","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":2}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "running", func() bool { return e.running("/m") == 2 && e.deployments() == 0 })

	var m struct {
		Version  string                         `json:"version"`
		Counters map[string]struct{ Count int } `json:"counters"`
		Gauges   map[string]struct {
			Value float64 `json:"value"`
		} `json:"gauges"`
		Histograms, Meters, Timers map[string]any
	}
	if code, _, body := e.do("GET", "/metrics", nil, &m); code != 200 || m.Version == "" || m.Timers == nil || m.Meters == nil || m.Histograms == nil {
		t.Fatalf("metrics: %d %s", code, body)
	}
	for name, min := range map[string]int{
		"marathon.deployments.counter":                     1,
		"marathon.mesos.offers.incoming.counter":           1,
		"marathon.mesos.offers.used.counter":               1,
		"marathon.tasks.launched.counter":                  2,
		"marathon.mesos.task-updates.task-running.counter": 2,
		"marathon.events.published.counter":                1,
	} {
		if m.Counters[name].Count < min {
			t.Errorf("%s = %d, want ≥ %d", name, m.Counters[name].Count, min)
		}
	}
	for name, want := range map[string]float64{
		"marathon.apps.active.gauge":        1,
		"marathon.tasks.running.gauge":      2,
		"marathon.tasks.staged.gauge":       0,
		"marathon.deployments.active.gauge": 0,
		"marathon.groups.active.gauge":      1,
	} {
		if g, ok := m.Gauges[name]; !ok || g.Value != want {
			t.Errorf("%s = %v (present %v), want %v", name, g.Value, ok, want)
		}
	}
	code, _, body := e.do("GET", "/metrics/prometheus", nil, nil)
	if code != 200 || !strings.Contains(string(body), "\nmarathon_apps_active_gauge 1\n") ||
		!strings.Contains(string(body), "marathon_mesos_offers_incoming_counter") {
		t.Fatalf("prometheus: %d %s", code, body)
	}

	// text/plain task lists are refused as in 1.10.
	for _, path := range []string{"/v2/tasks", "/v2/apps/m/tasks"} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Accept", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 406 {
			t.Fatalf("text/plain %s: %d", path, resp.StatusCode)
		}
	}

	// A lone node abdicates by restarting Marathon in place: the same
	// tasks afterwards, none launched again.
	before := map[string]bool{}
	for _, task := range e.tasks("/m") {
		before[task.ID] = true
	}
	launched := e.agents[0].launchedCount()
	stream, err := http.Get(e.srv.URL + "/v2/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	code, _, body = e.do("DELETE", "/v2/leader", nil, nil)
	if code != 200 || !jsonEqual(string(body), `{"message":"Leadership abdicated"}`) {
		t.Fatalf("abdicate: %d %s", code, body)
	}
	// The restart ends the event streams of the old leadership.
	if _, err := io.Copy(io.Discard, stream.Body); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "re-elected and re-subscribed", func() bool {
		code, _, _ := e.do("GET", "/v2/apps/m", nil, nil)
		return code == 200 && e.frameworkID() != "" && e.running("/m") == 2
	})
	for _, task := range e.tasks("/m") {
		if !before[task.ID] {
			t.Fatalf("task %s is new after the abdication", task.ID)
		}
	}
	if n := e.agents[0].launchedCount(); n != launched {
		t.Fatalf("%d launches after the abdication", n-launched)
	}
	if code, _, _ := e.do("DELETE", "/v2/leader?backup=file:///tmp/x", nil, nil); code != 400 {
		t.Fatalf("backup: %d", code)
	}
}
