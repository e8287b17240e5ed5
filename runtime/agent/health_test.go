package agent

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// TestCommandHealthCheck: a passing check reports TASK_RUNNING healthy,
// failures report it unhealthy, and consecutive_failures of them kill the
// task. The checks run on the agent's clock.
func TestCommandHealthCheck(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	info := shellTask("checked", "while :; do sleep 0.05; done")
	failures := uint32(2)
	info.HealthCheck = &mesos.HealthCheck{
		Type:                mesos.HealthCheck_COMMAND,
		Command:             &mesos.CommandInfo{Value: new("test -f healthy")},
		DelaySeconds:        new(1.0),
		IntervalSeconds:     new(1.0),
		GracePeriodSeconds:  new(0.0),
		TimeoutSeconds:      new(10.0),
		ConsecutiveFailures: &failures,
	}
	h.m.launch(fw, info)
	h.m.waitState(t, "checked", mesos.TASK_RUNNING)
	sandbox := h.sandboxDir("checked")
	if err := os.WriteFile(filepath.Join(sandbox, "healthy"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(h.m.updatesOf("checked"))
	h.clk.Advance(time.Second)
	u := h.m.next(t, "checked", n, mesos.TASK_RUNNING)
	if u.Status.Healthy == nil || !*u.Status.Healthy || u.Status.GetReason() != mesos.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED {
		t.Fatalf("first check: %+v", u.Status)
	}
	// Still healthy: no update.
	h.clk.Advance(time.Second)
	quiet(t, "an update while healthy", func() bool { return len(h.m.updatesOf("checked")) > n+1 })

	os.Remove(filepath.Join(sandbox, "healthy"))
	h.clk.Advance(time.Second)
	u = h.m.next(t, "checked", n+1, mesos.TASK_RUNNING)
	if u.Status.Healthy == nil || *u.Status.Healthy {
		t.Fatalf("failed check: %+v", u.Status)
	}
	h.clk.Advance(time.Second)
	h.m.next(t, "checked", n+2, mesos.TASK_RUNNING)
	u = h.m.waitState(t, "checked", mesos.TASK_KILLED)
	if u.Status.Healthy == nil || *u.Status.Healthy {
		t.Fatalf("killed: %+v", u.Status)
	}
}

// TestHTTPAndTCPHealthChecks checks a server the test runs on a port, as
// a task would.
func TestHTTPAndTCPHealthChecks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" {
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	port := uint32(ln.Addr().(*net.TCPAddr).Port)

	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	for _, tc := range []struct {
		id      string
		check   mesos.HealthCheck
		healthy bool
	}{
		{"http-ok", mesos.HealthCheck{Type: mesos.HealthCheck_HTTP, HTTP: &mesos.HealthCheck_HTTPCheckInfo{Port: port, Path: new("/ok")}}, true},
		{"http-404", mesos.HealthCheck{Type: mesos.HealthCheck_HTTP, HTTP: &mesos.HealthCheck_HTTPCheckInfo{Port: port, Path: new("/missing")}}, false},
		{"tcp-ok", mesos.HealthCheck{Type: mesos.HealthCheck_TCP, TCP: &mesos.HealthCheck_TCPCheckInfo{Port: port}}, true},
	} {
		info := shellTask(tc.id, "sleep 30")
		check := tc.check
		check.DelaySeconds, check.GracePeriodSeconds = new(1.0), new(0.0)
		info.HealthCheck = &check
		h.m.launch(fw, info)
		h.m.waitState(t, tc.id, mesos.TASK_RUNNING)
		n := len(h.m.updatesOf(tc.id))
		h.clk.Advance(time.Second)
		u := h.m.next(t, tc.id, n, mesos.TASK_RUNNING)
		if u.Status.Healthy == nil || *u.Status.Healthy != tc.healthy {
			t.Errorf("%s on port %s: healthy %v, want %v (%s)", tc.id, strconv.Itoa(int(port)), u.Status.Healthy, tc.healthy, u.Status.GetMessage())
		}
	}
}
