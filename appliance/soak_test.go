package appliance_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/store"
)

// soakConfig sizes a soak. The short form runs in `make test`;
// MESOSBOX_SOAK=10m runs the long one (MESOSBOX_SOAK_APPS and
// MESOSBOX_SOAK_TASKS size it, 1000 and 5000 by default).
type soakConfig struct {
	apps, tasks      int
	duration, sample time.Duration
	settle           time.Duration // how long the apps may take to settle
}

func soakSize(t *testing.T) soakConfig {
	env := os.Getenv("MESOSBOX_SOAK")
	if env == "" {
		return soakConfig{apps: 20, tasks: 100, duration: 30 * time.Second, sample: 5 * time.Second, settle: 2 * time.Minute}
	}
	d, err := time.ParseDuration(env)
	if err != nil {
		t.Fatalf("MESOSBOX_SOAK=%q: %v", env, err)
	}
	c := soakConfig{apps: 1000, tasks: 5000, duration: d, sample: time.Minute, settle: 15 * time.Minute}
	for name, v := range map[string]*int{"MESOSBOX_SOAK_APPS": &c.apps, "MESOSBOX_SOAK_TASKS": &c.tasks} {
		if s := os.Getenv(name); s != "" {
			if *v, err = strconv.Atoi(s); err != nil {
				t.Fatalf("%s=%q: %v", name, s, err)
			}
		}
	}
	return c
}

// soakSample is one point of the memory and goroutine series: one hostMem
// per process that hosts nodes, and the task counts.
type soakSample struct {
	at            time.Duration
	hosts         []hostMem
	marathonTasks int
	onAgents      []int // active tasks on each agent
}

// soakTarget is what a soak runs against: a Marathon, the agents whose
// truth it is checked against, how to sample the hosts (tag names the heap
// profiles), and a fault to inject halfway through the churn (nil: none),
// which returns the host it restarted (-1: none).
type soakTarget struct {
	marathon string
	agents   []string
	hosts    func(tag string) []hostMem
	midway   func(t *testing.T) int
}

func (g soakTarget) sample(start time.Time, tag string) soakSample {
	s := soakSample{at: time.Since(start).Round(time.Second), marathonTasks: len(marathonTasks(g.marathon))}
	s.hosts = g.hosts(tag)
	for _, a := range g.agents {
		active, _ := agentTasks(a)
		s.onAgents = append(s.onAgents, len(active))
	}
	return s
}

// soakNodes starts n in-process nodes (127.0.0.1, .2, .3) with room for
// the soak's tasks and returns them. They run Raft's default timeouts: with
// the test ones, three race-enabled nodes on two busy cores lost their
// leader every few seconds and the apps never settled.
func soakNodes(t *testing.T, n int, tasks int) []*appliance.Node {
	ports := nodetest.FreePorts(t)
	perNode := tasks/n + 50
	res := fmt.Sprintf("cpus:%d;mem:%d;ports:[31000-31001]", perNode/10+4, perNode*16+1024)
	var nodes []*appliance.Node
	token := ""
	for i := 0; i < n; i++ {
		cfg := nodetest.Config(t, "127.0.0."+strconv.Itoa(i+1), ports)
		cfg.Resources = res
		if i > 0 {
			cfg.Join, cfg.JoinToken = []string{"127.0.0.1"}, token
		}
		nodes = append(nodes, nodetest.StartWithTimeouts(t, cfg, store.DefaultTimeouts, nil))
		if i == 0 {
			b, err := os.ReadFile(filepath.Join(cfg.DataDir, "join-token"))
			if err != nil {
				t.Fatal(err)
			}
			token = strings.TrimSpace(string(b))
		}
	}
	return nodes
}

// churn is the soak's workload on one app at a time: a task killed (and
// replaced), the app restarted, a new version deployed, a scale by one.
type churn struct {
	marathon  string
	instances map[string]int
	ops       map[string]int
	refused   map[string]int
}

func (c *churn) step(i int, appID, taskID string) {
	var op, method, path, body string
	scaled := 0
	switch i % 4 {
	case 0:
		op, method, path = "kill", http.MethodDelete, "/v2/apps"+appID+"/tasks/"+taskID
	case 1:
		op, method, path = "restart", http.MethodPost, "/v2/apps"+appID+"/restart?force=true"
	case 2:
		op, method, path, body = "deploy", http.MethodPut, "/v2/apps"+appID+"?force=true", fmt.Sprintf(`{"env":{"SOAK_STEP":"%d"}}`, i)
	default:
		// Up by one, and every other time down by one: the total stays put.
		scaled = c.instances[appID] + 1
		if i%8 == 7 && scaled > 2 {
			scaled -= 2
		}
		op, method, path, body = "scale", http.MethodPut, "/v2/apps"+appID+"?force=true", fmt.Sprintf(`{"instances":%d}`, scaled)
	}
	code, _, err := call(method, c.marathon+path, body)
	c.ops[op]++
	if err != nil || code >= 300 {
		c.refused[fmt.Sprintf("%s:%d", op, code)]++
		return
	}
	if op == "scale" {
		c.instances[appID] = scaled
	}
}

// TestSoak churns apps and command tasks (kills, restarts, deployments,
// scaling) on one node and on three, sampling the hosting process's
// goroutines and memory: both must stay flat. At the end Marathon's tasks
// are compared with the agents' own /state: none lost, none duplicated.
//
// The three-node soak runs three real `mesosbox` processes
// (soak_cluster_test.go): three race-enabled nodes in one test process on
// two shared cores lose their Raft leader every few seconds.
func TestSoak(t *testing.T) {
	cfg := soakSize(t)
	t.Run("1-node", func(t *testing.T) {
		nodes := soakNodes(t, 1, cfg.tasks)
		cfgN := nodes[0].Config()
		marathon := nodetest.URL(nodes[0], cfgN.MarathonPort)
		waitServing(t, marathon, nodetest.URL(nodes[0], cfgN.ChronosPort), 30*time.Second)
		soak(t, cfg, 1, soakTarget{marathon: marathon, agents: []string{nodetest.URL(nodes[0], cfgN.AgentPort)}, hosts: sampleThisProcess(cfgN.DataDir)})
	})
	t.Run("3-node", func(t *testing.T) { soakRealCluster(t, cfg) })
}

func soak(t *testing.T, cfg soakConfig, size int, target soakTarget) {
	marathon, agents := target.marathon, target.agents
	c := &churn{marathon: marathon, instances: map[string]int{}, ops: map[string]int{}, refused: map[string]int{}}
	per := cfg.tasks / cfg.apps
	var ids []string
	for i := 0; i < cfg.apps; i++ {
		id := fmt.Sprintf("/soak/a%04d", i)
		body := fmt.Sprintf(`{"id":%q,"cmd":"exec sleep 100000","cpus":0.01,"mem":8,"portDefinitions":[],"instances":%d}`, id, per)
		// A 5xx is a leader change (three nodes on two busy cores): retry.
		var code int
		var resp string
		var err error
		for try := 0; try < 50; try++ {
			if code, resp, err = call(http.MethodPost, marathon+"/v2/apps", body); code < 500 && err == nil {
				if code == http.StatusConflict && try > 0 {
					code = http.StatusCreated // the failed-looking try was committed after all
				}
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if code != http.StatusCreated {
			t.Fatalf("create %s: %d %v %.200s", id, code, err, resp)
		}
		ids = append(ids, id)
		c.instances[id] = per
	}
	t.Cleanup(func() {
		undeleted := ids
		nodetest.WaitFor(t, cfg.settle, "every soak app deleted and its tasks killed", func() bool {
			// A delete refused in a leader change is sent again: once,
			// the apps left behind kept thousands of tasks running.
			var again []string
			for _, id := range undeleted {
				if code, _, err := call(http.MethodDelete, marathon+"/v2/apps"+id+"?force=true", ""); err != nil || code >= 500 {
					again = append(again, id)
				}
			}
			if undeleted = again; len(undeleted) > 0 {
				return false
			}
			for _, a := range agents {
				active, _ := agentTasks(a)
				if active == nil {
					return false
				}
				for _, at := range active {
					if !isTerminal(at.State) {
						return false
					}
				}
			}
			return true
		})
	})
	settle(t, marathon, agents, c.instances, cfg.settle)

	start := time.Now()
	series := []soakSample{target.sample(start, "start")}
	// base is each host's baseline: its sample at the start of the churn,
	// or, for a host restarted halfway, its first regular sample after it
	// re-attached (its first sample is of a process that no longer exists;
	// the one taken as it re-attaches still holds the garbage and the GC
	// headroom of its catching up, which would make the bound lenient).
	base := append([]hostMem(nil), series[0].hosts...)
	t.Logf("sample %s (the baseline)", series[0])
	nextSample := start.Add(cfg.sample)
	midway := target.midway
	rebase := -1
	for i := 0; time.Since(start) < cfg.duration; i++ {
		if midway != nil && time.Since(start) > cfg.duration/2 {
			if rebase = midway(t); rebase >= 0 {
				s := target.sample(start, "restarted")
				base[rebase] = s.hosts[rebase] // unless a regular sample comes
				series = append(series, s)
				t.Logf("sample %s (host %d restarted and re-attached)", s, rebase+1)
				nextSample = time.Now().Add(cfg.sample)
			}
			midway = nil
		}
		appID := ids[(i*7)%len(ids)]
		taskID := "none"
		if i%4 == 0 { // a kill needs a task id
			if tasks := runningIDs(marathonTasks(marathon), appID); len(tasks) > 0 {
				taskID = tasks[i%len(tasks)]
			}
		}
		c.step(i, appID, taskID)
		if time.Now().After(nextSample) {
			s := target.sample(start, strconv.Itoa(len(series)))
			series = append(series, s)
			nextSample = nextSample.Add(cfg.sample)
			note := ""
			if rebase >= 0 {
				base[rebase] = s.hosts[rebase]
				note = fmt.Sprintf(" (host %d's new baseline)", rebase+1)
				rebase = -1
			}
			// Shown at once with -v: a long soak is followed as it runs.
			t.Logf("sample %s, churn ops %d%s", s, i, note)
		}
	}
	settle(t, marathon, agents, c.instances, cfg.settle)
	series = append(series, target.sample(start, "end"))

	var lines []string
	for _, s := range series {
		lines = append(lines, "  "+s.String())
	}
	total := 0
	for _, n := range c.ops {
		total += n
	}
	t.Logf("soak on %d node(s), %d apps, %d tasks, %v: churn ops %d %v, refused %v\n%s",
		size, cfg.apps, cfg.tasks, cfg.duration, total, c.ops, c.refused, strings.Join(lines, "\n"))
	checkFlat(t, base, series[len(series)-1].hosts)
}

// checkFlat fails the soak when a host's goroutines, live heap or
// anonymous memory grew past its baseline's bounds.
func checkFlat(t *testing.T, base, last []hostMem) {
	t.Helper()
	for h, b := range base {
		if h >= len(last) {
			continue
		}
		l := last[h]
		t.Logf("host %d: goroutines %d -> %d, heap %.1f -> %.1f MiB, anon %.1f -> %.1f MiB (file pages %.1f -> %.1f MiB, not judged)",
			h+1, b.goroutines, l.goroutines, b.heapMiB, l.heapMiB, b.anonMiB, l.anonMiB, b.fileMiB, l.fileMiB)
		if l.goroutines > b.goroutines*12/10+100 {
			t.Errorf("host %d: goroutines grew from %d to %d", h+1, b.goroutines, l.goroutines)
		}
		if l.heapMiB > b.heapMiB*1.5+32 {
			t.Errorf("host %d: live heap grew from %.1f to %.1f MiB", h+1, b.heapMiB, l.heapMiB)
		}
		if l.anonMiB > b.anonMiB*1.5+64 {
			t.Errorf("host %d: anonymous memory grew from %.1f to %.1f MiB", h+1, b.anonMiB, l.anonMiB)
		}
	}
}

func (s soakSample) String() string {
	var g, heap, anon, file, db, on []string
	for _, n := range s.onAgents {
		on = append(on, strconv.Itoa(n))
	}
	for _, h := range s.hosts {
		g = append(g, strconv.Itoa(h.goroutines))
		heap = append(heap, fmt.Sprintf("%.1f", h.heapMiB))
		anon = append(anon, fmt.Sprintf("%.1f", h.anonMiB))
		file = append(file, fmt.Sprintf("%.1f", h.fileMiB))
		db = append(db, fmt.Sprintf("%.1f", h.dbMiB))
	}
	return fmt.Sprintf("%6s goroutines [%s]  MiB heap [%s] anon [%s] file [%s] db [%s]  tasks marathon %d agents [%s]",
		s.at, strings.Join(g, " "), strings.Join(heap, " "), strings.Join(anon, " "), strings.Join(file, " "), strings.Join(db, " "), s.marathonTasks, strings.Join(on, " "))
}

// settle waits until no deployment runs and every app has exactly its
// instances running, then checks Marathon against the agents' truth: each
// task Marathon has is RUNNING on exactly one agent, and no agent runs a
// task Marathon does not have.
func settle(t *testing.T, marathon string, agents []string, instances map[string]int, timeout time.Duration) {
	t.Helper()
	var why string
	settled := func() bool {
		code, body, _ := call(http.MethodGet, marathon+"/v2/deployments", "")
		if code != 200 || strings.TrimSpace(body) != "[]" {
			why = "deployments running"
			return false
		}
		mt := marathonTasks(marathon)
		for id, n := range instances {
			if got := len(runningIDs(mt, id)); got != n {
				why = fmt.Sprintf("%s has %d running, wants %d", id, got, n)
				return false
			}
		}
		why = fmt.Sprintf("Marathon has %d tasks, the apps want %d", len(mt), sum(instances))
		return len(mt) == sum(instances)
	}
	for deadline := time.Now().Add(timeout); !settled(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the apps did not settle within %v: %s", timeout, why)
		}
	}
	mt := marathonTasks(marathon)
	where := map[string][]string{}
	unacked := 0
	for _, a := range agents {
		active, _ := agentTasks(a)
		for id, at := range active {
			switch {
			case isTerminal(at.State):
				// Ended, its update not yet acknowledged: after leader
				// changes the agent resends it on Mesos' backoff (up to
				// 10 minutes), as a Mesos agent does.
				unacked++
				continue
			case at.State != "TASK_RUNNING":
				t.Errorf("agent %s: task %s is %s after settling", a, id, at.State)
			}
			where[id] = append(where[id], a)
		}
	}
	var lost, orphans, dups []string
	for id := range mt {
		if len(where[id]) == 0 {
			lost = append(lost, id)
		}
	}
	for id, on := range where {
		if _, ok := mt[id]; !ok {
			orphans = append(orphans, id)
		}
		if len(on) > 1 {
			dups = append(dups, id)
		}
	}
	sort.Strings(lost)
	sort.Strings(orphans)
	if len(lost)+len(orphans)+len(dups) > 0 {
		t.Fatalf("Marathon vs agents: lost %v, unknown to Marathon %v, on two agents %v", lost, orphans, dups)
	}
	t.Logf("settled: %d tasks in Marathon = %d running on the agents, lost 0, duplicated 0 (%d ended awaiting acknowledgement)",
		len(mt), len(where), unacked)
}

// isTerminal says whether a Mesos task state is final.
func isTerminal(state string) bool {
	switch state {
	case "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR":
		return true
	}
	return false
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
