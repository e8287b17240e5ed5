package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// runCLI runs the CLI and returns its exit status, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeFile writes content to a file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantOneLine fails unless stderr is one line containing want.
func wantOneLine(t *testing.T, what, stderr, want string) {
	t.Helper()
	if !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("%s: stderr %q, want one line containing %q", what, stderr, want)
	}
}

// waitMarathon waits until Marathon at addr answers (it says 503 while it
// starts on a new leader).
func waitMarathon(t *testing.T, addr string) {
	t.Helper()
	nodetest.WaitFor(t, 10*time.Second, "Marathon", func() bool {
		code, _, _ := runCLI("app", "list", "--marathon", addr)
		return code == 0
	})
}

func TestApp(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	addr := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "http://")
	app := func(args ...string) (int, string, string) {
		return runCLI(append(append([]string{"app"}, args...), "--marathon", addr)...)
	}
	waitMarathon(t, addr)

	file := writeFile(t, "web.json", `{"id": "/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 1}`)
	code, out, errs := app("apply", file)
	if code != 0 || !strings.Contains(out, "created /web (deployment ") || !strings.Contains(out, "finished") {
		t.Fatalf("apply: %d\n%s%s", code, out, errs)
	}
	t.Logf("apply:\n%s", out)
	code, out, _ = app("list")
	t.Logf("list:\n%s", out)
	if code != 0 || !strings.Contains(out, "ID") || !strings.Contains(out, "/web") || !strings.Contains(out, "1/1") || !strings.Contains(out, "Running") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, _ = app("list", "--json")
	if code != 0 || !strings.HasPrefix(out, `{"apps":[`) {
		t.Fatalf("list --json: %d %s", code, out)
	}
	code, out, _ = app("show", "web")
	if code != 0 || !strings.Contains(out, "sleep 1000") || !strings.Contains(out, "TASK") {
		t.Fatalf("show: %d\n%s", code, out)
	}

	code, out, errs = app("scale", "/web", "2")
	if code != 0 || !strings.Contains(out, "scaled /web") || !strings.Contains(out, "finished") {
		t.Fatalf("scale: %d\n%s%s", code, out, errs)
	}
	if _, out, _ = app("list"); !strings.Contains(out, "2/2") {
		t.Fatalf("after scale:\n%s", out)
	}
	// Apply again: an update, which replaces the definition.
	file2 := writeFile(t, "web2.json", `{"id": "web", "cmd": "sleep 999", "cpus": 0.1, "mem": 16, "instances": 1}`)
	code, out, errs = app("apply", file2, "--detach")
	if code != 0 || !strings.Contains(out, "updated /web") || strings.Contains(out, "finished") {
		t.Fatalf("apply --detach: %d\n%s%s", code, out, errs)
	}
	// The update's deployment locks the app until it is done.
	code, _, errs = app("restart", "web")
	if code != 1 {
		t.Errorf("restart during a deployment: exit %d", code)
	}
	wantOneLine(t, "restart during a deployment", errs, "409 Conflict: App is locked by one or more deployments")
	code, out, errs = app("restart", "web", "--force")
	if code != 0 || !strings.Contains(out, "restarted /web") {
		t.Fatalf("restart: %d\n%s%s", code, out, errs)
	}
	if _, out, _ = app("show", "/web"); !strings.Contains(out, "sleep 999") {
		t.Fatalf("after update:\n%s", out)
	}

	// Errors: Marathon's own messages, exit 1.
	code, _, errs = app("show", "/nope")
	if code != 1 {
		t.Errorf("show unknown: exit %d", code)
	}
	wantOneLine(t, "show unknown", errs, "404 Not Found: App '/nope' does not exist")
	code, _, errs = app("scale", "/nope", "3")
	if code != 1 {
		t.Errorf("scale unknown: exit %d", code)
	}
	wantOneLine(t, "scale unknown", errs, "App '/nope' does not exist")
	code, _, errs = app("delete", "/nope")
	if code != 1 {
		t.Errorf("delete unknown: exit %d", code)
	}
	wantOneLine(t, "delete unknown", errs, "App '/nope' does not exist")
	code, _, errs = app("apply", writeFile(t, "bad.json", `{"id": "/bad", "cmd": "x", "cpus": -1, "instances": "two"}`))
	if code != 1 {
		t.Errorf("apply invalid: exit %d", code)
	}
	wantOneLine(t, "apply invalid", errs, "422 Unprocessable Entity: Invalid JSON: /cpus error.min; /instances error.expected.jsnumber")
	code, _, errs = app("apply", writeFile(t, "syntax.json", `{"id": "/bad",`))
	if code != 1 {
		t.Errorf("apply syntax error: exit %d", code)
	}
	wantOneLine(t, "apply syntax error", errs, "400 Bad Request: Invalid JSON")
	code, _, errs = app("apply", "/nonexistent.json")
	if code != 1 {
		t.Errorf("apply missing file: exit %d", code)
	}
	wantOneLine(t, "apply missing file", errs, "no such file")

	// Usage errors: exit 2.
	for _, args := range [][]string{{"scale", "/web"}, {"scale", "/web", "x"}, {"frob"}, {"list", "--bogus"}} {
		if code, _, errs := app(args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}

	code, out, errs = app("delete", "/web")
	if code != 0 || !strings.Contains(out, "deleted /web") || !strings.Contains(out, "finished") {
		t.Fatalf("delete: %d\n%s%s", code, out, errs)
	}
	if _, out, _ = app("list"); strings.Contains(out, "/web") {
		t.Fatalf("after delete:\n%s", out)
	}
	if code, _, errs := runCLI("app", "list", "--marathon", "127.0.0.1:1"); code != 1 || strings.Count(errs, "\n") != 1 {
		t.Errorf("unreachable: %d %q", code, errs)
	}
}
