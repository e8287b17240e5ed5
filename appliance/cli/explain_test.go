package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestAppExplainsWhyTasksDoNotStart applies an app asking for more cpus
// than the node has and one whose command fails: app show and a timed-out
// app apply say why, from the launch queue and the last task failure.
func TestAppExplainsWhyTasksDoNotStart(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	marathon := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "http://")
	master := strings.TrimPrefix(nodetest.URL(n, cfg.MasterPort), "http://")
	app := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"app"}, args...), "--marathon", marathon, "--address", master)...)
	}
	waitMarathon(t, marathon)

	big := writeFile(t, "big.json", `{"id": "/big", "cmd": "sleep 1000", "cpus": 500, "mem": 16, "instances": 1}`)
	if code, out, errs := app("apply", big, "--detach"); code != 0 {
		t.Fatalf("apply --detach: %d %s%s", code, out, errs)
	}
	var show string
	nodetest.WaitFor(t, 30*time.Second, "app show to explain the declined offers", func() bool {
		_, show, _ = app("show", "/big")
		return strings.Contains(show, "waiting: InsufficientCpus: no offer had enough cpus in ")
	})
	t.Logf("show:\n%s", show)
	if !strings.Contains(show, "waiting: 1 task(s) to launch") || !strings.Contains(show, "cpus free on the roomiest agent, 500 asked") {
		t.Errorf("show does not explain the wait:\n%s", show)
	}

	// An update that cannot finish either: apply gives up after --timeout
	// with exit 1 and the explanation.
	big2 := writeFile(t, "big2.json", `{"id": "/big", "cmd": "sleep 1000", "cpus": 500, "mem": 16, "instances": 2}`)
	code, out, errs := app("apply", big2, "--force", "--timeout", "1s")
	t.Logf("apply with timeout:\n%s%s", out, errs)
	if code != 1 {
		t.Errorf("stuck apply: exit %d", code)
	}
	wantOneLine(t, "stuck apply", errs, "still running after 1s (see: mesosbox app show /big)")
	for _, want := range []string{"updated /big", "waiting: 2 task(s) to launch", "waiting: InsufficientCpus: no offer had enough cpus in", "500 asked"} {
		if !strings.Contains(out, want) {
			t.Errorf("stuck apply: stdout lacks %q:\n%s", want, out)
		}
	}

	crash := writeFile(t, "crash.json", `{"id": "/crash", "cmd": "exit 3", "cpus": 0.01, "mem": 16, "instances": 1}`)
	if code, out, errs := app("apply", crash, "--detach"); code != 0 {
		t.Fatalf("apply crash: %d %s%s", code, out, errs)
	}
	nodetest.WaitFor(t, 30*time.Second, "app show to give the last task failure", func() bool {
		_, show, _ = app("show", "crash")
		return strings.Contains(show, "last task failure: TASK_FAILED at ")
	})
	t.Logf("show crash:\n%s", show)
	if !strings.Contains(show, "Command exited with status 3") {
		t.Errorf("show lacks the failure's message:\n%s", show)
	}
	// An update that cannot launch: the stuck apply gives the queue's
	// reasons and the failure of the version before.
	crash2 := writeFile(t, "crash2.json", `{"id": "/crash", "cmd": "exit 4", "cpus": 500, "mem": 16, "instances": 1}`)
	code, out, errs = app("apply", crash2, "--force", "--timeout", "1s")
	t.Logf("stuck crashing apply:\n%s%s", out, errs)
	if code != 1 || !strings.Contains(out, "last task failure: TASK_FAILED at ") || !strings.Contains(out, "Command exited with status 3") {
		t.Errorf("stuck crashing apply: exit %d\n%s%s", code, out, errs)
	}
}

// TestQueueLines explains a queue entry as Marathon's /v2/queue gives it:
// every reason that declined offers, with counts, the resources next to
// what is free, and the launch backoff.
func TestQueueLines(t *testing.T) {
	var q queueEntry
	err := json.Unmarshal([]byte(`{"count": 2, "app": {"id": "/db", "cpus": 1, "mem": 4096, "disk": 0},
		"delay": {"timeLeftSeconds": 7, "overdue": false},
		"processedOffersSummary": {"processedOffersCount": 9, "unusedOffersCount": 9,
			"rejectSummaryLastOffers": [
				{"reason": "UnfulfilledRole", "declined": 0, "processed": 4},
				{"reason": "UnfulfilledConstraint", "declined": 4, "processed": 4},
				{"reason": "InsufficientCpus", "declined": 0, "processed": 4},
				{"reason": "InsufficientMemory", "declined": 3, "processed": 4}]}}`), &q)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(queueLines(&q, &agentResources{Cpus: 3, Mem: 1024}), "\n")
	want := `waiting: 2 task(s) to launch
waiting: launches delayed 7s more (backoff after failed tasks)
waiting: UnfulfilledConstraint: the app's constraints did not match the agent in 4 of the last 4 offers
waiting: InsufficientMemory: no offer had enough memory in 3 of the last 4 offers (1024 MB mem free on the roomiest agent, 4096 asked)`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := shortReasons(&q); got != ", waiting: backoff 7s, UnfulfilledConstraint 4/4, InsufficientMemory 3/4" {
		t.Errorf("shortReasons: %q", got)
	}
	// Without the master's answer the amount asked is still given.
	q.Delay.Overdue = true
	lines := queueLines(&q, nil)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "(4096 MB mem asked)") {
		t.Errorf("without free resources: %q", lines)
	}
	q.Summary.Processed = 0
	if lines := queueLines(&q, nil); len(lines) != 2 || !strings.Contains(lines[1], "no offer has arrived yet") {
		t.Errorf("before any offer: %q", lines)
	}
}
