package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestJobKillGraph(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	addr := strings.TrimPrefix(nodetest.URL(n, cfg.ChronosPort), "http://")
	job := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"job"}, args...), "--chronos", addr)...)
	}
	root := writeFile(t, "root.json", `{"name": "root", "command": "sleep 1000", "cpus": 0.1, "mem": 16, "schedule": "R/2030-01-01T00:00:00Z/P1D"}`)
	nodetest.WaitFor(t, 10*time.Second, "job apply", func() bool {
		code, _, _ := job("apply", root)
		return code == 0
	})
	for _, j := range []string{
		`{"name": "mid", "command": "true", "cpus": 0.1, "mem": 16, "parents": ["root"]}`,
		`{"name": "leaf", "command": "true", "cpus": 0.1, "mem": 16, "parents": ["mid"]}`,
		`{"name": "alone", "command": "true", "cpus": 0.1, "mem": 16, "schedule": "R/2030-01-01T00:00:00Z/P1D"}`,
	} {
		if code, out, errs := job("apply", writeFile(t, "j.json", j)); code != 0 {
			t.Fatalf("apply %s: %d %q %q", j, code, out, errs)
		}
	}
	code, out, errs := job("graph")
	t.Logf("graph:\n%s", out)
	if code != 0 {
		t.Fatalf("graph: %d %q", code, errs)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		names = append(names, strings.Fields(l)[0])
		indent := len(l) - len(strings.TrimLeft(l, " "))
		want := map[string]int{"root": 0, "mid": 2, "leaf": 4, "alone": 0}[strings.Fields(l)[0]]
		if indent != want {
			t.Errorf("graph line %q: indent %d, want %d", l, indent, want)
		}
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "root mid leaf") || !strings.Contains(got, "alone") || len(names) != 4 {
		t.Fatalf("graph order: %s", got)
	}

	// kill: the running root is killed and fails.
	if code, out, errs := job("run", "root"); code != 0 {
		t.Fatalf("run: %d %q %q", code, out, errs)
	}
	nodetest.WaitFor(t, 20*time.Second, "root to run", func() bool {
		_, out, _ := job("list")
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "root ") && strings.Contains(l, "running") {
				return true
			}
		}
		return false
	})
	if code, out, errs := job("kill", "root"); code != 0 || !strings.Contains(out, "killed the tasks of job root") {
		t.Fatalf("kill: %d %q %q", code, out, errs)
	}
	nodetest.WaitFor(t, 20*time.Second, "root to stop running", func() bool {
		_, out, _ := job("list")
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "root ") {
				return !strings.Contains(l, "running")
			}
		}
		return false
	})
	code, _, errs = job("kill", "nope")
	if code != 1 {
		t.Errorf("kill unknown: exit %d", code)
	}
	wantOneLine(t, "kill unknown", errs, "Job 'nope' not found")
	for _, args := range [][]string{{"kill"}, {"graph", "x"}} {
		if code, _, errs := job(args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
}
