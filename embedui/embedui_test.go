package embedui_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/embedui"
)

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestNodeServesUIs: each port serves its page and the shared assets, with
// the right types and validators, and the agent proxy reaches registered
// agents only.
func TestNodeServesUIs(t *testing.T) {
	n, cfg := startNode(t)
	master, marathon, chronos := nodetest.URL(n, cfg.MasterPort), nodetest.URL(n, cfg.MarathonPort), nodetest.URL(n, cfg.ChronosPort)

	for _, c := range []struct{ url, script string }{
		{master + "/", "/ui/mesos/app.js"},
		{marathon + "/ui/", "/ui/marathon/app.js"},
		{chronos + "/", "/ui/chronos/app.js"},
		{chronos + "/ui/", "/ui/chronos/app.js"},
	} {
		code, body := nodetest.Get(t, c.url)
		if code != 200 || !strings.Contains(body, c.script) {
			t.Errorf("GET %s: %d, want the page loading %s", c.url, code, c.script)
		}
	}
	for _, base := range []string{master, marathon, chronos} {
		resp := get(t, base+"/ui/shared/api.js")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
			t.Fatalf("%s/ui/shared/api.js: %d %q", base, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if again := get(t, base+"/ui/shared/api.js", "If-None-Match", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
			t.Errorf("revalidation with the ETag: %d, want 304", again.StatusCode)
		}
		if resp := get(t, base+"/ui/shared/nope.js"); resp.StatusCode != 404 {
			t.Errorf("missing asset: %d, want 404", resp.StatusCode)
		}
	}
	// The APIs next to the UIs are untouched.
	if code, body := nodetest.Get(t, chronos+"/v1/scheduler/jobs"); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("Chronos jobs: %d %s", code, body)
	}
	if resp := get(t, marathon+"/"); resp.Request.URL.Path != "/ui/" {
		t.Errorf("Marathon / went to %s, want /ui/", resp.Request.URL.Path)
	}

	var slaves struct{ Slaves []struct{ ID string } }
	_, body := nodetest.Get(t, master+"/master/slaves")
	if err := json.Unmarshal([]byte(body), &slaves); err != nil || len(slaves.Slaves) != 1 {
		t.Fatalf("slaves: %v %s", err, body)
	}
	agent := slaves.Slaves[0].ID
	// The agent learns its id from the registration's answer, a moment
	// after the master lists it.
	nodetest.WaitFor(t, 10*time.Second, "the proxied agent state", func() bool {
		resp := get(t, master+"/ui/agents/"+agent+"/state")
		var state struct{ ID string }
		return json.NewDecoder(resp.Body).Decode(&state) == nil && state.ID == agent
	})
	if resp := get(t, master+"/ui/agents/"+agent+"/state"); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("the proxy must let the Marathon UI on another port read task logs")
	}
	if code, body := nodetest.Get(t, master+"/ui/agents/"+agent+"/files/read?path=/etc/passwd&offset=0"); code != 404 {
		t.Errorf("a file outside the sandboxes: %d %s, want the agent's 404", code, body)
	}
	for path, want := range map[string]string{
		"/ui/agents/nope/state":           "not registered",
		"/ui/agents/" + agent + "/api/v1": "serves state and files",
	} {
		if code, body := nodetest.Get(t, master+path); code != 404 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q, want 404 saying %q", path, code, body, want)
		}
	}
}

// TestPreview: the Chronos form's preview puts a schedule in words with its
// next runs in the schedule's zone, and refuses a bad one with the parser's
// message.
func TestPreview(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	r := chi.NewRouter()
	embedui.MountChronos(r, func() time.Time { return now })
	srv := httptest.NewServer(r)
	defer srv.Close()

	q := url.Values{"schedule": {"R/2026-03-07T02:30:00/P1D"}, "tz": {"America/New_York"}}
	resp := get(t, srv.URL+"/ui/api/preview?"+q.Encode())
	var p struct {
		Zone, Description string
		Next              []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("preview: %d %v", resp.StatusCode, err)
	}
	want := []string{ // across the spring-forward change of March 8
		"2026-03-08T03:30:00-04:00", // 02:30 does not exist that day: moved forward by the gap, as Joda does
		"2026-03-09T02:30:00-04:00",
		"2026-03-10T02:30:00-04:00",
		"2026-03-11T02:30:00-04:00",
		"2026-03-12T02:30:00-04:00",
	}
	if p.Zone != "America/New_York" || p.Description != "every day at 02:30 America/New_York" || len(p.Next) != 5 {
		t.Fatalf("preview = %+v", p)
	}
	for i := range want {
		if p.Next[i] != want[i] {
			t.Errorf("run %d = %s, want %s", i, p.Next[i], want[i])
		}
	}

	for q, want := range map[string]string{
		"schedule=R/nope/P1D":          "nope",
		"schedule=":                    "schedule is empty",
		"schedule=@daily&n=99":         "n must be",
		"schedule=@daily&tz=Mars/Base": "Mars/Base",
	} {
		resp := get(t, srv.URL+"/ui/api/preview?"+q)
		var e struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&e)
		if resp.StatusCode != 400 || !strings.Contains(e.Message, want) {
			t.Errorf("%s: %d %q, want 400 mentioning %q", q, resp.StatusCode, e.Message, want)
		}
	}
}
