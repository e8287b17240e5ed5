package marathon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// benchNode starts a real node (store, master, agent with the process
// executor) for a benchmark and waits for Marathon.
func benchNode(b *testing.B) string {
	cfg := nodetest.Config(b, "", nodetest.FreePorts(b))
	cfg.Resources = "cpus:8;mem:16384;disk:10000;ports:[31000-32000]"
	return startMarathon(b, cfg)
}

func post(b *testing.B, url, body string) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		b.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

func deleteAndWait(b *testing.B, base, path string) {
	req, _ := http.NewRequest("DELETE", base+path, nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	nodetest.WaitFor(b, 120*time.Second, "tasks gone", func() bool {
		code, out := nodetest.Get(b, base+"/v2/tasks")
		return code == 200 && out == `{"tasks":[]}`
	})
}

// BenchmarkApp100Instances is the time for an app of 100 command tasks
// (sleep, process executor) to be all running, and all healthy by a
// COMMAND check run by the agent every second.
func BenchmarkApp100Instances(b *testing.B) {
	base := benchNode(b)
	var running, healthy time.Duration
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("/bench/hundred%d", i)
		start := time.Now()
		post(b, base+"/v2/apps", `{"id":"`+id+`","cmd":"exec sleep 1000","cpus":0.01,"mem":8,"instances":100,
			"healthChecks":[{"protocol":"COMMAND","command":{"value":"true"},"gracePeriodSeconds":60,"intervalSeconds":1,"timeoutSeconds":5,"delaySeconds":0}]}`)
		var gotRunning bool
		nodetest.WaitFor(b, 300*time.Second, "100 running and healthy", func() bool {
			_, out := nodetest.Get(b, base+"/v2/apps"+id)
			var a struct {
				App struct{ TasksRunning, TasksHealthy int }
			}
			if json.Unmarshal([]byte(out), &a) != nil {
				return false
			}
			if !gotRunning && a.App.TasksRunning == 100 {
				gotRunning = true
				running += time.Since(start)
			}
			return a.App.TasksHealthy == 100
		})
		healthy += time.Since(start)
		b.StopTimer()
		deleteAndWait(b, base, "/v2/apps"+id)
		b.StartTimer()
	}
	b.ReportMetric(running.Seconds()/float64(b.N), "s-all-running")
	b.ReportMetric(healthy.Seconds()/float64(b.N), "s-all-healthy")
}

// BenchmarkDeploy100SmallApps creates 100 apps of one command task each
// and measures until every deployment is finished: deployments per
// second.
func BenchmarkDeploy100SmallApps(b *testing.B) {
	base := benchNode(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < 100; j++ {
			post(b, base+"/v2/apps", fmt.Sprintf(`{"id":"/small%d/app%d","cmd":"exec sleep 1000","cpus":0.01,"mem":8}`, i, j))
		}
		nodetest.WaitFor(b, 300*time.Second, "100 deployments done", func() bool {
			code, out := nodetest.Get(b, base+"/v2/deployments")
			return code == 200 && out == "[]"
		})
		total += time.Since(start)
		b.StopTimer()
		deleteAndWait(b, base, fmt.Sprintf("/v2/groups/small%d", i))
		b.StartTimer()
	}
	b.ReportMetric(float64(100*b.N)/total.Seconds(), "deployments/s")
}
