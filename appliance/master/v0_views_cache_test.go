package master

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// rawGet GETs a path without the client's transparent decompression and
// returns the status, the Content-Encoding and the body as sent. It only
// reports errors (t.Error), so that reader goroutines may use it.
func rawGet(t *testing.T, url, acceptEncoding string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	if resp.Header.Get("Vary") != "Accept-Encoding" && !strings.Contains(url, "jsonp=") { // jsonp is never compressed
		t.Errorf("GET %s: Vary %q", url, resp.Header.Get("Vary"))
	}
	return resp.StatusCode, resp.Header.Get("Content-Encoding"), b
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
		if code != 200 || enc != "" {
			t.Fatalf("%s plain: %d %q", p, code, enc)
		}
		code, enc, zipped := rawGet(t, url+p, "gzip, deflate")
		if code != 200 || enc != "gzip" {
			t.Fatalf("%s gzip: %d %q (%d plain bytes)", p, code, enc, len(plain))
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
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
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(done); wg.Wait() }()
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				floor := registered.Load()
				_, enc, b := rawGet(t, url+"/master/state", "gzip")
				if enc == "gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(b))
					if err != nil {
						t.Error(err)
						return
					}
					b, _ = io.ReadAll(zr)
				}
				if got := agentCount(t, b); int64(got) < floor {
					t.Errorf("read %d agents after %d registered", got, floor)
					return
				}
			}
		}()
	}
	for i := range 40 {
		h.agent(fmt.Sprintf("host%d", i), "cpus:1;mem:256")
		registered.Store(int64(i + 1))
		if _, _, b := rawGet(t, url+"/master/state", ""); agentCount(t, b) != i+1 {
			t.Fatalf("read %d agents after %d registered", agentCount(t, b), i+1)
		}
	}
}
