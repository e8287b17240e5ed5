package drf

import (
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// cluster is a miniature master for tests: it runs allocation cycles and
// plays frameworks that accept one task per offer when it fits and decline
// the rest with a filter, as Marathon does.
type cluster struct {
	agents     []Agent // Total only; Available is derived
	used       map[string]resources.Resources
	roles      map[string]string              // framework -> role
	demand     map[string]resources.Resources // framework -> one task
	allocated  map[string]resources.Resources // framework -> its tasks
	filters    []Filter
	now        time.Time
	launches   []string // framework per launched task, in order
	refuseTime time.Duration
}

func newCluster(agentTotals []string, frameworks map[string]string) *cluster {
	c := &cluster{
		used:       map[string]resources.Resources{},
		roles:      map[string]string{},
		demand:     map[string]resources.Resources{},
		allocated:  map[string]resources.Resources{},
		now:        t0,
		refuseTime: 5 * time.Second,
	}
	for i, total := range agentTotals {
		c.agents = append(c.agents, Agent{ID: string(rune('A' + i)), Total: res(total), Active: true})
	}
	for id, task := range frameworks {
		c.roles[id] = "*"
		c.demand[id] = res(task)
	}
	return c
}

// cycle runs one allocation cycle and the frameworks' answers.
func (c *cluster) cycle(seed uint64) {
	s := Snapshot{Filters: c.filters, Now: c.now, Seed: seed}
	for _, a := range c.agents {
		a.Available = a.Total.Sub(c.used[a.ID])
		s.Agents = append(s.Agents, a)
	}
	for id, role := range c.roles {
		s.Frameworks = append(s.Frameworks, Framework{
			ID: id, Roles: []string{role}, Active: true,
			Allocated: map[string]resources.Resources{role: c.allocated[id]},
		})
	}
	for _, o := range Allocate(s) {
		task := c.demand[o.FrameworkID]
		unused := o.Resources
		if o.Resources.Contains(task) {
			c.used[o.AgentID] = c.used[o.AgentID].Add(task)
			c.allocated[o.FrameworkID] = c.allocated[o.FrameworkID].Add(task)
			c.launches = append(c.launches, o.FrameworkID)
			unused = o.Resources.Sub(task)
		}
		if !unused.IsEmpty() {
			c.filters = append(c.filters, Filter{
				FrameworkID: o.FrameworkID, Role: o.Role, AgentID: o.AgentID,
				Refused: unused, Expires: c.now.Add(c.refuseTime),
			})
		}
	}
	c.now = c.now.Add(time.Second)
}

// TestDRFPaperExample replays the example of Ghodsi et al., "Dominant
// Resource Fairness" (NSDI 2011), section 4: 9 CPUs and 18 GB; user A runs
// tasks of <1 CPU, 4 GB> (dominant: memory, 2/9 per task), user B tasks of
// <3 CPUs, 1 GB> (dominant: CPU, 1/3 per task). DRF gives A three tasks and
// B two, equalizing their dominant shares at 2/3.
func TestDRFPaperExample(t *testing.T) {
	c := newCluster([]string{"cpus:9;mem:18432"}, map[string]string{
		"A": "cpus:1;mem:4096",
		"B": "cpus:3;mem:1024",
	})
	for i := range 30 {
		c.cycle(uint64(i))
	}
	if got, want := strings.Join(c.launches, ""), "ABABA"; got != want {
		t.Fatalf("launch order = %s, want %s", got, want)
	}
	total := c.agents[0].Total
	for id, want := range map[string]float64{"A": 12288.0 / 18432, "B": 6.0 / 9} {
		if got := c.allocated[id].DominantShare(total); got != want {
			t.Errorf("%s dominant share = %v, want %v", id, got, want)
		}
	}
	// What is left (no cpus, 4 GB) is still offered, as it passes the
	// mem:32 minimum, but neither framework can use it.
	if left := total.Sub(c.used["A"]); !left.Equal(res("mem:4096")) {
		t.Errorf("left over = %v, want mem:4096", left)
	}
}
