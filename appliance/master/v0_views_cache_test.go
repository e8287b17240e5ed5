package master

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/viewcache/viewtest"
)

// rawGet is viewtest.Get with the body as sent.
func rawGet(t *testing.T, url, acceptEncoding string) (int, string, []byte) {
	code, enc, sent, _ := viewtest.Get(t, url, acceptEncoding)
	return code, enc, sent
}

func taskStates(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var st struct {
		Frameworks []struct {
			Tasks []struct{ ID, State string }
		}
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("%v: %.200s", err, body)
	}
	out := map[string]string{}
	for _, f := range st.Frameworks {
		for _, task := range f.Tasks {
			out[task.ID] = task.State
		}
	}
	return out
}

// A view read after a change shows the change: the body rendered before
// it is not served again once the master's state moved on.
func TestV0ViewShowsChangeAfterCachedRead(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	ag := h.agent("host1", "cpus:4;mem:2048")
	f := h.framework("views", nil)
	o := f.offer()
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, taskInfo("t1", ag.id, "cpus:1;mem:128")))
	for range 2 { // the second read is answered from the cache
		if _, _, b := rawGet(t, url+"/master/state", ""); taskStates(t, b)["t1"] != "TASK_STAGING" {
			t.Fatalf("before the update: %v", taskStates(t, b))
		}
	}
	h.agentStatus(ag, f.id, "t1", mesos.TASK_RUNNING)
	for _, p := range []string{"/master/state", "/state.json"} {
		if _, _, b := rawGet(t, url+p, ""); taskStates(t, b)["t1"] != "TASK_RUNNING" {
			t.Fatalf("%s after the update: %v", p, taskStates(t, b))
		}
	}
	// /master/tasks is cached per query: each query sees the change.
	h.agentStatus(ag, f.id, "t1", mesos.TASK_FAILED)
	for _, q := range []string{"", "?limit=5", "?order=asc"} {
		_, _, b := rawGet(t, url+"/master/tasks"+q, "")
		if !strings.Contains(string(b), `"state":"TASK_FAILED"`) {
			t.Fatalf("/master/tasks%s after the failure: %s", q, b)
		}
	}
}

// The gzipped answer decodes to exactly the plain one; jsonp callbacks do
// not split the cache and are answered plain.
func TestV0ViewGzipMatchesPlain(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	ag := h.agent("host1", "cpus:64;mem:65536")
	f := h.framework("gzip", nil)
	o := f.offer()
	var infos []mesos.TaskInfo
	for i := range 40 {
		infos = append(infos, taskInfo("task-"+string(rune('a'+i%26))+string(rune('a'+i/26)), ag.id, "cpus:0.1;mem:32"))
	}
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, infos...))
	for _, p := range []string{"/master/state", "/master/tasks", "/master/state-summary", "/master/frameworks"} {
		code, enc, plain := rawGet(t, url+p, "")
		if resp, err := http.Get(url + p); err != nil || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("%s: Vary not set (%v)", p, err)
		} else {
			resp.Body.Close()
		}
		if code != 200 || enc != "" {
			t.Fatalf("%s plain: %d %q", p, code, enc)
		}
		code, enc, _, unzipped := viewtest.Get(t, url+p, "gzip, deflate")
		if code != 200 || enc != "gzip" {
			t.Fatalf("%s gzip: %d %q (%d plain bytes)", p, code, enc, len(plain))
		}
		if !bytes.Equal(unzipped, plain) {
			t.Fatalf("%s: gzip decodes to %d bytes, plain is %d", p, len(unzipped), len(plain))
		}
	}
	for _, cb := range []string{"angular.callbacks._1", "angular.callbacks._2"} {
		_, enc, b := rawGet(t, url+"/master/state?jsonp="+cb, "gzip")
		if enc != "" || !strings.HasPrefix(string(b), cb+"({") || !strings.HasSuffix(string(b), "});") {
			t.Fatalf("jsonp %s: %q %.60q", cb, enc, b)
		}
	}
}

func agentCount(t *testing.T, body []byte) int {
	t.Helper()
	var st struct{ Slaves []struct{ ID string } }
	if err := json.Unmarshal(body, &st); err != nil {
		t.Errorf("%v: %.200s", err, body)
	}
	return len(st.Slaves)
}

// Readers racing registrations always see a state at least as new as the
// last registration that returned before they asked (run with -race).
func TestV0ViewConcurrentReadersDuringWrites(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	var registered atomic.Int64
	stop := viewtest.Readers(6, func() bool {
		floor := registered.Load()
		_, _, _, b := viewtest.Get(t, url+"/master/state", "gzip")
		if got := agentCount(t, b); int64(got) < floor {
			t.Errorf("read %d agents after %d registered", got, floor)
			return false
		}
		return true
	})
	defer stop()
	for i := range 40 {
		h.agent(fmt.Sprintf("host%d", i), "cpus:1;mem:256")
		registered.Store(int64(i + 1))
		if _, _, b := rawGet(t, url+"/master/state", ""); agentCount(t, b) != i+1 {
			t.Fatalf("read %d agents after %d registered", agentCount(t, b), i+1)
		}
	}
}
