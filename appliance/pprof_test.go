package appliance_test

import (
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// --pprof serves net/http/pprof on the master port, and only there; a
// node without it does not.
func TestPprofFlag(t *testing.T) {
	p := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "", p)
	cfg.Pprof = true
	n := nodetest.Start(t, cfg, nil)
	master := nodetest.URL(n, cfg.MasterPort)
	if code, body := nodetest.Get(t, master+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Fatalf("index: %d %.200s", code, body)
	}
	if code, body := nodetest.Get(t, master+"/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile:") {
		t.Fatalf("goroutine profile: %d %.200s", code, body)
	}
	if code, body := nodetest.Get(t, master+"/debug/pprof/cmdline"); code != 200 || body == "" {
		t.Fatalf("cmdline: %d %q", code, body)
	}
	if code, _ := nodetest.Get(t, nodetest.URL(n, cfg.MarathonPort)+"/debug/pprof/"); code != 404 {
		t.Fatalf("marathon port serves pprof: %d", code)
	}

	off := nodetest.Config(t, "", nodetest.FreePorts(t))
	n2 := nodetest.Start(t, off, nil)
	if code, _ := nodetest.Get(t, nodetest.URL(n2, off.MasterPort)+"/debug/pprof/"); code != 404 {
		t.Fatalf("pprof without --pprof: %d", code)
	}
}
