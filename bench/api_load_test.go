package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// apiClients and apiRequests shape the API load: 50 clients at once, 4
// requests each (200 samples for the p99).
const apiClients, apiRequests = 50, 4

// load GETs url from apiClients clients at once and returns the latencies.
func load(b testing.TB, name, url string) sample {
	s := sample{name: name}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: apiClients}}
	for range apiClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range apiRequests {
				start := time.Now()
				resp, err := client.Get(url)
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

// masterState is the /master/state figure: a real master that knows
// 10 000 running tasks (reported by one agent), read by 50 clients at
// once; the floor is the same server answering the same bytes pre-built.
func masterState(b testing.TB, tasks int) (subject, floor sample) {
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
	go func() {
		for {
			select {
			case <-stream.Events():
			case <-stream.Done():
				return
			}
		}
	}()
	sub := agentapi.Subscribe{Hostname: "bench", Address: "127.0.0.1:1", Resources: resourcepb.ToProto(res, "*")}
	for i := range tasks {
		id := mesos.TaskID{Value: fmt.Sprintf("task-%05d", i)}
		state := mesos.TASK_RUNNING
		sub.Tasks = append(sub.Tasks, agentapi.Task{FrameworkID: fwID,
			Info:   mesos.TaskInfo{Name: "bench", TaskID: id, Resources: resourcepb.ToProto(resources.Resources{CPUs: resources.ScalarOf(0.1), Mem: resources.ScalarOf(32)}, "*")},
			Status: mesos.TaskStatus{TaskID: id, State: &state}})
	}
	if _, _, _, err := m.RegisterAgent(sub); err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	m.Mount(r, func() string { return "" })
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/master/state")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) < tasks*100 {
		b.Fatalf("/master/state: %d, %d bytes for %d tasks", resp.StatusCode, len(body), tasks)
	}
	subject = load(b, fmt.Sprintf("GET /master/state, %d tasks, %d clients", tasks, apiClients), srv.URL+"/master/state")
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer static.Close()
	floor = load(b, fmt.Sprintf("same %d kB, pre-built", len(body)/1000), static.URL)
	return subject, floor
}

// BenchmarkMasterState prints the /master/state row on its own (b.N is
// ignored: run it with -benchtime 1x).
func BenchmarkMasterState(b *testing.B) {
	s, f := masterState(b, 10000)
	printTable(os.Stdout, []row{{what: "API", subject: s, floor: f}})
}

// TestMasterStateSmoke runs the API load harness small, so that CI keeps
// it working; it asserts no timings, only that every request answered.
func TestMasterStateSmoke(t *testing.T) {
	s, f := masterState(t, 50)
	if len(s.lat) != apiClients*apiRequests || len(f.lat) != apiClients*apiRequests {
		t.Fatalf("%d and %d answers, want %d each", len(s.lat), len(f.lat), apiClients*apiRequests)
	}
}
