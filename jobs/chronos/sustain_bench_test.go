package chronos_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/jobs/job"
)

// BenchmarkThousandJobsPerMinute posts 1 000 jobs due in the same minute
// (`true` as real processes, on a node offering 1 000 cpus) and reports
// how long after their due time the last one reached TASK_RUNNING: the
// scheduler sustains the load if that stays well under the one-minute
// period. b.N is ignored; run it with -benchtime 1x.
func BenchmarkThousandJobsPerMinute(b *testing.B) {
	const jobs = 1000
	cfg := nodetest.Config(b, "", nodetest.FreePorts(b))
	cfg.Resources = "cpus:1000;mem:1000000;disk:1000000"
	n := nodetest.Start(b, cfg, nil)
	base := nodetest.URL(n, cfg.ChronosPort)
	nodetest.WaitFor(b, 10*time.Second, "chronos", func() bool {
		code, _ := nodetest.Get(b, base+"/v1/scheduler/jobs")
		return code == 200
	})
	due := time.Now().Add(20 * time.Second).UTC()
	postStart := time.Now()
	for j := 0; j < jobs; j++ {
		body := fmt.Sprintf(`{"name":"sustain%d","command":"true","cpus":0.1,"mem":32,"schedule":"R1/%s/PT1M"}`, j, due.Format("2006-01-02T15:04:05.000Z"))
		resp, err := http.Post(base+"/v1/scheduler/iso8601", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 204 {
			b.Fatalf("post job %d: %v %v", j, err, resp)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(time.Since(postStart).Milliseconds())/jobs, "ms/job-post")
	var running []time.Duration
	nodetest.WaitFor(b, 5*time.Minute, "all runs", func() bool {
		running = runLateness(b, nodetest.URL(n, cfg.MasterPort))
		return len(running) >= jobs
	})
	sort.Slice(running, func(i, j int) bool { return running[i] < running[j] })
	b.ReportMetric(float64(running[len(running)/2].Milliseconds()), "ms-to-running-p50")
	b.ReportMetric(float64(running[len(running)-1].Milliseconds()), "ms-to-running-last")
}

// runLateness is, for every Chronos run the master knows, how long after
// its due time (read from its task id) it reached TASK_RUNNING.
func runLateness(b *testing.B, master string) (running []time.Duration) {
	for _, t := range nodetest.Tasks(b, master) {
		ref, err := job.ParseTaskID(t.ID)
		if at, ok := t.At["TASK_RUNNING"]; ok && err == nil {
			running = append(running, at.Sub(ref.Due))
		}
	}
	return running
}
