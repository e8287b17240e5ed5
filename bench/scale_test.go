package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// scaleUp is launch throughput: an app of the task command (in the given
// container, if any) is created with no instances, then scaled to n; the
// time is from the scale request until /v2/apps/<id> counts n tasks
// running (polled every 20 ms). Call deleteApp afterwards.
func scaleUp(tb testing.TB, marathon, id string, n int, container string) time.Duration {
	send(tb, "POST", marathon+"/v2/apps", fmt.Sprintf(`{"id":%q,"cmd":%q,"cpus":0.01,"mem":16,"instances":0%s}`, id, taskCmd, container), 201)
	// The creation's deployment must end before the scale, or the PUT
	// finds the app locked (409).
	for deadline := time.Now().Add(time.Minute); len(appStatus(tb, marathon, id).Deployments) > 0; {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: still deploying a minute after its creation", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	send(tb, "PUT", marathon+"/v2/apps"+id, fmt.Sprintf(`{"instances":%d}`, n), 200)
	deadline := start.Add(10 * time.Minute)
	for {
		a := appStatus(tb, marathon, id)
		if a.TasksRunning >= n {
			break
		}
		if a.LastTaskFailure != nil {
			tb.Fatalf("%s: a task failed: %s", id, a.LastTaskFailure.Message)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %d of %d tasks running after 10 minutes", id, a.TasksRunning, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

type appCounts struct {
	Deployments     []struct{ ID string }
	TasksRunning    int
	LastTaskFailure *struct{ Message string }
}

func appStatus(tb testing.TB, marathon, id string) appCounts {
	var a struct{ App appCounts }
	for try := 0; ; try++ {
		code, body := probeGet(marathon + "/v2/apps" + id + "?embed=app.lastTaskFailure")
		err := json.Unmarshal(body, &a)
		if code == 200 && err == nil {
			return a.App
		}
		if try == 10 { // a busy machine may time one request out, not ten
			tb.Fatalf("GET /v2/apps%s: %d %v", id, code, err)
		}
	}
}

// deleteApp deletes an app and waits until Marathon has no task left.
func deleteApp(tb testing.TB, marathon, id string) {
	send(tb, "DELETE", marathon+"/v2/apps"+id, "", 200)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		code, body := probeGet(marathon + "/v2/tasks")
		if code == 200 && string(body) == `{"tasks":[]}` {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("tasks of %s still there after 5 minutes", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// allAtOnce is the floor of a scale-up: n starts from n goroutines at
// once (the agent launches every task of an offer concurrently), timed
// until the last has started; what they started is removed afterwards.
func allAtOnce(tb testing.TB, n int, start func(i int) (remove func(), err error)) time.Duration {
	var wg sync.WaitGroup
	removes := make([]func(), n)
	errs := make([]error, n)
	began := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			removes[i], errs[i] = start(i)
		}()
	}
	wg.Wait()
	took := time.Since(began)
	for i, r := range removes { // untimed, but in parallel too: 200 containers one by one take minutes
		if r != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r()
			}()
		}
		if errs[i] != nil {
			tb.Errorf("start %d: %v", i, errs[i])
		}
	}
	wg.Wait()
	if tb.Failed() {
		tb.FailNow()
	}
	return took
}

// forkExec starts the task's command line as a plain process.
func forkExec(int) (func(), error) {
	cmd := exec.Command("/bin/sh", "-c", taskCmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return func() { reap([]*exec.Cmd{cmd}) }, nil
}

// once is a sample of one timed run.
func once(name string, d time.Duration) sample { return sample{name: name, lat: []time.Duration{d}} }

// BenchmarkScalePipeline is the pipeline-only scale-up on its own, for
// profiling the master, agent and Marathon path (-cpuprofile sees all of
// it: the node runs in the test process). MESOSBOX_BENCH_SCALE sets the
// size (default 1 000). b.N is ignored: run it with -benchtime 1x.
func BenchmarkScalePipeline(b *testing.B) {
	n := full.scaleProcess
	if v := os.Getenv("MESOSBOX_BENCH_SCALE"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	marathon := startPipelineNode(b, nodeResources)
	took := scaleUp(b, marathon, "/bench/pipeline", n, "")
	b.ReportMetric(took.Seconds(), "s-all-running")
	deleteApp(b, marathon, "/bench/pipeline")
}
