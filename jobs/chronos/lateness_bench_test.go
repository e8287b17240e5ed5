package chronos_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// BenchmarkRunLateness measures how late scheduled runs start on a real
// node: 4 jobs each repeating every second 50 times (200 runs of `true`
// as real processes). For each run it takes the due time from the Chronos
// task id (ct:<dueMillis>:...) and, from the master's task statuses, the
// launch (TASK_STAGING, when the master accepted the launch) and the
// TASK_RUNNING time; it reports p50 and p99 of both delays. b.N is
// ignored; run it with -benchtime 1x.
func BenchmarkRunLateness(b *testing.B) {
	const jobs, runs = 4, 50
	cfg := nodetest.Config(b, "", nodetest.FreePorts(b))
	cfg.Resources = "cpus:16;mem:16384;disk:10000"
	n := nodetest.Start(b, cfg, nil)
	base := nodetest.URL(n, cfg.ChronosPort)
	nodetest.WaitFor(b, 10*time.Second, "chronos", func() bool {
		code, _ := nodetest.Get(b, base+"/v1/scheduler/jobs")
		return code == 200
	})
	start := time.Now().Add(2 * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
	for j := 0; j < jobs; j++ {
		body := fmt.Sprintf(`{"name":"late%d","command":"true","cpus":0.1,"mem":32,"schedule":"R%d/%s/PT1S"}`, j, runs, start)
		resp, err := http.Post(base+"/v1/scheduler/iso8601", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 204 {
			b.Fatalf("post job: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	var launched, running []time.Duration
	nodetest.WaitFor(b, time.Duration(runs+60)*time.Second, "all runs", func() bool {
		launched, running = runLateness(b, nodetest.URL(n, cfg.MasterPort))
		return len(running) >= jobs*runs
	})
	for _, l := range []struct {
		unit string
		d    []time.Duration
	}{{"launch", launched}, {"running", running}} {
		sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
		p := func(q float64) float64 { return float64(l.d[int(q*float64(len(l.d)-1))].Microseconds()) / 1000 }
		b.ReportMetric(p(0.5), "ms-to-"+l.unit+"-p50")
		b.ReportMetric(p(0.99), "ms-to-"+l.unit+"-p99")
	}
	b.ReportMetric(float64(len(running)), "runs")
}

func runLateness(b *testing.B, master string) (launched, running []time.Duration) {
	_, body := nodetest.Get(b, master+"/master/tasks?limit=100000")
	var out struct {
		Tasks []struct {
			ID       string `json:"id"`
			Statuses []struct {
				State     string  `json:"state"`
				Timestamp float64 `json:"timestamp"`
			} `json:"statuses"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		b.Fatal(err)
	}
	for _, t := range out.Tasks {
		parts := strings.SplitN(t.ID, ":", 3)
		if len(parts) < 3 || parts[0] != "ct" {
			continue
		}
		due, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			continue
		}
		for _, s := range t.Statuses {
			d := time.Duration(s.Timestamp*1e9) - time.Duration(due)*time.Millisecond
			switch s.State {
			case "TASK_STAGING":
				launched = append(launched, d)
			case "TASK_RUNNING":
				running = append(running, d)
			}
		}
	}
	return launched, running
}
