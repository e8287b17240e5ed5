package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestTask(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	marathon := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "http://")
	master := strings.TrimPrefix(nodetest.URL(n, cfg.MasterPort), "http://")
	task := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"task"}, args...), "--marathon", marathon, "--address", master)...)
	}
	waitMarathon(t, marathon)

	file := writeFile(t, "talk.json", `{"id": "/talk", "cmd": "echo hello-out; echo hello-err >&2; sleep 1000", "cpus": 0.1, "mem": 16, "instances": 1}`)
	if code, out, errs := runCLI("app", "apply", file, "--marathon", marathon); code != 0 {
		t.Fatalf("apply: %d\n%s%s", code, out, errs)
	}
	code, out, errs := task("list")
	t.Logf("list:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "PORTS") || !strings.Contains(lines[1], "/talk") || !strings.Contains(lines[1], "TASK_RUNNING") {
		t.Fatalf("list: %d\n%s%s", code, out, errs)
	}
	id := strings.Fields(lines[1])[0]
	if code, out, _ := task("list", "--app", "talk"); code != 0 || !strings.Contains(out, id) {
		t.Fatalf("list --app: %d\n%s", code, out)
	}
	if code, out, _ := task("list", "--json"); code != 0 || !strings.HasPrefix(out, `{"tasks":[`) {
		t.Fatalf("list --json: %d %s", code, out)
	}

	nodetest.WaitFor(t, 10*time.Second, "the task's output", func() bool {
		_, out, _ := task("logs", id)
		return strings.Contains(out, "hello-out")
	})
	if code, out, errs := task("logs", id, "--stderr"); code != 0 || !strings.Contains(out, "hello-err") || strings.Contains(out, "hello-out") {
		t.Fatalf("logs --stderr: %d %q %q", code, out, errs)
	}

	// -f follows until the task ends.
	type result struct {
		code      int
		out, errs string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := task("logs", id, "-f")
		done <- result{code, out, errs}
	}()
	select {
	case r := <-done:
		t.Fatalf("logs -f returned while the task runs: %+v", r)
	case <-time.After(1500 * time.Millisecond):
	}
	if code, out, errs := task("kill", id); code != 0 || !strings.Contains(out, "killed "+id) {
		t.Fatalf("kill: %d %q %q", code, out, errs)
	}
	select {
	case r := <-done:
		if r.code != 0 || strings.Count(r.out, "hello-out") != 1 {
			t.Fatalf("logs -f: %+v", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("logs -f still following after the task was killed")
	}

	// Errors: exit 1 with one line; usage: exit 2.
	code, _, errs = task("kill", "talk.instance-00000000-0000-0000-0000-000000000000._app.1")
	if code != 1 {
		t.Errorf("kill unknown: exit %d", code)
	}
	wantOneLine(t, "kill unknown", errs, "404 Not Found")
	code, _, errs = task("logs", "nope.instance-00000000-0000-0000-0000-000000000000._app.1")
	if code != 1 {
		t.Errorf("logs unknown: exit %d", code)
	}
	wantOneLine(t, "logs unknown", errs, "is not known to the master")
	code, _, errs = task("list", "--app", "/nope")
	if code != 1 {
		t.Errorf("list unknown app: exit %d", code)
	}
	wantOneLine(t, "list unknown app", errs, "App '/nope' does not exist")
	for _, args := range [][]string{{}, {"kill"}, {"kill", "not-a-task-id"}, {"logs"}, {"frob"}, {"list", "--bogus"}} {
		if code, _, errs := task(args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
}
