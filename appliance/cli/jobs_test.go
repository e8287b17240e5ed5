package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestJob(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	addr := strings.TrimPrefix(nodetest.URL(n, cfg.ChronosPort), "http://")
	master := strings.TrimPrefix(nodetest.URL(n, cfg.MasterPort), "http://")
	job := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"job"}, args...), "--chronos", addr, "--address", master)...)
	}

	parent := writeFile(t, "parent.json", `{"name": "nightly", "command": "echo nightly ran", "cpus": 0.1, "mem": 16, "owner": "ops@example.com", "schedule": "R/2030-01-01T00:00:00Z/P1D"}`)
	child := writeFile(t, "child.json", `{"name": "report", "command": "true", "cpus": 0.1, "mem": 16, "parents": ["nightly"]}`)
	var code int
	var out, errs string
	// Chronos answers 503 until its leader has loaded its state.
	nodetest.WaitFor(t, 10*time.Second, "job apply", func() bool {
		code, out, errs = job("apply", parent)
		return code == 0
	})
	if !strings.Contains(out, "applied job nightly") {
		t.Fatalf("apply: %q %q", out, errs)
	}
	if code, out, errs = job("apply", child); code != 0 || !strings.Contains(out, "applied job report") {
		t.Fatalf("apply dependent: %d %q %q", code, out, errs)
	}
	code, out, _ = job("list")
	t.Logf("list:\n%s", out)
	if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "R/2030-01-01T00:00:00Z/P1D") || !strings.Contains(out, "after nightly") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	if code, out, _ = job("list", "--json"); code != 0 || !strings.HasPrefix(out, "[") || !strings.Contains(out, `"report"`) {
		t.Fatalf("list --json: %d %s", code, out)
	}
	if code, out, _ = job("show", "report"); code != 0 || !strings.Contains(out, "Parents:") || !strings.Contains(out, "nightly") {
		t.Fatalf("show: %d\n%s", code, out)
	}

	if code, out, errs = job("run", "nightly"); code != 0 || !strings.Contains(out, "started job nightly") {
		t.Fatalf("run: %d %q %q", code, out, errs)
	}
	nodetest.WaitFor(t, 30*time.Second, "nightly and its dependent to succeed", func() bool {
		_, a, _ := job("show", "nightly")
		_, b, _ := job("show", "report")
		return strings.Contains(a, "1 succeeded") && strings.Contains(b, "1 succeeded")
	})
	// show lists the job's tasks, whose output task logs reads.
	_, out, _ = job("show", "nightly")
	t.Logf("show after the run:\n%s", out)
	_, tasks, ok := strings.Cut(out, "TASK ")
	fields := strings.Fields(tasks)
	if !ok || len(fields) < 3 || !strings.HasPrefix(fields[1], "ct:") || !strings.Contains(fields[1], ":nightly:") || fields[2] != "TASK_FINISHED" {
		t.Fatalf("show lacks the finished task:\n%s", out)
	}
	if code, out, errs := runCLI("task", "logs", fields[1], "--address", master); code != 0 || out != "nightly ran\n" {
		t.Errorf("task logs %s: %d %q %q", fields[1], code, out, errs)
	}
	if code, out, _ := runCLI("job", "show", "nightly", "--chronos", addr, "--address", "127.0.0.1:1"); code != 0 || !strings.Contains(out, "Tasks: not read from the master") {
		t.Errorf("show without a master: %d\n%s", code, out)
	}

	// Errors: Chronos' messages, exit 1.
	code, _, errs = job("show", "nope")
	if code != 1 {
		t.Errorf("show unknown: exit %d", code)
	}
	wantOneLine(t, "show unknown", errs, "400 Bad Request: Job 'nope' not found")
	code, _, errs = job("run", "nope")
	if code != 1 {
		t.Errorf("run unknown: exit %d", code)
	}
	wantOneLine(t, "run unknown", errs, "Job 'nope' not found")
	code, _, errs = job("apply", writeFile(t, "bad.json", `{"name": "bad", "command": "true", "schedule": "every day"}`))
	if code != 1 {
		t.Errorf("apply without schedule: exit %d", code)
	}
	wantOneLine(t, "apply bad schedule", errs, "400 Bad Request: Cannot parse schedule 'every day'")
	code, _, errs = job("apply", writeFile(t, "syntax.json", `{"name": `))
	if code != 1 {
		t.Errorf("apply syntax error: exit %d", code)
	}
	wantOneLine(t, "apply syntax error", errs, "400 Bad Request: malformed JSON")
	for _, args := range [][]string{{"show"}, {"run", "a", "b"}, {"frob"}, {"list", "--bogus"}} {
		if code, _, errs := job(args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}

	if code, out, _ = job("delete", "report"); code != 0 || !strings.Contains(out, "deleted job report") {
		t.Fatalf("delete: %d %q", code, out)
	}
	if _, out, _ = job("list"); strings.Contains(out, "report") || !strings.Contains(out, "nightly") {
		t.Fatalf("after delete:\n%s", out)
	}
}
