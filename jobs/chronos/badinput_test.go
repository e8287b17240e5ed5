package chronos

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/badinput"
)

// badInputJob is a valid scheduled job using most of the model, the base
// of the generated bad requests.
const badInputJob = `{"name":"nightly","command":"echo hi","shell":true,"arguments":["a"],"description":"d",
 "owner":"ops@example.com","ownerName":"ops","retries":2,"disabled":false,"concurrent":false,"softError":false,
 "cpus":0.5,"mem":64,"disk":128,"maxCompletionTime":60,"runAsUser":"nobody",
 "schedule":"R/2030-01-01T00:00:00Z/PT1H","scheduleTimeZone":"UTC","epsilon":"PT30M",
 "fetch":[{"uri":"http://example.com/a.tgz","extract":true,"executable":false,"cache":false}],
 "environmentVariables":[{"name":"A","value":"b"}],"constraints":[["hostname","EQUALS","h"]],
 "container":{"type":"DOCKER","image":"busybox","forcePullImage":false,"network":"HOST",
  "volumes":[{"containerPath":"/data","hostPath":"/tmp","mode":"RO"}],"parameters":[{"key":"k","value":"v"}]}}`

// chronosWrong is, for every value, one of another shape: Chronos reads
// scalars with Jackson's asText, asBoolean and asDouble, which turn any
// scalar into any other (12 is the command "12", 1 is true), so only a
// structure where a scalar belongs, a scalar where a structure belongs,
// text that is no number, and negative numbers are wrong. epsilon is
// read by 2.x only and ignored otherwise.
func chronosWrong(path string, v any) []any {
	if path == "/epsilon" {
		return nil
	}
	var out []any
	_, number := v.(float64)
	for _, w := range badinput.WrongType(path, v) {
		if !number && scalar(v) && scalar(w) {
			continue
		}
		out = append(out, w)
	}
	if number {
		out = append(out, -3)
	}
	return out
}

func scalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// chronosState is what a client can read of the jobs.
func (h *harness) chronosState() string {
	h.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v1/scheduler/jobs", "/v1/scheduler/jobs/summary", "/v1/scheduler/graph/csv",
		"/v1/scheduler/job/nightly", "/v1/scheduler/job/child"} {
		code, body := h.do("GET", p, "")
		fmt.Fprintf(&b, "%s %d %s\n", p, code, body)
	}
	return b.String()
}

// TestChronosBadInput sends hundreds of generated bad requests to the job
// endpoints of a service holding a scheduled job and its child: each gets
// Chronos' 400 {"message","status":"Bad Request"} (404/405 for unknown
// routes and methods) and the jobs read back afterwards are unchanged.
func TestChronosBadInput(t *testing.T) {
	h := newHarness(t, withoutAgent())
	h.post("iso8601", badInputJob)
	h.post("dependency", `{"name":"child","command":"echo child","parents":["nightly"]}`)
	before := h.chronosState()

	type req struct{ method, path, contentType, body, what string }
	var reqs []req
	add := func(method, path string, body []byte, what string) {
		reqs = append(reqs, req{method, path, "application/json", string(body), what})
	}
	valid := []byte(badInputJob)
	for _, c := range badinput.Fields(valid, chronosWrong) {
		add("POST", "/v1/scheduler/iso8601", c.Body, c.What)
	}
	fresh := badinput.Replace(valid, "name", `"fresh"`)
	for _, c := range badinput.Fields(fresh, chronosWrong) {
		add("POST", "/scheduler/iso8601", c.Body, "new job: "+c.What)
	}
	child := []byte(`{"name":"child","command":"echo child","parents":["nightly"],"retries":1}`)
	for _, c := range badinput.Fields(child, chronosWrong) {
		add("POST", "/v1/scheduler/dependency", c.Body, c.What)
	}
	for _, c := range badinput.Hostile(valid, 29, "name") {
		add("POST", "/v1/scheduler/iso8601", c.Body, c.What)
		add("POST", "/v1/scheduler/dependency", c.Body, c.What)
		add("POST", "/scheduler/iso8601", c.Body, c.What)
	}
	for _, name := range []string{"", " ", "a b", "../nightly", "a/b", "ü", "a\x00", "$(rm -rf /)", "a;b", strings.Repeat("x", 201), strings.Repeat("x", 1<<16) + "!"} {
		add("POST", "/v1/scheduler/iso8601", badinput.Replace(fresh, "name", fmt.Sprintf("%q", name)), "name "+name)
	}
	for _, sched := range []string{"wtf bro", "R/", "R//", "R/x/PT1H", "R-1/2030-01-01T00:00:00Z/PT1H", "R/2030-13-45T25:61:00Z/PT1H",
		"R/2030-01-01T00:00:00Z/P", "R/2030-01-01T00:00:00Z/PT0S", "R/2030-01-01T00:00:00Z/P-1D", "R/1960-01-01T00:00:00Z/PT1H",
		"R99999999999999999999/2030-01-01T00:00:00Z/PT1H", "R/2030-01-01T00:00:00Z/PT1H/extra", "61 * * * *", "* * * *", "@never",
		"CRON_TZ=Nowhere/Land * * * * *", "R/+999999999-01-01T00:00:00Z/PT1H", "R/2030-01-01T00:00:00Z/P99999999999999999999Y"} {
		add("POST", "/v1/scheduler/iso8601", badinput.Replace(fresh, "schedule", fmt.Sprintf("%q", sched)), "schedule "+sched)
	}
	for _, tz := range []string{"Nowhere/Land", "../../etc/passwd", "UTC+99", strings.Repeat("A", 5000)} {
		add("POST", "/v1/scheduler/iso8601", badinput.Replace(fresh, "scheduleTimeZone", fmt.Sprintf("%q", tz)), "zone "+tz)
	}
	for _, parents := range []string{`[]`, `["nope"]`, `["child"]`, `["nightly","nope"]`, `[""]`, `"nightly"`, `[1]`} {
		add("POST", "/v1/scheduler/dependency", badinput.Replace(child, "parents", parents), "parents "+parents)
	}
	for _, ct := range []string{"text/plain", "application/xml", "application/x-www-form-urlencoded"} {
		reqs = append(reqs, req{"POST", "/v1/scheduler/iso8601", ct, string(fresh), "content type " + ct})
	}
	for _, dup := range []struct{ key, v string }{{"cpus", `"x"`}, {"name", `"a b"`}, {"schedule", `"wtf"`}, {"retries", "-1"}} {
		add("POST", "/v1/scheduler/iso8601", badinput.Duplicate(fresh, dup.key, dup.v), "duplicate "+dup.key)
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/scheduler/job/nope"}, {"PUT", "/v1/scheduler/job/nope"}, {"DELETE", "/v1/scheduler/job/nope"},
		{"PUT", "/v1/scheduler/job/success/nope"}, {"GET", "/v1/scheduler/job/stat/nope"}, {"DELETE", "/v1/scheduler/task/kill/nope"},
		{"GET", "/v1/scheduler/job/..%2Fnightly"}, {"DELETE", "/v1/scheduler/job/nightly%00"}, {"DELETE", "/v1/scheduler/job/%2e%2e"},
		{"GET", "/v1/scheduler/stats/101thPercentile"}, {"GET", "/v1/scheduler/jobs/search?limit=-1"}, {"GET", "/v1/scheduler/jobs/search?offset=x"},
		{"GET", "/v1/scheduler/jobs/search?limit=99999999999999999999"}, {"BREW", "/v1/scheduler/jobs"}, {"PATCH", "/v1/scheduler/job/nightly"},
		{"POST", "/v1/scheduler/job/nope/task/t/progress"}, {"PUT", "/v1/scheduler/job/nightly?arguments=--out%3D/etc/x"},
		{"PUT", "/v1/scheduler/job/nightly?arguments=" + strings.Repeat("a", 300)}, {"PUT", "/v1/scheduler/job/nightly?arguments=a%0Ab"}, {"PUT", "/scheduler/task/garbage"}, {"DELETE", "/v1/scheduler/iso8601"},
	} {
		reqs = append(reqs, req{r.method, r.path, "", "", r.method + " " + r.path})
	}
	reqs = append(reqs,
		req{"POST", "/v1/scheduler/job/nightly/task/ct0:1:nightly:/progress", "application/json", `{"numAdditionalElementsProcessed":"x"}`, "progress"},
		req{"PUT", "/scheduler/task/ct:0:1:nightly:", "application/json", `{"statusCode":"zero"}`, "task status"},
		req{"PUT", "/scheduler/task/ct:0:1:nightly:", "application/json", `{`, "task status"})

	rejected := 0
	for _, r := range reqs {
		code, body := chronosSend(t, h.srv.URL, r.method, r.path, r.contentType, r.body)
		if code < 400 || code >= 500 {
			t.Errorf("%s %s (%s): %d %.300s", r.method, r.path, r.what, code, body)
			continue
		}
		if code == http.StatusBadRequest {
			var e struct{ Message, Status string }
			if err := json.Unmarshal(body, &e); err != nil || e.Message == "" || e.Status != "Bad Request" {
				t.Errorf("%s %s (%s): 400 not in Chronos' form: %.300s", r.method, r.path, r.what, body)
				continue
			}
		}
		rejected++
	}
	if after := h.chronosState(); after != before {
		t.Fatalf("state changed by rejected requests:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("%d requests tried, %d rejected with 4xx in Chronos' dialect, state unchanged", len(reqs), rejected)
}

func chronosSend(t *testing.T, base, method, path, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}
