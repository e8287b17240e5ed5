package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeNode answers the lists the CLI reads (Marathon's apps, tasks and
// event stream, Chronos' jobs, the members); with auth it demands basic
// auth admin:secret like a node bound to a public address.
func fakeNode(t *testing.T, auth bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); auth && (!ok || u != "admin" || p != "secret") {
			w.Header().Set("WWW-Authenticate", `Basic realm="mesosbox"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/v2/apps":
			w.Write([]byte(`{"apps":[{"id":"/web","instances":1},{"id":"/worker"},{"id":"/db"}]}`))
		case "/v2/tasks":
			w.Write([]byte(`{"tasks":[{"id":"web.1"},{"id":"db.2"}]}`))
		case "/v1/scheduler/jobs":
			w.Write([]byte(`[{"name":"backup"},{"name":"report"}]`))
		case "/v1/scheduler/jobs/summary":
			w.Write([]byte(`{"jobs":[{"name":"backup","schedule":"R/2026-01-01T00:00:00Z/PT1H"}]}`))
		case "/cluster/members":
			w.Write([]byte(`[{"name":"n1","address":"127.0.0.1:5049","state":"Leader","leader":true}]`))
		case "/v2/events":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("event: api_post_event\ndata: {\"eventType\":\"api_post_event\",\"appDefinition\":{\"id\":\"/web\"}}\n\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestCredentials(t *testing.T) {
	addr := fakeNode(t, true)
	commands := [][]string{
		{"app", "list", "--marathon", addr},
		{"job", "list", "--chronos", addr},
		{"members", "--address", addr},
		{"events", "--marathon", addr, "--count", "1"},
	}
	good := writeFile(t, "good", "admin:secret\n")
	bad := writeFile(t, "bad", "admin:wrong\n")

	for _, args := range commands {
		code, _, errs := runCLI(args...)
		if code != 1 {
			t.Errorf("%v without credentials: exit %d", args, code)
		}
		wantOneLine(t, "no credentials", errs, "401 Unauthorized: the node asks for credentials: set MESOSBOX_HTTP_AUTH=user:password or --auth-file")

		if code, out, errs := runCLI(append(args, "--auth-file", good)...); code != 0 || out == "" {
			t.Errorf("%v --auth-file: exit %d %q %q", args, code, out, errs)
		}
		code, _, errs = runCLI(append(args, "--auth-file", bad)...)
		if code != 1 {
			t.Errorf("%v with a wrong password: exit %d", args, code)
		}
		wantOneLine(t, "wrong password", errs, `401 Unauthorized: the node refused user "admin" (from `+bad+")")
	}

	t.Setenv("MESOSBOX_AUTH_FILE", good)
	if code, out, errs := runCLI("app", "list", "--marathon", addr); code != 0 || !strings.Contains(out, "/web") {
		t.Errorf("MESOSBOX_AUTH_FILE: exit %d %q %q", code, out, errs)
	}
	t.Setenv("MESOSBOX_AUTH_FILE", "")
	t.Setenv("MESOSBOX_HTTP_AUTH", "admin:secret")
	if code, out, errs := runCLI("app", "list", "--marathon", addr); code != 0 || !strings.Contains(out, "/web") {
		t.Errorf("MESOSBOX_HTTP_AUTH: exit %d %q %q", code, out, errs)
	}
	// The flag wins over the environment.
	code, _, errs := runCLI("app", "list", "--marathon", addr, "--auth-file", bad)
	if code != 1 || !strings.Contains(errs, "refused") {
		t.Errorf("--auth-file over MESOSBOX_HTTP_AUTH: exit %d %q", code, errs)
	}
	// The next invocation does not keep the last one's --auth-file.
	if code, _, errs := runCLI("app", "list", "--marathon", addr); code != 0 {
		t.Errorf("after --auth-file: exit %d %q", code, errs)
	}
	t.Setenv("MESOSBOX_HTTP_AUTH", "no-colon")
	code, _, errs = runCLI("app", "list", "--marathon", addr)
	if code != 1 {
		t.Errorf("malformed MESOSBOX_HTTP_AUTH: exit %d", code)
	}
	wantOneLine(t, "malformed MESOSBOX_HTTP_AUTH", errs, "MESOSBOX_HTTP_AUTH: want user:password")
	code, _, errs = runCLI("app", "list", "--marathon", addr, "--auth-file", "/nonexistent")
	if code != 1 {
		t.Errorf("missing auth file: exit %d", code)
	}
	wantOneLine(t, "missing auth file", errs, "auth file: open /nonexistent")
}
