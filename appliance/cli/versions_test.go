package cli

import (
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestAppVersionsRollback(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	addr := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "http://")
	app := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"app"}, args...), "--marathon", addr)...)
	}
	waitMarathon(t, addr)

	v1 := writeFile(t, "v1.json", `{"id": "/ver", "cmd": "sleep 1001", "cpus": 0.1, "mem": 16, "instances": 1}`)
	if code, out, errs := app("apply", v1); code != 0 || !strings.Contains(out, "finished") {
		t.Fatalf("apply v1: %d\n%s%s", code, out, errs)
	}
	v2 := writeFile(t, "v2.json", `{"id": "/ver", "cmd": "sleep 1002", "cpus": 0.1, "mem": 16, "instances": 1}`)
	if code, out, errs := app("apply", v2); code != 0 || !strings.Contains(out, "finished") {
		t.Fatalf("apply v2: %d\n%s%s", code, out, errs)
	}
	code, out, errs := app("versions", "ver")
	t.Logf("versions:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || lines[0] != "VERSION" || !strings.HasSuffix(lines[1], "(current)") {
		t.Fatalf("versions: %d\n%s%s", code, out, errs)
	}
	if code, out, _ := app("versions", "/ver", "--json"); code != 0 || !strings.HasPrefix(out, `{"versions":[`) {
		t.Fatalf("versions --json: %d %s", code, out)
	}
	first := lines[2]
	code, out, errs = app("rollback", "/ver", first)
	t.Logf("rollback:\n%s", out)
	if code != 0 || !strings.Contains(out, "rolled back /ver (deployment ") || !strings.Contains(out, "finished") {
		t.Fatalf("rollback: %d\n%s%s", code, out, errs)
	}
	if _, out, _ := app("show", "/ver"); !strings.Contains(out, "sleep 1001") {
		t.Fatalf("after rollback:\n%s", out)
	}

	// Errors: Marathon's messages, exit 1; usage, exit 2.
	code, _, errs = app("versions", "/nope")
	if code != 1 {
		t.Errorf("versions unknown: exit %d", code)
	}
	wantOneLine(t, "versions unknown", errs, "App '/nope' does not exist")
	code, _, errs = app("rollback", "/ver", "2001-01-01T00:00:00.000Z")
	if code != 1 {
		t.Errorf("rollback to an unknown version: exit %d %q", code, errs)
	}
	wantOneLine(t, "rollback unknown version", errs, "404")
	for _, args := range [][]string{{"versions"}, {"rollback", "/ver"}} {
		if code, _, errs := app(args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
}
