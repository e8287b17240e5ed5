package marathon

import (
	"context"
	"testing"
	"time"
)

// TestBackoffSurvivesAClockJumpBack fails a task, steps the wall clock back
// by an hour during the launch delay, and requires the replacement to
// launch once the delay has been waited out (timers are monotonic): a delay
// kept as a wall-clock deadline must not hold the app for the extra hour,
// nor forever when nothing else wakes the scheduler. A new leader arming
// the same persisted delay behind the step waits no longer than the delay
// either.
func TestBackoffSurvivesAClockJumpBack(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	code, _, body := e.do("POST", "/v2/apps", `{"id":"/jumpy","cmd":"sleep 1000","cpus":0.1,"mem":16,"backoffSeconds":10,"backoffFactor":2,"maxLaunchDelaySeconds":60}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "running", func() bool { return e.running("/jumpy") == 1 })
	faults := 0
	for i, jump := range []time.Duration{-time.Hour, -24 * time.Hour} {
		id := e.tasks("/jumpy")[0].ID
		ag.fail(e.frameworkID(), id)
		faults++
		waitFor(t, "task gone", func() bool { return len(e.tasks("/jumpy")) == 0 })
		e.clk.Jump(jump)
		faults++
		delay := time.Duration(10<<i) * time.Second // 10 s, then 20 s
		e.clk.Advance(delay)
		waitFor(t, "the replacement after the delay", func() bool { return e.running("/jumpy") == 1 })
		if e.tasks("/jumpy")[0].ID == id {
			t.Fatal("the replacement reuses the task id")
		}
	}
	// A new leader finds the persisted delay of a third failure with the
	// clock stepped back behind it.
	ag.fail(e.frameworkID(), e.tasks("/jumpy")[0].ID)
	faults++
	waitFor(t, "task gone", func() bool { return len(e.tasks("/jumpy")) == 0 })
	e.clk.Jump(-time.Hour)
	faults++
	fw := e.frameworkID()
	if err := e.svc.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.start()
	waitFor(t, "re-subscribed", func() bool { return e.svc.drv != nil && e.svc.drv.FrameworkID() == fw })
	e.clk.Advance(40 * time.Second)
	waitFor(t, "the replacement after a new leader", func() bool { return e.running("/jumpy") == 1 })
	t.Logf("backoff clock jumps: faults injected %d, replacements verified 3, stalled 0", faults)
}
