package appliance_test

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
	"syscall"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// proc is one real `mesosbox serve` process of a three-node cluster.
type proc struct {
	name, addr, dataDir string
	args                []string
	cmd                 *exec.Cmd
}

type realCluster struct {
	t     testing.TB
	bin   string
	ports nodetest.Ports
	nodes []*proc
}

func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mesosbox")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/mesosbox/mesosbox").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startRealCluster starts three mesosbox processes on 127.0.0.1, .2 and
// .3 with the same ports and distinct agent port ranges; .2 and .3 join .1.
// extra flags go to every node (a repeated flag's last value wins).
func startRealCluster(t testing.TB, extra ...string) *realCluster {
	c := &realCluster{t: t, bin: buildBinary(t), ports: nodetest.FreePorts(t)}
	// The data dirs first: cleanups run last-registered first, and stop
	// needs them to find the tasks the nodes leave.
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	t.Cleanup(c.stop)
	token := ""
	for i, addr := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		p := &proc{name: "n" + strconv.Itoa(i+1), addr: addr, dataDir: dirs[i]}
		p.args = append(c.serveArgs(p, i), extra...)
		if i > 0 {
			p.args = append(p.args, "--join", "127.0.0.1", "--join-token", token)
		}
		c.nodes = append(c.nodes, p)
		c.start(p)
		if i == 0 {
			nodetest.WaitFor(t, 10*time.Second, "the first node's join token", func() bool {
				b, err := os.ReadFile(filepath.Join(p.dataDir, "join-token"))
				token = strings.TrimSpace(string(b))
				return err == nil && token != ""
			})
		}
	}
	nodetest.WaitFor(t, 20*time.Second, "three members", func() bool { return len(c.members(c.nodes[2])) == 3 })
	return c
}

// serveArgs is the command line of the i-th node: its own address, data
// dir and agent port range, the cluster's ports, process executor.
func (c *realCluster) serveArgs(p *proc, i int) []string {
	return []string{"serve", "--data-dir", p.dataDir, "--bind", p.addr, "--node-name", p.name, "--executor", "process",
		"--log-level", "warn", "--resources", fmt.Sprintf("cpus:4;mem:4096;ports:[%d-%d]", 31000+100*i, 31099+100*i),
		"--master-port", strconv.Itoa(c.ports.Master), "--agent-port", strconv.Itoa(c.ports.Agent),
		"--marathon-port", strconv.Itoa(c.ports.Marathon), "--chronos-port", strconv.Itoa(c.ports.Chronos),
		"--raft-port", strconv.Itoa(c.ports.Raft)}
}

func (c *realCluster) start(p *proc) {
	p.cmd = exec.Command(c.bin, p.args...)
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
}

func (c *realCluster) kill(p *proc) {
	if p.cmd != nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		p.cmd = nil
	}
}

func (c *realCluster) stop() {
	for _, p := range c.nodes {
		if p.cmd != nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range c.nodes {
		if p.cmd != nil {
			done := make(chan struct{})
			go func() { p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				c.kill(p)
			}
		}
	}
	// Tasks outlive their node (as under Mesos); the test's must not
	// outlive the test.
	for _, p := range c.nodes {
		nodetest.KillProcessTasks(c.t, p.dataDir)
	}
}

func (c *realCluster) url(p *proc, port int) string {
	return "http://" + p.addr + ":" + strconv.Itoa(port)
}

func (c *realCluster) members(p *proc) []appliance.MemberInfo {
	resp, err := http.Get(c.url(p, c.ports.Master) + "/cluster/members")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var ms []appliance.MemberInfo
	json.NewDecoder(resp.Body).Decode(&ms)
	return ms
}

// leader is the live process that currently leads, if one does.
func (c *realCluster) leader() *proc {
	for _, p := range c.nodes {
		if p.cmd == nil {
			continue
		}
		for _, m := range c.members(p) {
			if m.Leader && m.State == "Leader" && m.Name == p.name {
				return p
			}
		}
	}
	return nil
}

// writeJob posts a Chronos job through p (proxied to the leader) and
// reports whether it was acknowledged.
func (c *realCluster) writeJob(p *proc, name string) bool {
	body := `{"name":"` + name + `","command":"true","schedule":"R/2040-01-01T00:00:00Z/P1D"}`
	resp, err := http.Post(c.url(p, c.ports.Chronos)+"/v1/scheduler/iso8601", "application/json", strings.NewReader(body))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusNoContent
}

func (c *realCluster) anyLive(except *proc) *proc {
	for _, p := range c.nodes {
		if p != except && p.cmd != nil {
			return p
		}
	}
	return nil
}

// failover kills the leader with SIGKILL and returns how long until another
// node leads and until a write through a survivor is acknowledged; then it
// restarts the killed node on its data dir and waits for it to rejoin.
func (c *realCluster) failover(i int) (elect, write time.Duration) {
	t := c.t
	var old *proc
	nodetest.WaitFor(t, 20*time.Second, "a leader", func() bool { old = c.leader(); return old != nil })
	c.kill(old)
	start := time.Now()
	nodetest.WaitFor(t, 20*time.Second, "a new leader", func() bool { return c.leader() != nil })
	elect = time.Since(start)
	survivor := c.anyLive(old)
	nodetest.WaitFor(t, 20*time.Second, "a write after failover", func() bool { return c.writeJob(survivor, fmt.Sprintf("after-kill-%d", i)) })
	write = time.Since(start)
	c.start(old)
	nodetest.WaitFor(t, 30*time.Second, "the killed node back", func() bool {
		for _, m := range c.members(old) {
			if m.Name == old.name && (m.State == "Follower" || m.State == "Leader") {
				return c.leader() != nil
			}
		}
		return false
	})
	return elect, write
}

func (c *realCluster) appTaskIDs(p *proc, app string) []string {
	resp, err := http.Get(c.url(p, c.ports.Marathon) + "/v2/apps/" + app + "/tasks")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out struct {
		Tasks []struct{ ID, State string }
	}
	json.NewDecoder(resp.Body).Decode(&out)
	var ids []string
	for _, t := range out.Tasks {
		if t.State == "TASK_RUNNING" {
			ids = append(ids, t.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// TestRealClusterSurvivesLeaderKill runs three real processes, starts an
// app, kills the leader with SIGKILL twice (restarting it each time), and
// checks that a new leader is elected, every acknowledged write is there,
// the app's tasks are the same tasks, and the killed node rejoins.
func TestRealClusterSurvivesLeaderKill(t *testing.T) {
	c := startRealCluster(t)
	first := c.nodes[1]
	app := `{"id":"/ha/sleeper","cmd":"exec sleep 600","cpus":0.1,"mem":32,"instances":3}`
	nodetest.WaitFor(t, 20*time.Second, "app created", func() bool {
		resp, err := http.Post(c.url(first, c.ports.Marathon)+"/v2/apps", "application/json", strings.NewReader(app))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusCreated
	})
	var before []string
	nodetest.WaitFor(t, 60*time.Second, "3 running tasks", func() bool {
		before = c.appTaskIDs(first, "ha/sleeper")
		return len(before) == 3
	})
	for i := 0; i < 5; i++ {
		if !c.writeJob(first, fmt.Sprintf("before-%d", i)) {
			t.Fatalf("write %d not acknowledged", i)
		}
	}
	// A job due every 2 s keeps running through the failovers, and a
	// deployment (scale 3 → 5) is in flight when the first leader dies.
	tickStart := time.Now().Add(time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
	tick := `{"name":"tick","command":"true","cpus":0.1,"mem":32,"schedule":"R/` + tickStart + `/PT2S"}`
	if resp, err := http.Post(c.url(first, c.ports.Chronos)+"/v1/scheduler/iso8601", "application/json", strings.NewReader(tick)); err != nil || resp.StatusCode != 204 {
		t.Fatalf("tick job: %v %v", err, resp)
	}
	req, _ := http.NewRequest(http.MethodPut, c.url(first, c.ports.Marathon)+"/v2/apps/ha/sleeper", strings.NewReader(`{"instances":5}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("scale: %v %v", err, resp)
	}
	for i := 0; i < 2; i++ {
		elect, write := c.failover(i)
		t.Logf("failover %d: new leader after %v, first write after %v", i, elect, write)
		time.Sleep(3 * time.Second) // let the job fall due between kills
	}
	live := c.anyLive(nil)
	for _, name := range []string{"before-0", "before-4", "after-kill-0", "after-kill-1"} {
		code, body := nodetest.Get(t, c.url(live, c.ports.Chronos)+"/v1/scheduler/job/"+name)
		if code != 200 {
			t.Fatalf("acknowledged job %s lost: %d %s", name, code, body)
		}
	}
	nodetest.WaitFor(t, 60*time.Second, "the deployment done with 5 tasks, the first 3 untouched", func() bool {
		after := c.appTaskIDs(live, "ha/sleeper")
		_, deps := nodetest.Get(t, c.url(live, c.ports.Marathon)+"/v2/deployments")
		if len(after) != 5 || deps != "[]" {
			return false
		}
		for _, id := range before {
			if !strings.Contains(strings.Join(after, ","), id) {
				t.Fatalf("task %s was lost or replaced: now %v", id, after)
			}
		}
		return true
	})
	checkEverySlotRanOnce(t, c.url(live, c.ports.Chronos))
	req, _ = http.NewRequest(http.MethodDelete, c.url(live, c.ports.Marathon)+"/v2/apps/ha/sleeper", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	nodetest.WaitFor(t, 30*time.Second, "the app's tasks killed", func() bool { return len(c.appTaskIDs(live, "ha/sleeper")) == 0 })
}

// BenchmarkLeaderFailover kills the leader of a real three-node cluster 20
// times and reports leader-loss to new leader and to first acknowledged
// write, p50 and p99 (b.N is ignored; run with -benchtime 1x).
func BenchmarkLeaderFailover(b *testing.B) {
	c := startRealCluster(b)
	var elect, write []time.Duration
	for i := 0; i < 20; i++ {
		e, w := c.failover(i)
		elect, write = append(elect, e), append(write, w)
	}
	for _, s := range []struct {
		unit string
		d    []time.Duration
	}{{"new-leader", elect}, {"first-write", write}} {
		sort.Slice(s.d, func(i, j int) bool { return s.d[i] < s.d[j] })
		b.ReportMetric(float64(s.d[len(s.d)/2].Milliseconds()), "ms-to-"+s.unit+"-p50")
		b.ReportMetric(float64(s.d[len(s.d)-1].Milliseconds()), "ms-to-"+s.unit+"-max")
	}
}

// checkEverySlotRanOnce reads the tick job's run history (kept in the
// store) and checks that its due slots, 2 s apart, each launched exactly
// one first attempt, with no slot missing between the first and the last.
func checkEverySlotRanOnce(t *testing.T, chronos string) {
	t.Helper()
	code, body := nodetest.Get(t, chronos+"/v1/scheduler/job/stat/tick")
	var stat struct {
		History []struct {
			TaskID string `json:"taskId"`
		} `json:"taskStatHistory"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &stat) != nil {
		t.Fatalf("job stat: %d %s", code, body)
	}
	seen := map[int64]int{}
	for _, h := range stat.History {
		parts := strings.Split(h.TaskID, ":") // ct:<dueMillis>:<attempt>:<name>:<args>
		if len(parts) < 4 || parts[2] != "0" {
			continue
		}
		due, _ := strconv.ParseInt(parts[1], 10, 64)
		seen[due]++
	}
	var dues []int64
	for d, n := range seen {
		if n != 1 {
			t.Errorf("slot %d ran %d times", d, n)
		}
		dues = append(dues, d)
	}
	sort.Slice(dues, func(i, j int) bool { return dues[i] < dues[j] })
	if len(dues) < 4 {
		t.Fatalf("only %d runs of the tick job", len(dues))
	}
	for i := 1; i < len(dues); i++ {
		if dues[i]-dues[i-1] != 2000 {
			t.Errorf("slots %d and %d are not 2 s apart: a slot was skipped", dues[i-1], dues[i])
		}
	}
}
