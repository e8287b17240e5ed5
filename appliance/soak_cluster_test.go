package appliance_test

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// soakRealCluster runs the soak on three real `mesosbox` processes on
// 127.0.0.1-3, churning through the leader's Marathon; halfway through, a
// follower is killed with SIGKILL and restarted on its data directory
// (its agent's tasks, plain processes, outlive it and are taken back).
// Each node's goroutines and live heap (from its /debug/pprof) and its
// anonymous and file-backed resident memory are sampled (soak_memory_test.go).
func soakRealCluster(t *testing.T, cfg soakConfig) {
	perNode := cfg.tasks/3 + 50
	c := startRealCluster(t, "--pprof", "--resources", fmt.Sprintf("cpus:%d;mem:%d", perNode/10+4, perNode*16+1024))
	var leader *proc
	nodetest.WaitFor(t, 30*time.Second, "a leader", func() bool { leader = c.leader(); return leader != nil })
	marathon := c.url(leader, c.ports.Marathon)
	waitServing(t, marathon, c.url(leader, c.ports.Chronos), 60*time.Second)
	var agents []string
	for _, p := range c.nodes {
		agents = append(agents, c.url(p, c.ports.Agent))
	}
	hosts := func(tag string) []hostMem {
		var hs []hostMem
		for _, p := range c.nodes {
			hs = append(hs, c.sampleNode(p, tag))
		}
		return hs
	}
	faults := 0
	midway := func(t *testing.T) int {
		var leader *proc
		nodetest.WaitFor(t, 30*time.Second, "a leader", func() bool { leader = c.leader(); return leader != nil })
		restarted := -1
		for i, p := range c.nodes {
			if p != leader && p.cmd != nil {
				restarted = i
			}
		}
		follower := c.nodes[restarted]
		c.kill(follower)
		faults++
		c.start(follower)
		nodetest.WaitFor(t, 60*time.Second, follower.name+" back as a follower after SIGKILL", func() bool {
			for _, m := range c.members(follower) {
				if m.Name == follower.name && m.State == "Follower" {
					return true
				}
			}
			return false
		})
		// Re-attached: its agent serves the tasks it took back.
		nodetest.WaitFor(t, 60*time.Second, follower.name+"'s agent serving its tasks", func() bool {
			active, _ := agentTasks(agents[restarted])
			return len(active) > 0
		})
		t.Logf("fault: %s killed with SIGKILL and restarted; it is a follower again", follower.name)
		return restarted
	}
	soak(t, cfg, 3, soakTarget{marathon: marathon, agents: agents, hosts: hosts, midway: midway})
	t.Logf("faults injected %d (a follower's SIGKILL and restart)", faults)
}

// goroutines is a node's goroutine count from its profiler (--pprof), 0
// when it does not answer.
func (c *realCluster) goroutines(p *proc) int {
	if p.cmd == nil {
		return 0
	}
	resp, err := faultClient.Get(c.url(p, c.ports.Master) + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "goroutine profile: total")))
	return n
}
