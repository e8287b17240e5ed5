package cli

import (
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
