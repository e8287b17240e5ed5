package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// scaleInstances is the size of BenchmarkScaleUp: 1 000 by default (the
// figure of `make bench`); MESOSBOX_BENCH_SCALE makes it smaller for a
// smoke run.
func scaleInstances(b *testing.B) int {
	n := 1000
	if v := os.Getenv("MESOSBOX_BENCH_SCALE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("MESOSBOX_BENCH_SCALE=%q: want a positive number", v)
		}
	}
	return n
}

// BenchmarkScaleUp is launch throughput: one Marathon app of plain-process
// tasks scaled from 0 to 1 000 instances on a real node, timed until every
// task is RUNNING.
func BenchmarkScaleUp(b *testing.B) {
	n := scaleInstances(b)
	cfg := nodetest.Config(b, "", nodetest.FreePorts(b))
	cfg.Resources = fmt.Sprintf("cpus:8;mem:%d;disk:10000;ports:[31000-%d]", 16384+n, 31000+n)
	node := nodetest.Start(b, cfg, nil)
	base := nodetest.URL(node, cfg.MarathonPort)
	nodetest.WaitFor(b, 30*time.Second, "marathon running", func() bool {
		code, _ := nodetest.Get(b, base+"/v2/apps")
		return code == 200
	})
	var total time.Duration
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("/bench/scale%d", i)
		send(b, "POST", base+"/v2/apps", `{"id":"`+id+`","cmd":"exec sleep 1000","cpus":0.001,"mem":1,"instances":0}`, 201)
		start := time.Now()
		send(b, "PUT", base+"/v2/apps"+id, fmt.Sprintf(`{"instances":%d}`, n), 200)
		nodetest.WaitFor(b, 600*time.Second, "all running", func() bool {
			_, out := nodetest.Get(b, base+"/v2/apps"+id)
			var a struct{ App struct{ TasksRunning int } }
			return json.Unmarshal([]byte(out), &a) == nil && a.App.TasksRunning == n
		})
		took := time.Since(start)
		total += took
		b.Logf("%d tasks running after %s (%.0f tasks/s)", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		b.StopTimer()
		send(b, "DELETE", base+"/v2/apps"+id, "", 200)
		nodetest.WaitFor(b, 600*time.Second, "tasks gone", func() bool {
			code, out := nodetest.Get(b, base+"/v2/tasks")
			return code == 200 && out == `{"tasks":[]}`
		})
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-all-running")
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "tasks/s")
}

// send makes a JSON request and fails the benchmark on any other status.
func send(b *testing.B, method, url, body string, want int) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}
