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
// Each node's goroutines (from its /debug/pprof) and RSS are sampled.
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
	hosts := func(s *soakSample) {
		for _, p := range c.nodes {
			s.goroutines = append(s.goroutines, c.goroutines(p))
			rss := 0.0
			if p.cmd != nil {
				rss = rssMiB(strconv.Itoa(p.cmd.Process.Pid))
			}
			s.rssMiB = append(s.rssMiB, rss)
		}
	}
	faults := 0
	midway := func(t *testing.T) {
		var leader, follower *proc
		nodetest.WaitFor(t, 30*time.Second, "a leader", func() bool { leader = c.leader(); return leader != nil })
		for _, p := range c.nodes {
			if p != leader && p.cmd != nil {
				follower = p
			}
		}
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
		t.Logf("fault: %s killed with SIGKILL and restarted; it is a follower again", follower.name)
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
