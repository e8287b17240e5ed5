package marathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

// Marathon reconciles its tasks when it subscribes, again
// reconciliation_initial_delay later, then every reconciliation_interval,
// as counted by the master's master/messages_reconcile_tasks.
func TestTasksReconciledPeriodically(t *testing.T) {
	e := newEnv(t)
	reconciles := reconcileCalls(t, e)
	waitFor(t, "subscribed", func() bool { return e.frameworkID() != "" })
	waitFor(t, "the reconciliation at subscription", func() bool { return reconciles() >= 1 })
	atSubscribe := reconciles()
	first := reconciledAfter(t, e, reconciles, atSubscribe, reconcileInitialDelay, "the initial delay")
	reconciledAfter(t, e, reconciles, first, reconcileInterval, "the interval")
}

// reconciledAfter checks that no reconciliation comes a second before d
// has passed, that one comes once it has, and returns the count then.
func reconciledAfter(t *testing.T, e *env, reconciles func() float64, before float64, d time.Duration, what string) float64 {
	t.Helper()
	e.clk.Advance(d - time.Second)
	if n := reconciles(); n != before {
		t.Fatalf("reconciled before %s: %v calls, want %v", what, n, before)
	}
	e.clk.Advance(time.Second)
	waitFor(t, "the reconciliation after "+what, func() bool { return reconciles() > before })
	return reconciles()
}

// reconcileCalls serves the master's endpoints and reads its count of
// reconciliation calls from them.
func reconcileCalls(t *testing.T, e *env) func() float64 {
	r := chi.NewRouter()
	e.m.Mount(r, func() string { return "" })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return func() float64 {
		resp, err := http.Get(srv.URL + "/metrics/snapshot")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]float64
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m["master/messages_reconcile_tasks"]
	}
}

// Marathon asks about its tasks in chunks, reconcileSpacing apart, so
// that the master's answers never overflow its event stream; the implicit
// reconciliation follows the last chunk. (5 tasks in chunks of 2: three
// explicit calls, then the implicit one.)
func TestTasksReconciledInChunks(t *testing.T) {
	defer func(n int) { reconcileChunk = n }(reconcileChunk)
	reconcileChunk = 2
	e := newEnv(t)
	reconciles := reconcileCalls(t, e)
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/five","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":5}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "5 running tasks", func() bool { return e.running("/five") == 5 })
	waitFor(t, "the reconciliation at subscription", func() bool { return reconciles() >= 1 })
	before := reconciles()

	e.clk.Advance(reconcileInitialDelay)
	waitFor(t, "the first chunk", func() bool { return reconciles() == before+1 })
	for chunk := 2; chunk <= 3; chunk++ {
		if n := reconciles(); n != before+float64(chunk-1) {
			t.Fatalf("before chunk %d: %v calls, want %v", chunk, n, before+float64(chunk-1))
		}
		e.clk.Advance(reconcileSpacing)
		waitFor(t, fmt.Sprintf("chunk %d", chunk), func() bool { return reconciles() >= before+float64(chunk) })
	}
	// The last chunk and the implicit reconciliation go out together.
	waitFor(t, "the implicit reconciliation", func() bool { return reconciles() == before+4 })
	e.clk.Advance(reconcileSpacing)
	if n := reconciles(); n != before+4 {
		t.Fatalf("after the round: %v calls, want %v", n, before+4)
	}
}
