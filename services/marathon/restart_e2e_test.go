package marathon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// mesosboxBinary builds the real binary once per test run.
func mesosboxBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mesosbox-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "mesosbox")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = "../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// node is a mesosbox process.
type node struct {
	cmd  *exec.Cmd
	base string
}

func startNode(t *testing.T, bin, dataDir string, p nodetest.Ports) *node {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--bind", "127.0.0.1", "--executor", "process",
		"--master-port", strconv.Itoa(p.Master), "--agent-port", strconv.Itoa(p.Agent),
		"--marathon-port", strconv.Itoa(p.Marathon), "--chronos-port", strconv.Itoa(p.Chronos),
		"--raft-port", strconv.Itoa(p.Raft), "--log-level", "warn", "--resources", "cpus:4;mem:4096;disk:1000;ports:[33000-33100]")
	logs, err := os.Create(filepath.Join(t.TempDir(), "mesosbox.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	t.Cleanup(func() {
		logs.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logs.Name())
			t.Logf("mesosbox log:\n%s", data)
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", p.Marathon)}
	nodetest.WaitFor(t, 30*time.Second, "marathon up", func() bool {
		resp, err := http.Get(n.base + "/v2/apps")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return n
}

type e2eApp struct {
	App struct {
		TasksRunning int `json:"tasksRunning"`
		TasksStaged  int `json:"tasksStaged"`
		Instances    int `json:"instances"`
		Tasks        []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"tasks"`
	} `json:"app"`
}

func getApp(t *testing.T, base, id string) (e2eApp, bool) {
	var a e2eApp
	code, out := nodetest.Get(t, base+"/v2/apps"+id)
	return a, code == 200 && json.Unmarshal([]byte(out), &a) == nil
}

// TestKill9AndRestartKeepsTasks runs the real mesosbox binary, SIGKILLs it
// with three running tasks and starts it again on the same data
// directory: the same tasks (same ids, same processes) are running
// afterwards, none was launched again, and the counts are right.
func TestKill9AndRestartKeepsTasks(t *testing.T) {
	bin := mesosboxBinary(t)
	dataDir, pidDir := t.TempDir(), t.TempDir()
	ports := nodetest.FreePorts(t)
	n := startNode(t, bin, dataDir, ports)
	defer func() {
		if n.cmd.ProcessState == nil {
			n.cmd.Process.Kill()
			n.cmd.Wait()
		}
	}()
	body := fmt.Sprintf(`{"id":"/keep","cmd":"echo $$ >> %s/$MESOS_TASK_ID; exec sleep 1000","cpus":0.1,"mem":16,"instances":3}`, pidDir)
	resp, err := http.Post(n.base+"/v2/apps", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	var before []string
	nodetest.WaitFor(t, 60*time.Second, "3 running tasks", func() bool {
		a, ok := getApp(t, n.base, "/keep")
		if !ok || a.App.TasksRunning != 3 {
			return false
		}
		before = before[:0]
		for _, task := range a.App.Tasks {
			before = append(before, task.ID)
		}
		ps := pids(t, pidDir)
		for _, pid := range ps {
			if pid <= 0 {
				return false
			}
		}
		return len(before) == 3 && len(ps) == 3
	})
	sort.Strings(before)
	pidsBefore := pids(t, pidDir)

	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	n.cmd.Wait()
	for id, pid := range pidsBefore {
		if syscall.Kill(pid, 0) != nil {
			t.Fatalf("task %s (pid %d) died with mesosbox", id, pid)
		}
	}
	n = startNode(t, bin, dataDir, ports)
	var after []string
	nodetest.WaitFor(t, 60*time.Second, "tasks re-attached", func() bool {
		a, ok := getApp(t, n.base, "/keep")
		if !ok || a.App.TasksRunning != 3 || a.App.TasksStaged != 0 || a.App.Instances != 3 || len(a.App.Tasks) != 3 {
			return false
		}
		after = after[:0]
		for _, task := range a.App.Tasks {
			after = append(after, task.ID)
		}
		return true
	})
	sort.Strings(after)
	if strings.Join(before, ",") != strings.Join(after, ",") {
		t.Fatalf("tasks before %v, after %v", before, after)
	}
	// Same processes: still alive, and nothing was launched again (each
	// task wrote its pid exactly once).
	if got := pids(t, pidDir); fmt.Sprint(got) != fmt.Sprint(pidsBefore) {
		t.Fatalf("pids before %v, after %v", pidsBefore, got)
	}
	for id, pid := range pidsBefore {
		if syscall.Kill(pid, 0) != nil {
			t.Fatalf("task %s (pid %d) is gone", id, pid)
		}
	}
	// Clean up through the API: the tasks are still under control.
	req, _ := http.NewRequest("DELETE", n.base+"/v2/apps/keep", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	nodetest.WaitFor(t, 30*time.Second, "tasks killed", func() bool {
		for _, pid := range pidsBefore {
			if syscall.Kill(pid, 0) == nil {
				return false
			}
		}
		return true
	})
	n.cmd.Process.Signal(syscall.SIGTERM)
	n.cmd.Wait()
}

// pids reads the pid files the tasks wrote; a task launched twice would
// have two lines.
func pids(t *testing.T, dir string) map[string]int {
	out := map[string]int{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		lines := strings.Fields(string(data))
		if len(lines) != 1 {
			out[e.Name()] = -len(lines)
			continue
		}
		pid, _ := strconv.Atoi(lines[0])
		out[e.Name()] = pid
	}
	return out
}
