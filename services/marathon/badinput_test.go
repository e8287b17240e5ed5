package marathon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/badinput"
)

// badInputApp is a valid app using most of the model, the base of the
// generated bad requests.
const badInputApp = `{"id":"/bad/web","cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32,"disk":0,
 "portDefinitions":[{"port":0,"name":"http","protocol":"tcp","labels":{"VIP_0":"/web:80"}}],
 "env":{"MODE":"prod"},"labels":{"team":"a"},"constraints":[["hostname","UNIQUE"]],
 "healthChecks":[{"protocol":"COMMAND","command":{"value":"true"},"gracePeriodSeconds":30,"intervalSeconds":10,"timeoutSeconds":5,"maxConsecutiveFailures":3}],
 "upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0.5},
 "fetch":[{"uri":"http://example.com/a.tgz","extract":true,"executable":false,"cache":false}],
 "backoffSeconds":1,"backoffFactor":1.15,"maxLaunchDelaySeconds":300,"taskKillGracePeriodSeconds":5,
 "killSelection":"YOUNGEST_FIRST","unreachableStrategy":{"inactiveAfterSeconds":300,"expungeAfterSeconds":600},
 "container":{"type":"MESOS","volumes":[{"containerPath":"data","hostPath":"/tmp","mode":"RO"}]},
 "user":"nobody","role":"*"}`

// marathonWrong is a wrong type for every value, and for numbers also a
// negative and an absurdly large one (Marathon has a minimum, mostly 0,
// and a maximum, or an int range, on every number of the app).
func marathonWrong(path string, v any) []any {
	out := badinput.WrongType(path, v)
	if strings.HasPrefix(path, "/constraints(") {
		out = out[1:] // Marathon reads a number in a constraint as its text
	}
	if _, ok := v.(float64); ok && !strings.HasSuffix(path, "/port") {
		out = append(out, -7.5)
		// Integers beyond int32; the floats (resources, factors) have no
		// upper bound in Marathon.
		if !strings.Contains("/cpus /mem /disk /backoffFactor", path) {
			out = append(out, 1e300)
		}
	}
	return out
}

// marathonState is everything a client can read of the service, for
// before/after comparisons.
func (e *env) marathonState() string {
	e.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v2/apps?embed=apps.tasks&embed=apps.counts&embed=apps.deployments&embed=apps.lastTaskFailure",
		"/v2/groups", "/v2/deployments", "/v2/queue", "/v2/tasks", "/v2/apps/bad/web/versions"} {
		code, _, body := e.do("GET", p, nil, nil)
		fmt.Fprintf(&b, "%s %d %s\n", p, code, body)
	}
	return b.String()
}

// hostileRequest is one request of a bad-input suite.
type hostileRequest struct {
	method, path, contentType string
	body                      []byte
	what                      string
}

// send sends r and returns the status and body.
func (e *env) send(r hostileRequest) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(r.method, e.srv.URL+r.path, bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s (%s): %v", r.method, r.path, r.what, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// checkMarathonError checks Marathon's error dialect: a JSON object with a
// message; a 422 has details[] each with a path.
func checkMarathonError(code int, body []byte, withBody bool) error {
	var e struct {
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if code == http.StatusMethodNotAllowed || code == http.StatusUnsupportedMediaType || code == http.StatusNotFound {
		if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
			return fmt.Errorf("no JSON message: %s", body)
		}
		return nil
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		return fmt.Errorf("no JSON message: %s", body)
	}
	if code != http.StatusUnprocessableEntity || len(e.Details) == 0 && !withBody {
		return nil
	}
	var details []struct {
		Path   string   `json:"path"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(e.Details, &details); err != nil || len(details) == 0 {
		return fmt.Errorf("422 without details[]: %s", body)
	}
	for _, d := range details {
		if d.Path != "" && !strings.HasPrefix(d.Path, "/") || len(d.Errors) == 0 { // "" is the root, as in Play
			return fmt.Errorf("detail without a path or errors: %s", body)
		}
	}
	return nil
}

// TestMarathonBadInput sends hundreds of generated bad requests to the
// apps, groups, tasks and queue endpoints of a service holding one running
// app: every one gets a 4xx in Marathon's dialect and the state read back
// afterwards is the state before.
func TestMarathonBadInput(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/bad/web","cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`, nil); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "the app's deployment", func() bool { return e.running("/bad/web") == 1 && e.deployments() == 0 })
	before := e.marathonState()

	var reqs []hostileRequest
	add := func(method, path string, body []byte, what string) {
		reqs = append(reqs, hostileRequest{method: method, path: path, contentType: "application/json", body: body, what: what})
	}
	valid := []byte(badInputApp)
	for i, c := range badinput.Fields(valid, marathonWrong) {
		add("PUT", "/v2/apps/bad/web", c.Body, c.What)
		if i%3 == 0 {
			add("PATCH", "/v2/apps/bad/web", c.Body, c.What)
			add("POST", "/v2/groups", []byte(`{"id":"/other","apps":[`+string(c.Body)+`]}`), "in a group: "+c.What)
		}
	}
	// A new app, so that a POST is refused for its fields and not as a
	// duplicate of /bad/web.
	for _, c := range badinput.Fields(badinput.Replace(valid, "id", `"/bad/fresh"`), marathonWrong) {
		add("POST", "/v2/apps", c.Body, c.What)
	}
	for _, c := range badinput.Hostile(valid, 23, "id") {
		add("POST", "/v2/apps", c.Body, c.What)
		add("PUT", "/v2/apps/bad/web", c.Body, c.What)
		add("PATCH", "/v2/apps/bad/web", c.Body, c.What)
		add("PUT", "/v2/groups/bad", c.Body, c.What)
		add("POST", "/v2/groups", c.Body, c.What)
		add("POST", "/v2/tasks/delete", c.Body, c.What)
		if b := string(c.Body); b != "[]" && b != "["+badInputApp+"]" { // valid batches
			add("PUT", "/v2/apps", c.Body, c.What)
		}
	}
	group := []byte(`{"id":"/bad2","apps":[{"id":"a","cmd":"x"}],"groups":[{"id":"sub"}],"dependencies":["/bad"],"enforceRole":false}`)
	for _, c := range badinput.Fields(group, badinput.WrongType) {
		add("POST", "/v2/groups", c.Body, c.What)
		add("PUT", "/v2/groups/bad2", c.Body, c.What)
	}
	for _, id := range []string{"", "/", "//", "/Bad", "/a b", "/a_b", "/-a", "/a-", "/a/../..", "/..", "/.", "/a/./../..", "/ünï",
		"/\u202eevil", "/a\x00b", "/%2e%2e", "/a/" + strings.Repeat("b/", 200) + "c$", "/bad/web/child"} {
		add("POST", "/v2/apps", badinput.Replace(valid, "id", fmt.Sprintf("%q", id)), "id "+id)
	}
	for _, dup := range []struct{ key, v string }{{"cpus", `"x"`}, {"instances", "-1"}, {"id", `"/UPPER"`}, {"cmd", "[]"}, {"env", `{"A":1}`}} {
		add("POST", "/v2/apps", badinput.Duplicate(valid, dup.key, dup.v), "duplicate "+dup.key)
	}
	for _, big := range []struct{ key, v string }{
		{"cpus", `"` + strings.Repeat("9", 1<<20) + `"`},
		{"instances", "1" + strings.Repeat("0", 400)},
		{"instances", "99999999999999999999"},
		{"constraints", "[" + strings.Repeat(`["h","NOPE"],`, 5000) + `["h","NOPE"]]`},
		{"labels", `{"a":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}"},
	} {
		add("POST", "/v2/apps", badinput.Replace(valid, big.key, big.v), "oversized "+big.key)
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-8; x=", "garbage/"} {
		reqs = append(reqs, hostileRequest{method: "POST", path: "/v2/apps", contentType: ct, body: badinput.Replace(valid, "id", `"/ct"`), what: "content type " + ct},
			hostileRequest{method: "PUT", path: "/v2/apps/bad/web", contentType: ct, body: []byte(`{"instances":3}`), what: "content type " + ct})
	}
	for _, r := range []struct{ method, path, body string }{
		{"BREW", "/v2/apps", ""}, {"POST", "/v2/apps/bad/web", "{}"}, {"OPTIONS", "/v2/apps/bad/web", ""}, {"TRACE", "/v2/groups/bad", ""},
		{"GET", "/v2/apps?label=(((", ""}, {"GET", "/v2/apps?label=a%20in%20(b", ""}, {"GET", "/v2/apps?label=" + strings.Repeat("a,", 10000) + "!", ""},
		{"GET", "/v2/apps/bad/web/versions/not-a-date", ""}, {"GET", "/v2/apps/bad/web/versions/9999-99-99T99:99:99.999Z", ""},
		{"PUT", "/v2/apps/bad/web", `{"version":"yesterday"}`}, {"PUT", "/v2/apps/bad/web?force=true", `{"version":"1970-01-01T00:00:00.000Z"}`},
		{"PUT", "/v2/apps/bad/web", `{"instances":-1}`}, {"PUT", "/v2/apps/bad/web", `{"instances":2147483648}`},
		{"PUT", "/v2/groups/bad", `{"scaleBy":-2}`}, {"PUT", "/v2/groups/bad", `{"scaleBy":1e400}`}, {"PUT", "/v2/groups/bad", `{"scaleBy":2,"version":"2020-01-01T00:00:00Z"}`},
		{"PUT", "/v2/groups/bad", `{"version":"2020-01-01T00:00:00.000Z"}`}, {"PATCH", "/v2/groups/bad", `{"enforceRole":"yes"}`},
		{"DELETE", "/v2/apps/nope", ""}, {"DELETE", "/v2/apps/bad/web/tasks/garbage", ""}, {"DELETE", "/v2/apps/../../../../x", ""},
		{"DELETE", "/v2/groups/nope", ""}, {"DELETE", "/v2/deployments/nope", ""}, {"DELETE", "/v2/queue/nope/delay", ""},
		{"POST", "/v2/tasks/delete", `{"ids":["nonsense"]}`}, {"POST", "/v2/tasks/delete", `{"ids":[1]}`}, {"POST", "/v2/tasks/delete", `{"ids":"x"}`},
		{"POST", "/v2/tasks/delete?scale=true&wipe=true", `{"ids":[]}`}, {"POST", "/v2/apps/nope/restart", ""},
		{"POST", "/v2/apps", `{"id":"/cycle/a","cmd":"x","dependencies":["/cycle/a"]}`},
		{"POST", "/v2/groups", `{"id":"/cycle","apps":[{"id":"a","cmd":"x","dependencies":["b"]},{"id":"b","cmd":"x","dependencies":["a"]}]}`},
		{"POST", "/v2/groups", `{"id":"/g","groups":[{"id":"/elsewhere"}]}`}, {"POST", "/v2/groups", `{"id":"/bad/web"}`},
		{"POST", "/v2/groups", `{"id":"/Bad Group"}`}, {"PUT", "/v2/groups/Bad%20Group", `{}`}, {"PUT", "/v2/groups/ok/UPPER", `{}`},
		{"POST", "/v2/groups/x", `{"id":"../../.."}`}, {"POST", "/v2/groups", `{"id":"/"}`},
	} {
		add(r.method, r.path, []byte(r.body), r.body)
	}

	rejected := 0
	for _, r := range reqs {
		code, body := e.send(r)
		if code < 400 || code >= 500 {
			t.Errorf("%s %s (%s): %d %.300s", r.method, r.path, r.what, code, body)
			continue
		}
		if err := checkMarathonError(code, body, len(r.body) > 0); err != nil {
			t.Errorf("%s %s (%s): %d: %v", r.method, r.path, r.what, code, err)
			continue
		}
		rejected++
	}
	// Apps that each depend on all the earlier ones: planning them must
	// not take 2^n steps (a dry run, so nothing changes).
	var dag []string
	for i := range 40 {
		deps := []string{}
		for j := range i {
			deps = append(deps, fmt.Sprintf("/dag/a%d", j))
		}
		d, _ := json.Marshal(deps)
		dag = append(dag, fmt.Sprintf(`{"id":"a%d","cmd":"sleep 1","dependencies":%s}`, i, d))
	}
	if code, body := e.send(hostileRequest{method: "PUT", path: "/v2/groups/dag?dryRun=true", contentType: "application/json",
		body: []byte(`{"apps":[` + strings.Join(dag, ",") + `]}`)}); code != http.StatusOK || strings.Count(string(body), "ScaleApplication") != 40 {
		t.Errorf("dry run of a dense dependency graph: %d %.300s", code, body)
	}
	after := e.marathonState()
	if after != before {
		t.Fatalf("state changed by rejected requests:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("%d requests tried, %d rejected with 4xx in Marathon's dialect, state unchanged", len(reqs), rejected)
}
