package master

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	mmaster "github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/badinput"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// mesosWrong is a wrong type for every value of a call. A number is a
// valid enum in proto JSON, so a "type" only gets other wrong values.
func mesosWrong(path string, v any) []any {
	out := badinput.WrongType(path, v)
	if strings.HasSuffix(path, "/type") {
		var kept []any
		for _, w := range out {
			if _, num := w.(int); !num {
				kept = append(kept, w)
			}
		}
		out = kept
	}
	return out
}

// masterState is /master/state, the operator GET_STATE and the roles,
// with every key listed, for before/after comparisons.
func masterState(t *testing.T, base string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/master/state", "/master/roles", "/master/weights", "/master/frameworks"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out, _ := json.MarshalIndent(v, "", " ")
		fmt.Fprintf(&b, "%s %d\n%s\n", p, resp.StatusCode, out)
	}
	return b.String()
}

type mesosRequest struct {
	method, path string
	header       map[string]string
	body         []byte
	what         string
}

// TestMesosBadInput sends hundreds of generated bad requests to the v1
// scheduler and operator APIs, the agent protocol and the v0 endpoints of
// a master with an agent and a subscribed framework holding an offer:
// each gets a 4xx with Mesos' plain-text reason, and the master's state
// read back afterwards is the state before.
func TestMesosBadInput(t *testing.T) {
	h := newHarness(t)
	base := serve(t, h)
	agent := h.agent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	fw := h.framework("victim", nil)
	offer := fw.offer()
	before := masterState(t, base)

	stream := map[string]string{"Content-Type": "application/json", streamIDHeader: fw.s.ID}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	protoStream := map[string]string{"Content-Type": "application/x-protobuf", streamIDHeader: fw.s.ID}
	var reqs []mesosRequest
	add := func(method, path string, header map[string]string, body []byte, what string) {
		reqs = append(reqs, mesosRequest{method, path, header, body, what})
	}

	fid, oid, aid := fw.id, offer.ID.Value, agent.id
	calls := map[string]string{
		"ACCEPT":      `{"framework_id":{"value":"` + fid + `"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"` + oid + `"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t1"},"agent_id":{"value":"` + aid + `"},"command":{"shell":true,"value":"sleep 10"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1},"role":"*"}]}]}}],"filters":{"refuse_seconds":5}}}`,
		"DECLINE":     `{"framework_id":{"value":"` + fid + `"},"type":"DECLINE","decline":{"offer_ids":[{"value":"` + oid + `"}],"filters":{"refuse_seconds":5}}}`,
		"KILL":        `{"framework_id":{"value":"` + fid + `"},"type":"KILL","kill":{"task_id":{"value":"t1"},"agent_id":{"value":"` + aid + `"}}}`,
		"ACKNOWLEDGE": `{"framework_id":{"value":"` + fid + `"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"` + aid + `"},"task_id":{"value":"t1"},"uuid":"jhadfRS1QjiRvH9Usa7efw=="}}`,
		"TEARDOWN":    `{"framework_id":{"value":"` + fid + `"},"type":"TEARDOWN"}`,
		"SUPPRESS":    `{"framework_id":{"value":"` + fid + `"},"type":"SUPPRESS","suppress":{"roles":["*"]}}`,
		"UPDATE_FRAMEWORK": `{"framework_id":{"value":"` + fid + `"},"type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":{"id":{"value":"` + fid +
			`"},"user":"root","name":"victim","roles":["*"],"capabilities":[{"type":"MULTI_ROLE"}]}}}`,
	}
	for name, call := range calls {
		for _, c := range badinput.Fields([]byte(call), mesosWrong) {
			add("POST", "/api/v1/scheduler", stream, c.Body, name+" "+c.What)
		}
		for _, c := range badinput.Hostile([]byte(call), 41, "type") {
			add("POST", "/api/v1/scheduler", stream, c.Body, name+" "+c.What)
		}
		for _, b := range badProtobufs(t, []byte(call), new(scheduler.Call)) {
			add("POST", "/api/v1/scheduler", protoStream, b, name+" protobuf")
		}
	}
	subscribe := `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"intruder","roles":["*"],"failover_timeout":60,"capabilities":[{"type":"MULTI_ROLE"}]}}}`
	for _, c := range badinput.Fields([]byte(subscribe), mesosWrong) {
		add("POST", "/api/v1/scheduler", jsonCT, c.Body, "SUBSCRIBE "+c.What)
	}
	for _, info := range []string{`{"user":"root","name":"x","roles":["a b"]}`, `{"user":"root","name":"x","roles":["."]}`, `{"user":"root","name":"x","roles":[".."]}`,
		`{"user":"root","name":"","roles":["r"]}`, `{"user":"root","name":"x","failover_timeout":-1}`, `{"user":"root","name":"x","roles":["-r"]}`} {
		add("POST", "/api/v1/scheduler", jsonCT, []byte(`{"type":"SUBSCRIBE","subscribe":{"framework_info":`+info+`}}`), "SUBSCRIBE "+info)
	}
	for _, h := range []map[string]string{
		{}, {"Content-Type": "text/plain"}, {"Content-Type": "application/json", "Accept": "text/html"},
		{"Content-Type": "application/json", streamIDHeader: "not-the-stream"}, {"Content-Type": "application/json", streamIDHeader: ""},
		{"Content-Type": "application/json;;;"}, {"Content-Type": "application/recordio"},
	} {
		add("POST", "/api/v1/scheduler", h, []byte(calls["TEARDOWN"]), fmt.Sprintf("TEARDOWN with headers %v", h))
	}
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH", "BREW"} {
		add(m, "/api/v1/scheduler", stream, []byte(calls["TEARDOWN"]), m)
		add(m, "/api/v1", jsonCT, []byte(`{"type":"GET_STATE"}`), m)
	}
	// A resource without its required type does not parse, as in Mesos
	// (an invalid task that parses is Mesos' TASK_ERROR, not a 4xx); nor
	// does a type number unknown to Mesos.
	for _, c := range []string{strings.Replace(calls["ACCEPT"], `"type":"SCALAR",`, "", 1), strings.Replace(calls["TEARDOWN"], `"TEARDOWN"`, "48", 1)} {
		add("POST", "/api/v1/scheduler", stream, []byte(c), c)
	}
	add("POST", "/api/v1/scheduler", map[string]string{"Content-Type": "application/json", streamIDHeader: fw.s.ID},
		[]byte(strings.Replace(calls["TEARDOWN"], fid, "someone-else", 1)), "TEARDOWN of another framework")

	operator := map[string]string{
		"TEARDOWN":       `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"` + fid + `"}}}`,
		"UPDATE_WEIGHTS": `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"r","weight":2.5}]}}`,
		"GET_METRICS":    `{"type":"GET_METRICS","get_metrics":{"timeout":{"nanoseconds":5000000000}}}`,
	}
	for name, call := range operator {
		for _, c := range badinput.Fields([]byte(call), mesosWrong) {
			add("POST", "/api/v1", jsonCT, c.Body, "operator "+name+" "+c.What)
		}
		for _, c := range badinput.Hostile([]byte(call), 13, "type") {
			add("POST", "/api/v1", jsonCT, c.Body, "operator "+name+" "+c.What)
		}
		for _, b := range badProtobufs(t, []byte(call), new(mmaster.Call)) {
			add("POST", "/api/v1", map[string]string{"Content-Type": "application/x-protobuf"}, b, "operator "+name+" protobuf")
		}
	}
	for _, body := range []string{`{}`, `{"type":"UNKNOWN"}`, `{"type":"FLY"}`, `{"type":999}`, `{"type":-1}`} {
		add("POST", "/api/v1", jsonCT, []byte(body), "operator "+body)
	}

	agentSub := `{"hostname":"evil","address":"evil:5051","resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}`
	for _, c := range badinput.Fields([]byte(agentSub), mesosWrong) {
		add("POST", agentapi.SubscribePath, jsonCT, c.Body, "agent subscribe "+c.What)
	}
	for _, c := range badinput.Hostile([]byte(agentSub), 11, "hostname") {
		add("POST", agentapi.SubscribePath, jsonCT, c.Body, "agent subscribe "+c.What)
		add("POST", agentapi.UpdatePath, jsonCT, c.Body, "agent update "+c.What)
		if string(c.Body) != "[]" { // no weights to change: a valid no-op
			add("PUT", "/master/weights", jsonCT, c.Body, "weights "+c.What)
		}
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, f := range []string{"", "frameworkId=", "frameworkId=nope", "frameworkId=%zz", "x=" + url.QueryEscape(fid)} {
		add("POST", "/master/teardown", form, []byte(f), "teardown "+f)
	}
	for _, w := range []string{`[{"role":"r","weight":0}]`, `[{"role":"r","weight":-1}]`, `[{"role":"a b","weight":1}]`, `[{"role":"r","weight":1}]x`, `[{"role":"","weight":1}]`, `{"role":"r"}`} {
		add("PUT", "/master/weights", jsonCT, []byte(w), "weights "+w)
	}
	for _, p := range []string{"/master/state?jsonp=alert(1)", "/master/state?jsonp=%3Cscript%3E", "/state.json?jsonp=a.b%28%29"} {
		add("GET", p, nil, nil, p)
	}

	rejected := 0
	for _, r := range reqs {
		code, ctype, body := mesosSend(t, base, r)
		if code < 400 || code >= 500 {
			t.Errorf("%s %s (%s): %d %.300s", r.method, r.path, r.what, code, body)
			continue
		}
		if code != http.StatusMethodNotAllowed && (!strings.HasPrefix(ctype, "text/plain") || len(body) == 0) {
			t.Errorf("%s %s (%s): %d not Mesos' plain-text reason: %q %.200s", r.method, r.path, r.what, code, ctype, body)
			continue
		}
		rejected++
	}
	if after := masterState(t, base); after != before {
		t.Fatalf("state changed by rejected requests:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("%d requests tried, %d rejected with 4xx in Mesos' plain-text dialect, state unchanged", len(reqs), rejected)
}

// badProtobufs are protobuf encodings of the JSON call that do not
// decode: every truncation and a few corruptions that fail locally (a
// truncation at a field boundary is a valid, smaller call, not bad input).
func badProtobufs(t *testing.T, call []byte, m message) [][]byte {
	t.Helper()
	if err := json.Unmarshal(call, m); err != nil {
		t.Fatal(err)
	}
	valid, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	try := func(b []byte) {
		if m.Unmarshal(b) != nil {
			out = append(out, b)
		}
	}
	for i := 1; i < len(valid); i++ {
		try(valid[:i])
	}
	for i := 0; i < len(valid); i += 5 {
		b := append([]byte{}, valid...)
		b[i] ^= 0xff
		try(b)
	}
	try(append(append([]byte{}, valid...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
	try([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	return out
}

func mesosSend(t *testing.T, base string, r mesosRequest) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	// A bounded wait: a request taken for a subscription streams forever.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s (%s): %v", r.method, r.path, r.what, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// TestOperatorResponseTypes: every operator response names the call it
// answers (the two enums are numbered differently).
func TestOperatorResponseTypes(t *testing.T) {
	h := newHarness(t)
	base := serve(t, h)
	for _, name := range []string{"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_STATE", "GET_AGENTS", "GET_FRAMEWORKS",
		"GET_EXECUTORS", "GET_TASKS", "GET_ROLES", "GET_WEIGHTS", "GET_MASTER"} {
		code, _, body := mesosSend(t, base, mesosRequest{"POST", "/api/v1", map[string]string{"Content-Type": "application/json"},
			[]byte(`{"type":"` + name + `"}`), name})
		var resp struct{ Type string }
		if err := json.Unmarshal(body, &resp); code != 200 || err != nil || resp.Type != name {
			t.Errorf("%s: %d, response type %q: %.200s", name, code, resp.Type, body)
		}
	}
}

// TestAcceptRefusesPathIDs: task ids that are not one path component (the
// agent makes them a sandbox directory) are TASK_ERROR, as Mesos'
// validateID has it, and never reach the agent.
func TestAcceptRefusesPathIDs(t *testing.T) {
	h := newHarness(t)
	f := h.framework("f", nil)
	ag := h.agent("host1", "cpus:2;mem:1024")
	o := f.offer()
	ids := []string{"..", ".", "a/../../etc", `a\b`, "a\x00b", "a\nb", strings.Repeat("x", 256)}
	var infos []mesos.TaskInfo
	for _, id := range ids {
		infos = append(infos, taskInfo(id, ag.id, "cpus:0.1;mem:16"))
	}
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 0, infos...))
	for range ids {
		st := f.update()
		if st.GetState() != mesos.TASK_ERROR || !strings.Contains(st.GetMessage(), "'TaskInfo.task_id' is invalid") {
			t.Fatalf("task %q: %s %q", st.TaskID.Value, st.GetState(), st.GetMessage())
		}
	}
	select {
	case e := <-ag.events:
		if e.Type == agentapi.EventLaunch {
			t.Fatalf("agent was asked to launch %q", e.Launch.Task.TaskID.Value)
		}
	default:
	}
}
