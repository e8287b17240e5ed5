package appliance_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/runtime/containerdtest"
)

// ticker prints numbered lines until a file named stop appears in its
// sandbox, then says bye and exits with status 3.
const ticker = `i=0; while [ ! -f "$MESOS_SANDBOX/stop" ]; do echo tick $i; i=$((i+1)); sleep 0.2; done; echo bye; exit 3`

// ticks returns the tick numbers a ticker wrote to its stdout so far, and
// whether it said bye.
func ticks(t *testing.T, sandbox string) (n []int, bye bool) {
	b, err := os.ReadFile(filepath.Join(sandbox, "stdout"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "tick "); ok {
			k, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("garbled log line %q in %s", line, sandbox)
			}
			n = append(n, k)
		}
		bye = bye || line == "bye"
	}
	return n, bye
}

// TestContainerdRestartUnderRunningTasks runs image tasks and command tasks
// through a private containerd, kills the daemon with SIGKILL, lets one
// task exit while it is down, and starts it again: the other tasks are
// still RUNNING under the same ids in Marathon and on the agent, their
// logs go on without a gap (the shims and their loggers never stopped),
// the task that exited meanwhile is reported with its exit status and
// replaced, and new image launches work.
func TestContainerdRestartUnderRunningTasks(t *testing.T) {
	d := containerdtest.StartPrivate(t)
	ns := containerdtest.Namespace(t, d.Socket())
	containerdtest.ImportBusybox(t, d.Socket(), ns)
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	cfg.ContainerdSocket, cfg.ContainerdNamespace, cfg.Executor = d.Socket(), ns, "containerd"
	n := nodetest.Start(t, cfg, nil)
	marathon, agent := nodetest.URL(n, cfg.MarathonPort), nodetest.URL(n, cfg.AgentPort)

	apps := map[string]string{
		"/img": `{"id":"/img","cmd":%q,"cpus":0.1,"mem":32,"instances":2,"container":{"type":"DOCKER","docker":{"image":"busybox"}}}`,
		"/cmd": `{"id":"/cmd","cmd":%q,"cpus":0.1,"mem":32,"instances":2}`,
	}
	for id, tmpl := range apps {
		nodetest.WaitFor(t, 20*time.Second, "create "+id, func() bool {
			code, _, _ := call(http.MethodPost, marathon+"/v2/apps", fmt.Sprintf(tmpl, ticker))
			return code == http.StatusCreated
		})
	}
	var before map[string]agentTask
	nodetest.WaitFor(t, 60*time.Second, "4 tasks running and logging", func() bool {
		mt := marathonTasks(marathon)
		if len(runningIDs(mt, "/img")) != 2 || len(runningIDs(mt, "/cmd")) != 2 {
			return false
		}
		before, _ = agentTasks(agent)
		for _, at := range before {
			if n, _ := ticks(t, at.Directory); len(n) < 3 {
				return false
			}
		}
		return len(before) == 4
	})
	victim := runningIDs(marathonTasks(marathon), "/cmd")[0]

	d.Kill()
	faults := 1
	// While containerd is down the victim is told to stop; its shim sees it
	// exit and its logger writes its last line.
	if err := os.WriteFile(filepath.Join(before[victim].Directory, "stop"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	nodetest.WaitFor(t, 20*time.Second, "the victim to exit while containerd is down", func() bool {
		_, bye := ticks(t, before[victim].Directory)
		return bye
	})
	atRestart := map[string]int{}
	for id, at := range before {
		n, _ := ticks(t, at.Directory)
		atRestart[id] = len(n)
	}
	d.Restart()

	nodetest.WaitFor(t, 60*time.Second, "the victim reported failed with its status and replaced", func() bool {
		code, body, _ := call(http.MethodGet, marathon+"/v2/apps/cmd?embed=app.lastTaskFailure", "")
		var a struct {
			App struct {
				LastTaskFailure struct{ TaskID, State, Message string }
			}
		}
		if code != 200 || json.Unmarshal([]byte(body), &a) != nil || a.App.LastTaskFailure.TaskID != victim {
			return false
		}
		f := a.App.LastTaskFailure
		if f.State != "TASK_FAILED" || !strings.Contains(f.Message, "status 3") {
			t.Fatalf("the victim's exit reported as %s %q", f.State, f.Message)
		}
		ids := runningIDs(marathonTasks(marathon), "/cmd")
		return len(ids) == 2 && !slices.Contains(ids, victim)
	})
	if code, body, _ := call(http.MethodPut, marathon+"/v2/apps/img", `{"instances":3}`); code != http.StatusOK {
		t.Fatalf("scale /img: %d %s", code, body)
	}
	nodetest.WaitFor(t, 60*time.Second, "a new image task running", func() bool {
		return len(runningIDs(marathonTasks(marathon), "/img")) == 3
	})

	mt := marathonTasks(marathon)
	now, _ := agentTasks(agent)
	verified, lines := 0, 0
	for id, at := range before {
		if id == victim {
			continue
		}
		if mt[id].State != "TASK_RUNNING" || now[id].State != "TASK_RUNNING" {
			t.Fatalf("task %s after the restart: Marathon %q, agent %q", id, mt[id].State, now[id].State)
		}
		var n []int
		nodetest.WaitFor(t, 10*time.Second, id+" logging after the restart", func() bool {
			n, _ = ticks(t, at.Directory)
			return len(n) > atRestart[id]+2
		})
		for i, k := range n {
			if k != i {
				t.Fatalf("task %s's log has a gap or a repeat at line %d: tick %d", id, i, k)
			}
		}
		verified++
		lines += len(n)
	}
	t.Logf("containerd restart: faults injected %d (SIGKILL), tasks kept %d, log lines verified %d, exits reported 1, new launches 2, lost 0",
		faults, verified, lines)
}
