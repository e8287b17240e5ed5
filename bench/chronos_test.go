package bench

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/jobs/job"
)

// chronosLateness is the Chronos precision figure: `jobs` jobs each
// repeating every second `runs` times (runs of `true` as real processes)
// on nd; for each run, how long after its due time (from the Chronos task
// id, ct:<dueMillis>:...) the master accepted its launch (the task's
// TASK_STAGING timestamp). The floor is Go timers in this process set for
// the same due times: the lateness of a wake-up on this machine.
func chronosLateness(tb testing.TB, nd *node, jobs, runs int) (subject, floor sample) {
	chronos := nd.url(nd.ports.Chronos)
	first := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	floor = sample{name: "Go timer at the same due times"}
	var mu sync.Mutex
	var timers sync.WaitGroup
	for r := range runs {
		for range jobs {
			due := first.Add(time.Duration(r) * time.Second)
			timers.Add(1)
			time.AfterFunc(time.Until(due), func() {
				late := time.Since(due)
				mu.Lock()
				floor.lat = append(floor.lat, late)
				mu.Unlock()
				timers.Done()
			})
		}
	}
	start := first.UTC().Format("2006-01-02T15:04:05.000Z")
	for j := range jobs {
		send(tb, "POST", chronos+"/v1/scheduler/iso8601",
			fmt.Sprintf(`{"name":"late%d","command":"true","cpus":0.01,"mem":16,"schedule":"R%d/%s/PT1S"}`, j, runs, start), 204)
	}
	master := nd.url(nd.ports.Master)
	deadline := first.Add(time.Duration(runs+60) * time.Second)
	for {
		subject = sample{name: "launch behind due time", lat: launchLateness(tb, master)}
		if len(subject.lat) >= jobs*runs {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d Chronos runs launched", len(subject.lat), jobs*runs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	timers.Wait()
	return subject, floor
}

// launchLateness is, for every Chronos task the master knows, its
// TASK_STAGING time minus its due time (read from its task id).
func launchLateness(tb testing.TB, master string) []time.Duration {
	var late []time.Duration
	for _, t := range nodetest.Tasks(tb, master) {
		ref, err := job.ParseTaskID(t.ID)
		if at, ok := t.At["TASK_STAGING"]; ok && err == nil {
			late = append(late, at.Sub(ref.Due))
		}
	}
	return late
}
