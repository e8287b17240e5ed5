package marathon

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRollingRestartKeepsCapacity restarts an app of 10 instances with
// minimumHealthCapacity 0.7 and maximumOverCapacity 0.2 and follows the
// restart on /v2/events only: a task is up from its TASK_RUNNING update
// until Marathon kills it (instance_changed_event "Killing") or it ends.
// At no point fewer than 7 tasks are up, never more than 12 exist, and
// all 10 end up replaced.
func TestRollingRestartKeepsCapacity(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:16;mem:16384;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/roll","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":10,
		"upgradeStrategy":{"minimumHealthCapacity":0.7,"maximumOverCapacity":0.2}}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "10 running", func() bool { return e.running("/roll") == 10 && e.deployments() == 0 })
	up := map[string]bool{}
	old := map[string]bool{}
	for _, task := range e.tasks("/roll") {
		up[instanceID(task.ID)] = true
		old[instanceID(task.ID)] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v2/events?event_type=status_update_event&event_type=instance_changed_event&event_type=deployment_success", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct{ DeploymentID string }
	if code, _, body := e.do("POST", "/v2/apps/roll/restart", nil, &res); code != 200 {
		t.Fatalf("restart: %d %s", code, body)
	}
	minUp, maxAlive := len(up), 0
	alive := map[string]bool{}
	for id := range up {
		alive[id] = true
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var event string
	finished := false
	for !finished && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "event: ") {
			event = strings.TrimPrefix(line, "event: ")
			continue
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var p struct {
			ID, TaskID, TaskStatus, InstanceID, Condition, AppID, RunSpecID string
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &p); err != nil {
			t.Fatal(err)
		}
		switch event {
		case eventDeploymentSuccess:
			finished = p.ID == res.DeploymentID
		case eventStatusUpdate:
			inst := instanceID(p.TaskID)
			switch {
			case p.TaskStatus == stateRunning:
				up[inst], alive[inst] = true, true
			case isTerminal(p.TaskStatus):
				delete(up, inst)
				delete(alive, inst)
			}
		case eventInstanceChanged:
			switch p.Condition {
			case "Staging":
				alive[p.InstanceID] = true
			case "Killing":
				delete(up, p.InstanceID)
			}
		}
		minUp, maxAlive = min(minUp, len(up)), max(maxAlive, len(alive))
	}
	if !finished {
		t.Fatalf("the restart did not finish: %v", sc.Err())
	}
	if minUp < 7 || maxAlive > 12 {
		t.Fatalf("up at least %d (want ≥ 7), at most %d tasks (want ≤ 12)", minUp, maxAlive)
	}
	for id := range up {
		if old[id] {
			t.Fatalf("old instance %s still up", id)
		}
	}
	if len(up) != 10 {
		t.Fatalf("%d tasks up after the restart", len(up))
	}
	t.Logf("restart of 10: never fewer than %d up, never more than %d tasks", minUp, maxAlive)
}
