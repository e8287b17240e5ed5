package marathon

import (
	"encoding/json"
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
	r := chi.NewRouter()
	e.m.Mount(r, func() string { return "" })
	srv := httptest.NewServer(r)
	defer srv.Close()
	reconciles := func() float64 {
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
	waitFor(t, "subscribed", func() bool { return e.frameworkID() != "" })
	waitFor(t, "the reconciliation at subscription", func() bool { return reconciles() >= 1 })
	atSubscribe := reconciles()

	e.clk.Advance(reconcileInitialDelay - time.Second)
	if n := reconciles(); n != atSubscribe {
		t.Fatalf("reconciled before the initial delay: %v calls, want %v", n, atSubscribe)
	}
	e.clk.Advance(time.Second)
	waitFor(t, "the reconciliation after the initial delay", func() bool { return reconciles() > atSubscribe })
	first := reconciles()

	e.clk.Advance(reconcileInterval - time.Second)
	if n := reconciles(); n != first {
		t.Fatalf("reconciled before the interval: %v calls, want %v", n, first)
	}
	e.clk.Advance(time.Second)
	waitFor(t, "the reconciliation an interval later", func() bool { return reconciles() > first })
}
