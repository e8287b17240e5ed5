package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
)

// taskCmd is what every launched task runs: a shell that execs a sleep,
// as a Marathon "cmd" does.
const taskCmd = "exec sleep 1000"

// statusEvents follows Marathon's event stream (/v2/events, status updates
// only) and remembers when each app's task first reached each state.
type statusEvents struct {
	mu      sync.Mutex
	changed *sync.Cond
	seen    map[string]time.Time // appId + " " + taskStatus
	err     error
}

func followStatusEvents(tb testing.TB, marathon string) *statusEvents {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", marathon+"/v2/events?event_type=status_update_event", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != 200 {
		tb.Fatalf("/v2/events: %d", resp.StatusCode)
	}
	e := &statusEvents{seen: map[string]time.Time{}}
	e.changed = sync.NewCond(&e.mu)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data:")
			if !ok {
				continue
			}
			at := time.Now()
			var ev struct{ AppID, TaskStatus string }
			if json.Unmarshal([]byte(data), &ev) != nil || ev.AppID == "" {
				continue
			}
			e.mu.Lock()
			if k := ev.AppID + " " + ev.TaskStatus; e.seen[k].IsZero() {
				e.seen[k] = at
			}
			e.changed.Broadcast()
			e.mu.Unlock()
		}
		e.mu.Lock()
		e.err = fmt.Errorf("event stream ended: %v", sc.Err())
		e.changed.Broadcast()
		e.mu.Unlock()
	}()
	return e
}

// wait returns when a task of app first reached state.
func (e *statusEvents) wait(tb testing.TB, app, state string) time.Time {
	timer := time.AfterFunc(2*time.Minute, func() {
		e.mu.Lock()
		e.err = fmt.Errorf("no %s of %s within 2 minutes", state, app)
		e.changed.Broadcast()
		e.mu.Unlock()
	})
	defer timer.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for e.seen[app+" "+state].IsZero() && e.err == nil {
		e.changed.Wait()
	}
	if e.err != nil {
		tb.Fatal(e.err)
	}
	return e.seen[app+" "+state]
}

// marathonLaunches is the launch-latency figure: n times, POST a
// 1-instance app and take the time until Marathon's event stream reports
// its task TASK_RUNNING (the status reached Marathon and was persisted);
// the app is then deleted and its task seen killed, untimed, and settled
// (when not nil) waits, untimed too, until the agent has removed what the
// task left, so that one launch's teardown does not run into the next
// launch's timing: the floors remove each run before the next as well.
func marathonLaunches(tb testing.TB, nd *node, name, kind, container string, n int, settled func()) sample {
	base := nd.url(nd.ports.Marathon)
	ev := followStatusEvents(tb, base)
	s := sample{name: name}
	for i := range n {
		id := fmt.Sprintf("/bench/latency-%s-%d", kind, i)
		body := fmt.Sprintf(`{"id":%q,"cmd":%q,"cpus":0.01,"mem":16,"instances":1%s}`, id, taskCmd, container)
		start := time.Now()
		send(tb, "POST", base+"/v2/apps", body, 201)
		s.lat = append(s.lat, ev.wait(tb, id, "TASK_RUNNING").Sub(start))
		send(tb, "DELETE", base+"/v2/apps"+id, "", 200)
		ev.wait(tb, id, "TASK_KILLED")
		if settled != nil {
			settled()
		}
	}
	return s
}

// oneByOne is the floor of launch latency: n starts one after another,
// each timed until it has started and then removed, untimed, before the
// next, as marathonLaunches deletes each app before it posts the next.
func oneByOne(tb testing.TB, name string, n int, start func(i int) (remove func(), err error)) sample {
	s := sample{name: name}
	for i := range n {
		began := time.Now()
		remove, err := start(i)
		if err != nil {
			tb.Fatalf("%s #%d: %v", name, i, err)
		}
		s.lat = append(s.lat, time.Since(began))
		remove()
	}
	return s
}

func reap(cmds []*exec.Cmd) {
	for _, c := range cmds {
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
	}
}

// busyboxContainer is the Marathon container of an image task.
const busyboxContainer = `,"container":{"type":"DOCKER","docker":{"image":"busybox"}}`

// containerFloor is the containerd Go client on the node's containerd and
// namespace, with the busybox image imported there.
type containerFloor struct {
	c   *client.Client
	ctx context.Context
	img client.Image
}

func newContainerFloor(tb testing.TB, sock, ns string) *containerFloor {
	c, err := client.New(sock)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	ctx := namespaces.WithNamespace(context.Background(), ns)
	img, err := c.GetImage(ctx, containerdtest.BusyboxRef)
	if err != nil {
		tb.Fatal(err)
	}
	return &containerFloor{c: c, ctx: ctx, img: img}
}

// noContainers waits until the namespace holds no container, as after an
// agent has removed its finished tasks' containers.
func (f *containerFloor) noContainers(tb testing.TB) {
	deadline := time.Now().Add(time.Minute)
	for {
		ctrs, err := f.c.Containers(f.ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if len(ctrs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d containers still there a minute after their tasks ended", len(ctrs))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// start creates and starts a busybox container running the task's
// command line and returns once it runs, with what removes it.
func (f *containerFloor) start(id string) (func(), error) {
	ctr, err := f.c.NewContainer(f.ctx, id, client.WithNewSnapshot(id, f.img),
		client.WithNewSpec(oci.WithImageConfig(f.img), oci.WithProcessArgs("sh", "-c", taskCmd)))
	if err != nil {
		return nil, err
	}
	task, err := ctr.NewTask(f.ctx, cio.NullIO)
	if err != nil {
		_ = ctr.Delete(f.ctx, client.WithSnapshotCleanup)
		return nil, err
	}
	remove := func() {
		exited, err := task.Wait(f.ctx)
		if err == nil && task.Kill(f.ctx, syscall.SIGKILL) == nil {
			<-exited
		}
		_, _ = task.Delete(f.ctx)
		_ = ctr.Delete(f.ctx, client.WithSnapshotCleanup)
	}
	if err := task.Start(f.ctx); err != nil {
		remove()
		return nil, err
	}
	return remove, nil
}
