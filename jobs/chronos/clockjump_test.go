package chronos

import (
	"slices"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/jobs/job"
)

// dueCounts returns, per due time, how many first attempts of the job were
// launched, and the due times in order.
func (h *harness) dueCounts(name string) (map[time.Time]int, []time.Time) {
	h.t.Helper()
	counts := map[time.Time]int{}
	for _, task := range h.agent.launches(name) {
		ref, err := job.ParseTaskID(task.TaskID.Value)
		if err != nil {
			h.t.Fatal(err)
		}
		if ref.Attempt == 0 {
			counts[ref.Due]++
		}
	}
	var dues []time.Time
	for d := range counts {
		dues = append(dues, d)
	}
	slices.SortFunc(dues, func(a, b time.Time) int { return a.Compare(b) })
	return counts, dues
}

// walk advances the fake clock in one-minute steps, as time passes, so that
// the loop's timers fire in between, waiting for the service to settle
// after each step.
func (h *harness) walk(name string, d time.Duration) {
	for step := time.Duration(0); step < d; step += time.Minute {
		h.advance(time.Minute)
		h.settle(name)
	}
}

// checkRuns requires exactly one first attempt per wanted due time and
// nothing else, and logs the counts.
func (h *harness) checkRuns(name string, want ...time.Time) {
	h.t.Helper()
	counts, dues := h.dueCounts(name)
	twice := 0
	for _, d := range dues {
		if counts[d] > 1 {
			twice++
		}
	}
	h.t.Logf("%s: runs at %v; wanted %d, ran twice %d", name, dues, len(want), twice)
	if !slices.Equal(dues, want) || twice > 0 {
		h.t.Fatalf("%s ran at %v (counts %v), want once each at %v", name, dues, counts, want)
	}
}

// TestClockJumpsRunEachDueTimeOnce steps the wall clock forward by five
// hours and back by one across the due times of an hourly ISO 8601 job and
// an hourly cron job. Timers keep their remaining wait across a step (they
// are monotonic), so the loop sees a forward jump within maxSleep; the
// missed hours collapse into one catch-up run (Chronos 3's skipForward),
// and after the jump back no hour that already ran runs again.
func TestClockJumpsRunEachDueTimeOnce(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("iso", "true", "R/"+iso(t0.Add(30*time.Minute))+"/PT1H", ""))
	h.post("iso8601", scheduled("cron", "true", "30 * * * *", ""))
	at := func(hm string) time.Time {
		d, err := time.ParseDuration(hm)
		if err != nil {
			t.Fatal(err)
		}
		return t0.Add(d)
	}
	faults := 0
	h.walk("iso", 31*time.Minute) // 00:31: the 00:30 runs
	h.settle("cron")

	h.clk.Jump(5 * time.Hour) // 05:31: 01:30 … 05:30 missed
	faults++
	h.walk("iso", time.Minute) // the loop wakes within maxSleep
	h.settle("cron")
	for _, name := range []string{"iso", "cron"} {
		h.checkRuns(name, at("30m"), at("1h30m"))
	}

	h.walk("iso", time.Hour) // 06:32: the 06:30 runs
	h.settle("cron")
	h.clk.Jump(-time.Hour) // 05:32 again: 06:30 must not run twice
	faults++
	h.walk("iso", 2*time.Hour) // to 07:32
	h.settle("cron")
	for _, name := range []string{"iso", "cron"} {
		h.checkRuns(name, at("30m"), at("1h30m"), at("6h30m"), at("7h30m"))
	}
	if s := h.job("iso")["schedule"].(string); s != "R/"+iso(at("8h30m"))+"/PT1H" {
		t.Fatalf("iso schedule after the jumps: %s", s)
	}
	t.Logf("clock jumps: faults injected %d, runs verified %d, lost 0, duplicated 0", faults, 2*4)
}
