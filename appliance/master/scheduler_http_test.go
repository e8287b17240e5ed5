package master

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

func serve(t *testing.T, h *harness) string {
	r := chi.NewRouter()
	h.m.Mount(r, func() string { return "" })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// mesosGoClient is a real mesos-go v0.0.11 scheduler client in one encoding.
type mesosGoClient struct {
	t      *testing.T
	caller calls.Caller
	fid    string
	events chan *scheduler.Event
}

func subscribeWithMesosGo(t *testing.T, url string, media encoding.MediaType, info *mesos.FrameworkInfo) *mesosGoClient {
	t.Helper()
	cli := httpcli.New(httpcli.Endpoint(url+"/api/v1/scheduler"), httpcli.Codec(codecs.ByMediaType[media]))
	c := &mesosGoClient{t: t, caller: httpsched.NewCaller(cli), events: make(chan *scheduler.Event, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	resp, err := c.caller.Call(ctx, calls.Subscribe(info))
	if err != nil {
		t.Fatal("subscribe:", err)
	}
	go func() {
		defer resp.Close()
		for {
			var e scheduler.Event
			if err := resp.Decode(&e); err != nil {
				close(c.events)
				return
			}
			c.events <- &e
		}
	}()
	e := c.next(scheduler.Event_SUBSCRIBED)
	c.fid = e.Subscribed.FrameworkID.Value
	if e.Subscribed.GetHeartbeatIntervalSeconds() != 15 || e.Subscribed.MasterInfo == nil {
		t.Fatalf("subscribed: %+v", e.Subscribed)
	}
	return c
}

func (c *mesosGoClient) next(want scheduler.Event_Type) *scheduler.Event {
	c.t.Helper()
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				c.t.Fatal("stream closed")
			}
			if e.Type == scheduler.Event_HEARTBEAT {
				continue
			}
			if e.Type != want {
				c.t.Fatalf("want %s, got %s", want, e.Type)
			}
			return e
		case <-time.After(5 * time.Second):
			c.t.Fatalf("no %s event", want)
		}
	}
}

func (c *mesosGoClient) call(call *scheduler.Call) {
	c.t.Helper()
	call.FrameworkID = &mesos.FrameworkID{Value: c.fid}
	if err := calls.CallNoData(context.Background(), c.caller, call); err != nil {
		c.t.Fatalf("%s: %v", call.Type, err)
	}
}

func TestSchedulerAPIWithMesosGo(t *testing.T) {
	for _, media := range []encoding.MediaType{codecs.MediaTypeJSON, codecs.MediaTypeProtobuf} {
		t.Run(string(media), func(t *testing.T) {
			h := newHarness(t)
			url := serve(t, h)
			ag := h.agent("host1", "cpus:4;mem:2048;ports:[31000-31009]")
			c := subscribeWithMesosGo(t, url, media, &mesos.FrameworkInfo{Name: "mesos-go", User: "root",
				Roles: []string{"*"}, Capabilities: []mesos.FrameworkInfo_Capability{{Type: mesos.FrameworkInfo_Capability_MULTI_ROLE}}})
			o := c.next(scheduler.Event_OFFERS).Offers.Offers[0]
			if o.Hostname != "host1" || scalar(o.Resources, "cpus") != 4 || o.AllocationInfo.GetRole() != "*" {
				t.Fatalf("offer: %+v", o)
			}
			task := taskInfo("t1", o.AgentID.Value, "cpus:1;mem:128")
			c.call(calls.Accept(calls.OfferOperations{calls.OpLaunch(task)}.WithOffers(o.ID)).With(calls.RefuseSeconds(time.Hour)))
			if e := ag.next(t); e.Type != agentapi.EventLaunch || e.Launch.FrameworkID != c.fid {
				t.Fatalf("agent: %+v", e)
			}
			uuid := h.agentStatus(ag, c.fid, "t1", mesos.TASK_RUNNING)
			st := c.next(scheduler.Event_UPDATE).Update.Status
			if st.GetState() != mesos.TASK_RUNNING || string(st.UUID) != string(uuid) {
				t.Fatalf("update %+v", st)
			}
			c.call(calls.Acknowledge(st.AgentID.Value, st.TaskID.Value, st.UUID))
			if e := ag.next(t); e.Type != agentapi.EventAcknowledge {
				t.Fatalf("agent: %s", e.Type)
			}
			c.call(calls.Reconcile(calls.ReconcileTasks(map[string]string{"t1": ag.id})))
			if st := c.next(scheduler.Event_UPDATE).Update.Status; st.GetState() != mesos.TASK_RUNNING || st.GetReason() != mesos.REASON_RECONCILIATION {
				t.Fatalf("reconcile: %s %s", st.GetState(), st.GetReason())
			}
			c.call(calls.Kill("t1", ag.id))
			if e := ag.next(t); e.Type != agentapi.EventKill || e.Kill.TaskID != "t1" || e.Kill.PartitionAware { // not a capability it declared
				t.Fatalf("agent: %+v", e)
			}
			c.call(calls.Suppress())
			c.call(&scheduler.Call{Type: scheduler.Call_TEARDOWN})
			if e := ag.next(t); e.Type != agentapi.EventShutdown {
				t.Fatalf("agent: %s", e.Type)
			}
		})
	}
}

func post(t *testing.T, url string, headers map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), resp.Header
}

func TestSchedulerAPIErrors(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h) + "/api/v1/scheduler"
	jsonCT := map[string]string{"Content-Type": "application/json"}
	sub := `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}}`
	cases := []struct {
		name    string
		headers map[string]string
		body    string
		code    int
		msg     string
	}{
		{"no content type", nil, sub, 400, "Content-Type"},
		{"unsupported content type", map[string]string{"Content-Type": "text/plain"}, sub, 415, "Content-Type"},
		{"not acceptable", map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, sub, 406, "Accept"},
		{"bad json", jsonCT, `{"type":`, 400, "Failed to parse body into Call JSON"},
		{"unknown type", jsonCT, `{"type":"FLY"}`, 400, "Failed to parse"},
		{"missing stream id", jsonCT, `{"type":"REVIVE","framework_id":{"value":"x"}}`, 400, "Mesos-Stream-Id"},
		{"subscribe with stream id", map[string]string{"Content-Type": "application/json", "Mesos-Stream-Id": "x"}, sub, 400, "should not include"},
		{"bad protobuf", map[string]string{"Content-Type": "application/x-protobuf"}, "\xff\xff\xff", 400, "Failed to parse body into Call protobuf"},
		{"unknown framework", map[string]string{"Content-Type": "application/json", "Mesos-Stream-Id": "x"}, `{"type":"REVIVE","framework_id":{"value":"x"}}`, 403, "Framework cannot be found"},
	}
	for _, c := range cases {
		code, body, _ := post(t, url, c.headers, c.body)
		if code != c.code || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d %q, want %d containing %q", c.name, code, body, c.code, c.msg)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	// A subscription answers 200 application/json (exactly), chunked,
	// with a Mesos-Stream-Id, and the RecordIO's first record is SUBSCRIBED.
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(sub))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.ContentLength != -1 || resp.Header.Get("Mesos-Stream-Id") == "" {
		t.Fatalf("subscribe: %d %q len=%d id=%q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.ContentLength, resp.Header.Get("Mesos-Stream-Id"))
	}
	buf := make([]byte, 64)
	n, _ := io.ReadAtLeast(resp.Body, buf, 20)
	if !strings.Contains(string(buf[:n]), "\n{\"type\":\"SUBSCRIBED\"") {
		t.Fatalf("first record: %q", buf[:n])
	}
}

func TestNotRunningRedirectsOrUnavailable(t *testing.T) {
	h := newHarness(t)
	h.m.Stop(context.Background())
	r := chi.NewRouter()
	leader := ""
	h.m.Mount(r, func() string { return leader })
	srv := httptest.NewServer(r)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := noRedirect.Get(srv.URL + "/master/state")
	if resp.StatusCode != 503 {
		t.Fatalf("no leader: %d", resp.StatusCode)
	}
	leader = "10.0.0.9:5050"
	resp, _ = noRedirect.Get(srv.URL + "/master/state?jsonp=x")
	if resp.StatusCode != 307 || resp.Header.Get("Location") != "//10.0.0.9:5050/master/state?jsonp=x" {
		t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = noRedirect.Get(srv.URL + "/master/redirect")
	if resp.StatusCode != 307 || resp.Header.Get("Location") != "//10.0.0.9:5050" {
		t.Fatalf("/master/redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
