package marathon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/viewcache/viewtest"
)

// rawGet is viewtest.Get on the service: status, Content-Encoding and
// the body decoded.
func (e *env) rawGet(path, acceptEncoding string) (int, string, []byte) {
	code, enc, _, body := viewtest.Get(e.t, e.srv.URL+path, acceptEncoding)
	return code, enc, body
}

// listed sums tasksRunning over GET /v2/apps and counts GET /v2/tasks.
func (e *env) listed() (appsRunning, tasks int) {
	_, _, b := e.rawGet("/v2/apps", "gzip")
	var apps struct{ Apps []struct{ TasksRunning int } }
	if err := json.Unmarshal(b, &apps); err != nil {
		e.t.Errorf("/v2/apps: %v: %.200s", err, b)
	}
	for _, a := range apps.Apps {
		appsRunning += a.TasksRunning
	}
	_, _, b = e.rawGet("/v2/tasks", "gzip")
	var ts struct{ Tasks []struct{ ID string } }
	if err := json.Unmarshal(b, &ts); err != nil {
		e.t.Errorf("/v2/tasks: %v: %.200s", err, b)
	}
	return appsRunning, len(ts.Tasks)
}

// The list views are rendered once and reused; a read after a change
// shows it.
func TestListViewsShowChanges(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/web","cmd":"sleep 100","cpus":0.1,"mem":16,"instances":2}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "2 running", func() bool { return e.running("/web") == 2 && e.deployments() == 0 })
	for range 2 { // the second read is served from the cache
		if running, tasks := e.listed(); running != 2 || tasks != 2 {
			t.Fatalf("listed %d running, %d tasks; want 2", running, tasks)
		}
	}
	if code, _, body := e.do("PUT", "/v2/apps/web", `{"instances":3}`, nil); code != 200 {
		t.Fatalf("scale: %d %s", code, body)
	}
	waitFor(t, "3 running", func() bool { return e.running("/web") == 3 && e.deployments() == 0 })
	if running, tasks := e.listed(); running != 3 || tasks != 3 {
		t.Fatalf("after the scale: listed %d running, %d tasks; want 3", running, tasks)
	}
	// A task that fails leaves the lists at once (a replacement follows).
	failed := e.tasks("/web")[0].ID
	e.agents[0].fail(e.frameworkID(), failed)
	waitFor(t, "failure recorded", func() bool {
		for _, t := range e.tasks("/web") {
			if t.ID == failed {
				return false
			}
		}
		return true
	})
	_, _, b := e.rawGet("/v2/tasks", "")
	if bytes.Contains(b, []byte(failed)) {
		t.Fatalf("/v2/tasks still lists failed task %s", failed)
	}
}

// The gzipped answers decode to exactly the plain ones.
func TestListViewsGzipMatchesPlain(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/many","cmd":"sleep 100","cpus":0.01,"mem":8,"instances":20}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "20 running", func() bool { return e.running("/many") == 20 && e.deployments() == 0 })
	for _, p := range []string{"/v2/apps?embed=apps.tasks", "/v2/apps?embed=apps.tasks&embed=apps.taskStats&embed=apps.lastTaskFailure", "/v2/tasks", "/v2/tasks?status=running"} {
		code, enc, plain := e.rawGet(p, "")
		if code != 200 || enc != "" {
			t.Fatalf("%s plain: %d %q", p, code, enc)
		}
		code, enc, unzipped := e.rawGet(p, "gzip")
		if code != 200 || enc != "gzip" {
			t.Fatalf("%s gzip: %d %q (%d plain bytes)", p, code, enc, len(plain))
		}
		if !bytes.Equal(unzipped, plain) {
			t.Fatalf("%s: gzip decodes to %d bytes, plain is %d", p, len(unzipped), len(plain))
		}
	}
}

// Readers racing a scale-up always see at least the tasks running before
// they asked (run with -race).
func TestListViewsConcurrentReadersDuringWrites(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/grow","cmd":"sleep 100","cpus":0.01,"mem":8,"instances":1}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "1 running", func() bool { return e.running("/grow") == 1 })
	var floor atomic.Int64
	floor.Store(1)
	stop := viewtest.Readers(4, func() bool {
		min := floor.Load()
		if running, tasks := e.listed(); int64(running) < min || int64(tasks) < min {
			t.Errorf("listed %d running and %d tasks after %d were running", running, tasks, min)
			return false
		}
		return true
	})
	defer stop()
	for n := 2; n <= 8; n++ {
		if code, _, body := e.do("PUT", "/v2/apps/grow", fmt.Sprintf(`{"instances":%d}`, n), nil); code != 200 {
			t.Fatalf("scale to %d: %d %s", n, code, body)
		}
		waitFor(t, fmt.Sprintf("%d running", n), func() bool { return e.running("/grow") == n && e.deployments() == 0 })
		floor.Store(int64(n))
	}
}
