package chronos

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

// apiCase is one request and what Chronos answers to it.
type apiCase struct {
	name   string
	method string
	path   string // after the prefix
	body   string
	code   int
	want   []string // substrings of the body
	ctype  string   // Content-Type prefix, when checked
}

func TestAPIEndpointsAndErrorDialect(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run(strings.TrimPrefix(prefix, "/"), func(t *testing.T) {
			h := newHarness(t, withoutAgent())
			start := iso(t0.Add(time.Hour))
			h.post("iso8601", scheduled("parent", "echo parent", "R/"+start+"/PT1H", `,"owner":"ops@example.com","description":"nightly export"`))
			h.post("dependency", dependent("child", "parent"))
			h.post("dependency", dependent("grandchild", "child"))
			cases := []apiCase{
				{"create scheduled", "POST", "/iso8601", scheduled("extra", "true", "R/"+start+"/P1D", ""), 204, nil, ""},
				{"replace scheduled", "POST", "/iso8601", scheduled("extra", "true", "R2/"+start+"/P1D", ""), 204, nil, ""},
				{"get job", "GET", "/job/parent", "", 200, []string{`"name":"parent"`, `"shell":true`, `"retries":2`, `"cpus":0.1`, `"mem":128`, `"disk":256`, `"schedule":"R/` + start + `/PT1H"`}, "application/json"},
				{"jobs is a bare array", "GET", "/jobs", "", 200, []string{`[{"name":"child"`, `"parents":["parent"]`}, "application/json"},
				{"summary", "GET", "/jobs/summary", "", 200, []string{`{"jobs":[`, `"status":"idle"`, `"state":"fresh"`}, "application/json"},
				{"search by name", "GET", "/jobs/search?name=PAR", "", 200, []string{`"name":"parent"`}, "application/json"},
				{"search any", "GET", "/jobs/search?any=export", "", 200, []string{`"name":"parent"`}, ""},
				{"search limit", "GET", "/jobs/search?limit=1&offset=1", "", 200, []string{`"name":"extra"`}, ""},
				{"search bad limit", "GET", "/jobs/search?limit=x", "", 400, []string{`"status":"Bad Request"`}, ""},
				{"malformed JSON", "POST", "/iso8601", `{"name":`, 400, []string{`"message":"malformed JSON`, `"status":"Bad Request"`}, "application/json"},
				{"not an object", "POST", "/iso8601", `[1]`, 400, []string{"JSON object"}, ""},
				{"bad name", "POST", "/iso8601", scheduled("bad name", "true", "R/"+start+"/PT1H", ""), 400, []string{"invalid"}, ""},
				{"bad schedule", "POST", "/iso8601", scheduled("x", "true", "R/nonsense/PT1H", ""), 400, []string{"Cannot parse schedule"}, ""},
				{"start long ago", "POST", "/iso8601", scheduled("x", "true", "R/2001-01-01T00:00:00Z/PT1H", ""), 400, []string{"in the past"}, ""},
				{"missing parent", "POST", "/dependency", dependent("orphan", "nobody"), 400, []string{"parent does not exist"}, ""},
				{"empty parents", "POST", "/dependency", `{"name":"orphan","command":"true","parents":[]}`, 400, []string{"parent"}, ""},
				{"cycle", "POST", "/dependency", dependent("child", "grandchild"), 400, []string{"cycle"}, ""},
				{"self parent", "POST", "/dependency", dependent("child", "child"), 400, []string{"own parent"}, ""},
				{"get unknown", "GET", "/job/nope", "", 400, []string{"not found"}, "application/json"},
				{"run unknown", "PUT", "/job/nope", "", 400, []string{"not found"}, ""},
				{"delete unknown", "DELETE", "/job/nope", "", 400, []string{"not found"}, ""},
				{"success unknown", "PUT", "/job/success/nope", "", 400, []string{"not found"}, ""},
				{"kill unknown", "DELETE", "/task/kill/nope", "", 400, []string{"not found"}, ""},
				{"stat unknown", "GET", "/job/stat/nope", "", 400, []string{"not found"}, ""},
				{"progress unknown", "POST", "/job/nope/task/ct:1:0:nope:/progress", `{"numAdditionalElementsProcessed":1}`, 400, []string{"not found"}, ""},
				{"progress bad body", "POST", "/job/parent/task/ct:1:0:parent:/progress", `{"x":1}`, 400, []string{"numAdditionalElementsProcessed"}, ""},
				{"progress", "POST", "/job/parent/task/ct:1:0:parent:/progress", `{"numAdditionalElementsProcessed":1}`, 204, nil, ""},
				{"mark success", "PUT", "/job/success/parent", "", 200, []string{"marked job parent as successful: true"}, "text/plain"},
				{"stat", "GET", "/job/stat/parent", "", 200, []string{`"histogram":{"75thPercentile":0`, `"taskStatHistory":[]`}, "application/json"},
				{"stats", "GET", "/stats/99thPercentile", "", 200, []string{`[]`}, "application/json"},
				{"stats unknown", "GET", "/stats/p42", "", 400, []string{"unknown statistic"}, ""},
				{"dot", "GET", "/graph/dot", "", 200, []string{"digraph G {", `label="child"`, "->"}, "text/plain"},
				{"csv", "GET", "/graph/csv", "", 200, []string{"node,parent,success,idle", "link,parent,child"}, "text/plain"},
				{"leader", "GET", "/leader", "", 200, []string{`{"leader":"127.0.0.1:4400"}`}, "application/json"},
				{"run now", "PUT", "/job/parent?arguments=a%20b", "", 204, nil, ""},
				{"kill", "DELETE", "/task/kill/parent", "", 204, nil, ""},
				{"delete reparents", "DELETE", "/job/child", "", 204, nil, ""},
				{"grandchild now under parent", "GET", "/job/grandchild", "", 200, []string{`"parents":["parent"]`}, ""},
				{"deleted is gone", "GET", "/job/child", "", 400, []string{"not found"}, ""},
			}
			for _, c := range cases {
				code, body, ctype := h.call(c.method, prefix+c.path, c.body)
				if code != c.code {
					t.Errorf("%s: %s %s: %d %s, want %d", c.name, c.method, c.path, code, body, c.code)
					continue
				}
				for _, w := range c.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s: body %s lacks %s", c.name, body, w)
					}
				}
				if c.ctype != "" && !strings.HasPrefix(ctype, c.ctype) {
					t.Errorf("%s: content type %q, want %s", c.name, ctype, c.ctype)
				}
				if code >= 500 {
					t.Errorf("%s: server error %d", c.name, code)
				}
			}
		})
	}
}

// call is do with the response content type.
func (h *harness) call(method, path, body string) (int, string, string) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String(), resp.Header.Get("Content-Type")
}

func TestAPIRootLeaderCORSMetricsAnd2xOnly(t *testing.T) {
	h := newHarness(t, withoutAgent())
	h.post("iso8601", scheduled("async", "true", "R/"+iso(t0.Add(time.Hour))+"/PT1H", `,"async":true,"epsilon":"PT10M"`))
	for _, c := range []apiCase{
		{"root leader", "GET", "/leader", "", 200, []string{`"leader":"127.0.0.1:4400"`}, "application/json"},
		{"metrics", "GET", "/metrics", "", 200, []string{`"counters"`, `"chronos.jobs":{"value":1}`}, "application/json"},
		{"preflight", "OPTIONS", "/v1/scheduler/jobs", "", 200, nil, ""},
		{"2.x async success", "PUT", "/scheduler/task/ct:1767225600000:0:async:", `{"statusCode":0}`, 204, nil, ""},
		{"2.x async failure", "PUT", "/scheduler/task/ct:1767225600000:1:async:", `{"statusCode":1}`, 204, nil, ""},
		{"2.x bad task id", "PUT", "/scheduler/task/nonsense", `{"statusCode":0}`, 400, []string{"Invalid task id"}, ""},
		{"2.x unknown job", "PUT", "/scheduler/task/ct:1:0:nope:", `{"statusCode":0}`, 400, []string{"not found"}, ""},
		{"2.x bad body", "PUT", "/scheduler/task/ct:1:0:async:", `{}`, 400, []string{"statusCode"}, ""},
		{"2.x purge", "DELETE", "/scheduler/task/all", "", 204, nil, ""},
	} {
		code, body, ctype := h.call(c.method, c.path, c.body)
		if code != c.code {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body %s lacks %s", c.name, body, w)
			}
		}
		if c.ctype != "" && !strings.HasPrefix(ctype, c.ctype) {
			t.Errorf("%s: content type %q", c.name, ctype)
		}
	}
	resp, err := http.Get(h.srv.URL + "/v1/scheduler/jobs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("no CORS header")
	}
	j := h.job("async")
	if j["successCount"].(float64) != 1 || j["errorCount"].(float64) != 0 {
		// The failure of attempt 1 is retried (retries 2), not counted.
		t.Fatalf("async results not booked: %v", j)
	}
}

func TestReplaceKeepsCountersAndRejectsHalfWrites(t *testing.T) {
	h := newHarness(t, withoutAgent())
	body := scheduled("j", "true", "R/"+iso(t0.Add(time.Hour))+"/PT1H", "")
	h.post("iso8601", body)
	h.do("PUT", "/v1/scheduler/job/success/j", "")
	h.post("iso8601", scheduled("j", "echo changed", "R/"+iso(t0.Add(time.Hour))+"/PT1H", ""))
	if j := h.job("j"); j["successCount"].(float64) != 1 || j["command"] != "echo changed" {
		t.Fatalf("replace lost the counters: %v", j)
	}
	// A refused post changes nothing.
	if code, _ := h.do("POST", "/v1/scheduler/iso8601", scheduled("j", "rm -rf /", "nonsense schedule", "")); code != 400 {
		t.Fatalf("code %d", code)
	}
	if j := h.job("j"); j["command"] != "echo changed" {
		t.Fatalf("refused post changed the job: %v", j)
	}
	// The state in the store is what a new leader sees.
	h.restart()
	if j := h.job("j"); j["successCount"].(float64) != 1 || j["command"] != "echo changed" {
		t.Fatalf("after restart: %v", j)
	}
}

func TestFollowerProxiesToLeader(t *testing.T) {
	h := newHarness(t, withoutAgent())
	h.post("iso8601", scheduled("j", "true", "R/"+iso(t0.Add(time.Hour))+"/PT1H", ""))
	leaderURL := ""
	follower := New(Config{Store: h.st, Master: h.m, Clock: h.clk, Hostname: "127.0.0.2", Port: 4400,
		LeaderURL: func() string { return leaderURL }})
	r := chi.NewRouter()
	follower.Mount(r)
	srv := httptest.NewServer(r)
	defer srv.Close()

	code, body := request(t, srv.URL, "GET", "/scheduler/jobs", "")
	if code != http.StatusServiceUnavailable || body != `{"message":"no leader","status":"Service Unavailable"}` {
		t.Fatalf("without a leader: %d %s", code, body)
	}
	leaderURL = h.srv.URL
	code, body = request(t, srv.URL, "GET", "/scheduler/jobs", "")
	if code != 200 || !strings.Contains(body, `"name":"j"`) {
		t.Fatalf("proxied: %d %s", code, body)
	}
	code, body = request(t, srv.URL, "POST", "/v1/scheduler/iso8601", scheduled("k", "true", "R/"+iso(t0.Add(time.Hour))+"/PT1H", ""))
	if code != http.StatusNoContent {
		t.Fatalf("proxied post: %d %s", code, body)
	}
	if j := h.job("k"); j["name"] != "k" {
		t.Fatal("proxied post not on the leader")
	}
	code, body = request(t, srv.URL, "GET", "/v1/scheduler/leader", "")
	var l map[string]string
	if code != 200 || json.Unmarshal([]byte(body), &l) != nil || "http://"+l["leader"] != h.srv.URL {
		t.Fatalf("follower's leader: %d %s", code, body)
	}
	// A forwarded request is not forwarded again (no proxy loops).
	leaderURL = srv.URL
	req, _ := http.NewRequest("GET", srv.URL+"/scheduler/jobs", nil)
	req.Header.Set(proxiedHeader, "elsewhere:4400")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("loop: %d", resp.StatusCode)
	}
}

func FuzzPostJob(f *testing.F) {
	for _, s := range []string{
		scheduled("a", "true", "R/2026-01-01T01:00:00Z/PT1H", ""),
		`{"name":"b","parents":["a"]}`, `{"name":`, `[]`, `null`, `{"name":"c","schedule":"*/5 * * * *","cpus":"x"}`,
		`{"name":"d","schedule":"R5//PT1M","container":{"image":"x","volumes":[{}]}}`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	h := newHarness(f, withoutAgent())
	f.Fuzz(func(t *testing.T, body string, dep bool) {
		h.t = t
		endpoint := "/v1/scheduler/iso8601"
		if dep {
			endpoint = "/scheduler/dependency"
		}
		code, resp := h.do("POST", endpoint, body)
		if code != 204 && code != 400 {
			t.Fatalf("POST %q: %d %s", body, code, resp)
		}
		if code, resp := h.do("GET", "/v1/scheduler/jobs", ""); code != 200 {
			t.Fatalf("GET jobs after %q: %d %s", body, code, resp)
		}
	})
}
