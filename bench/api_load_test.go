package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// apiClients and apiRequests shape the API load: 50 clients at once, 4
// requests each (200 samples for the p99).
const apiClients, apiRequests = 50, 4

// encodings are the two ways the API figures are read: gzip, as browsers,
// curl --compressed and Go's http client ask, and plain.
var encodings = []struct{ accept string }{{"gzip"}, {""}}

// fetch GETs url once with the Accept-Encoding given and returns the answer
// as sent: bodies are not decompressed, so that the load measures the
// server and the transfer, not the client's gunzip.
func fetch(client *http.Client, url, accept string) (*http.Response, []byte, error) {
	resp, err := request(client, url, accept)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func request(client *http.Client, url, accept string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	return client.Do(req)
}

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: apiClients, DisableCompression: true}}
}

// load GETs url from apiClients clients at once and returns the latencies.
func load(b testing.TB, name, url, accept string) sample {
	s := sample{name: name}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := newClient()
	defer client.CloseIdleConnections()
	for range apiClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range apiRequests {
				start := time.Now()
				resp, err := request(client, url, accept)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				if resp.StatusCode != 200 {
					b.Errorf("GET %s: %d", url, resp.StatusCode)
					return
				}
				mu.Lock()
				s.lat = append(s.lat, took)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return s
}

// apiFigure measures url under load with the Accept-Encoding given,
// beside its floor: the same answer (same bytes, same headers) served
// pre-built by a static handler, which is what sending that much to 50
// clients costs at least. minBytes checks that the plain answer is the
// size it should be.
func apiFigure(b testing.TB, what, url, accept string, minBytes int) (subject, floor sample) {
	enc := "plain"
	if accept != "" {
		enc = accept
	}
	resp, body, err := fetch(newClient(), url, accept)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != 200 || (accept == "" && len(body) < minBytes) {
		b.Fatalf("%s: %d, %d bytes, want %d at least", url, resp.StatusCode, len(body), minBytes)
	}
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for _, h := range []string{"Content-Type", "Content-Encoding", "Vary"} {
			if v := resp.Header.Get(h); v != "" {
				w.Header().Set(h, v)
			}
		}
		w.Write(body)
	}))
	defer static.Close()
	subject = load(b, fmt.Sprintf("%s, %d clients, %s", what, apiClients, enc), url, accept)
	floor = load(b, fmt.Sprintf("same %d kB %s, pre-built", len(body)/1000, enc), static.URL, accept)
	return subject, floor
}

// apiRows is apiFigure in each encoding.
func apiRows(b testing.TB, what, url string, minBytes int) []row {
	var rows []row
	for _, enc := range encodings {
		s, f := apiFigure(b, what, url, enc.accept, minBytes)
		rows = append(rows, row{what: "API", subject: s, floor: f})
	}
	return rows
}

// masterStateURL starts a real master that knows tasks running tasks
// (reported by one agent) and serves its endpoints; it returns the URL of
// /master/state.
func masterStateURL(b testing.TB, tasks int) string {
	srv := httptest.NewServer(startMaster(b, tasks).handler)
	b.Cleanup(srv.Close)
	return srv.URL + "/master/state"
}

// masterHandler is the HTTP API of a real master that knows tasks running
// tasks, reported by one agent.
func masterHandler(b testing.TB, tasks int) http.Handler { return startMaster(b, tasks).handler }

// benchMaster is a running master with its HTTP API, the agent that runs
// its tasks and the framework that owns them.
type benchMaster struct {
	m                  *master.Master
	handler            http.Handler
	agentID, framework string
}

func startMaster(b testing.TB, tasks int) benchMaster {
	m := mastertest.Start(b, nil, nil)
	res, err := resources.Parse(fmt.Sprintf("cpus:%d;mem:%d", tasks, tasks*32))
	if err != nil {
		b.Fatal(err)
	}
	// A subscribed framework owns the tasks (/master/state lists tasks
	// under their framework); its events are drained and dropped.
	user := "bench"
	stream, err := m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &mesos.FrameworkInfo{Name: "bench", User: user}})
	if err != nil {
		b.Fatal(err)
	}
	var fwID string
	for e := range stream.Events() {
		if e.Subscribed != nil {
			fwID = e.Subscribed.FrameworkID.Value
			break
		}
	}
	go drain(stream)
	sub := agentapi.Subscribe{Hostname: "bench", Address: "127.0.0.1:1", Resources: resourcepb.ToProto(res, "*")}
	for i := range tasks {
		id := mesos.TaskID{Value: fmt.Sprintf("task-%05d", i)}
		state := mesos.TASK_RUNNING
		sub.Tasks = append(sub.Tasks, agentapi.Task{FrameworkID: fwID,
			Info:   mesos.TaskInfo{Name: "bench", TaskID: id, Resources: resourcepb.ToProto(resources.Resources{CPUs: resources.ScalarOf(0.1), Mem: resources.ScalarOf(32)}, "*")},
			Status: mesos.TaskStatus{TaskID: id, State: &state}})
	}
	_, _, agentID, err := m.RegisterAgent(sub)
	if err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	m.Mount(r, func() string { return "" })
	return benchMaster{m: m, handler: r, agentID: agentID, framework: fwID}
}

// masterStateChurn is /master/state read by 50 clients while the agent
// sends perSecond status updates a second (each changes the state, so
// the view is rendered again), gzip.
func masterStateChurn(b testing.TB, tasks, perSecond int) (subject, floor sample) {
	bm := startMaster(b, tasks)
	srv := httptest.NewServer(bm.handler)
	defer srv.Close()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			state := mesos.TASK_RUNNING
			id := uuid.New()
			taskID := mesos.TaskID{Value: fmt.Sprintf("task-%05d", i%tasks)}
			if err := bm.m.AgentUpdate(agentapi.Update{AgentID: bm.agentID, FrameworkID: bm.framework,
				Status: mesos.TaskStatus{TaskID: taskID, State: &state, UUID: id[:]}}); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	defer func() { close(stop); <-done }()
	return apiFigure(b, fmt.Sprintf("GET /master/state, %d tasks, %d updates/s", tasks, perSecond), srv.URL+"/master/state", "gzip", tasks*100)
}

// masterState is the /master/state figure of the report: a master with
// 10 000 tasks read by 50 clients at once that ask for gzip, as browsers
// and Go clients do.
func masterState(b testing.TB, tasks int) (subject, floor sample) {
	return apiFigure(b, fmt.Sprintf("GET /master/state, %d tasks", tasks), masterStateURL(b, tasks), "gzip", tasks*100)
}

// masterStateRows is the /master/state figure in both encodings.
func masterStateRows(b testing.TB, tasks int) []row {
	return apiRows(b, fmt.Sprintf("GET /master/state, %d tasks", tasks), masterStateURL(b, tasks), tasks*100)
}

// drain reads and drops a framework's events until its stream ends.
func drain(stream *master.Stream) {
	for {
		select {
		case <-stream.Events():
		case <-stream.Done():
			return
		}
	}
}

// BenchmarkMasterState prints the /master/state rows on their own (b.N is
// ignored: run it with -benchtime 1x).
func BenchmarkMasterState(b *testing.B) {
	rows := masterStateRows(b, 10000)
	s, f := masterStateChurn(b, 10000, 10)
	printTable(os.Stdout, append(rows, row{what: "API", subject: s, floor: f}))
}

// BenchmarkMasterStateRequest is one GET /master/state of 10 000 tasks
// served in process: unchanged (answered from the last rendering) and
// after a change (rendered anew), for the time and allocations of each.
func BenchmarkMasterStateRequest(b *testing.B) {
	h := masterHandler(b, 10000)
	change := func() {
		req := httptest.NewRequest("PUT", "/master/weights", strings.NewReader(`[{"role":"bench","weight":2}]`))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	requestFigures(b, h, "/master/state", change)
}

// requestFigures benchmarks GETs of path on h, with and without a change
// (done off the clock) before each.
func requestFigures(b *testing.B, h http.Handler, path string, change func()) {
	for _, changed := range []bool{false, true} {
		for _, enc := range encodings {
			b.Run(fmt.Sprintf("changed=%v/accept=%s", changed, enc.accept), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if changed {
						b.StopTimer()
						change()
						b.StartTimer()
					}
					req := httptest.NewRequest("GET", path, nil)
					if enc.accept != "" {
						req.Header.Set("Accept-Encoding", enc.accept)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("GET %s: %d", path, rec.Code)
					}
				}
			})
		}
	}
}

// TestMasterStateSmoke runs the API load harness small, so that CI keeps
// it working; it asserts no timings, only that every request answered.
func TestMasterStateSmoke(t *testing.T) {
	s, f := masterStateChurn(t, 50, 100)
	for _, r := range append(masterStateRows(t, 50), row{subject: s, floor: f}) {
		if len(r.subject.lat) != apiClients*apiRequests || len(r.floor.lat) != apiClients*apiRequests {
			t.Fatalf("%d and %d answers, want %d each", len(r.subject.lat), len(r.floor.lat), apiClients*apiRequests)
		}
	}
}
