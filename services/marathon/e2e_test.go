package marathon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// startMarathon starts a real node with cfg (store, master, agent) and
// returns its Marathon base URL once Marathon answers.
func startMarathon(t testing.TB, cfg appliance.Config) string {
	t.Helper()
	n := nodetest.Start(t, cfg, nil)
	base := nodetest.URL(n, cfg.MarathonPort)
	nodetest.WaitFor(t, 10*time.Second, "marathon running", func() bool {
		code, _ := nodetest.Get(t, base+"/v2/apps")
		return code == 200
	})
	return base
}

// TestNodeRunsRealApp runs Marathon as a node wires it (store, master,
// agent with the process executor) and drives it over HTTP only: a real
// HTTP server app reaches TASK_RUNNING and is healthy through Marathon's
// own HTTP check, answers on its PORT0, and is deleted.
func TestNodeRunsRealApp(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	base := startMarathon(t, cfg)
	body := `{"id":"/e2e/web","cmd":"exec python3 -m http.server $PORT0","cpus":0.1,"mem":64,
		"healthChecks":[{"protocol":"HTTP","path":"/","gracePeriodSeconds":30,"intervalSeconds":1,"timeoutSeconds":2}]}`
	resp, err := http.Post(base+"/v2/apps", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	var port uint64
	nodetest.WaitFor(t, 30*time.Second, "task running and healthy", func() bool {
		_, out := nodetest.Get(t, base+"/v2/apps/e2e/web")
		var a struct {
			App struct {
				Tasks []struct {
					State              string
					Ports              []uint64
					HealthCheckResults []struct{ Alive bool } `json:"healthCheckResults"`
				}
			}
		}
		if json.Unmarshal([]byte(out), &a) != nil || len(a.App.Tasks) != 1 {
			return false
		}
		task := a.App.Tasks[0]
		if task.State != "TASK_RUNNING" || len(task.HealthCheckResults) == 0 || !task.HealthCheckResults[0].Alive {
			return false
		}
		port = task.Ports[0]
		return true
	})
	nodetest.WaitFor(t, 10*time.Second, "deployment done", func() bool {
		code, out := nodetest.Get(t, base+"/v2/deployments")
		return code == 200 && out == "[]"
	})
	if code, _ := nodetest.Get(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); code != 200 {
		t.Fatalf("the app answered %d", code)
	}
	req, _ := http.NewRequest("DELETE", base+"/v2/apps/e2e/web", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	nodetest.WaitFor(t, 30*time.Second, "app stopped", func() bool {
		code, out := nodetest.Get(t, base+"/v2/tasks")
		return code == 200 && out == `{"tasks":[]}`
	})
}
