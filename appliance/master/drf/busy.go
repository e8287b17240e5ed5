package drf

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// busyEpoch is the snapshot's Now, fixed so that every run is the same.
var busyEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// BusySnapshot builds a busy cluster, the allocator benchmark's and `make
// bench`'s: agents of 32 cpus and 128 GB, partly used; frameworks spread over ten roles (two of them weighted), each
// holding some resources; one framework in ten suppressed; and filters on
// about 1% of (framework, agent) pairs, a fifth of them expired.
func BusySnapshot(nAgents, nFrameworks int) Snapshot {
	rng := rand.New(rand.NewPCG(uint64(nAgents), uint64(nFrameworks)))
	total := resources.Resources{CPUs: resources.ScalarOf(32), Mem: resources.ScalarOf(131072), Disk: resources.ScalarOf(1000000),
		Ports: resources.NewRanges(resources.Range{Begin: 31000, End: 32000})}
	s := Snapshot{
		Now:     busyEpoch,
		Seed:    1,
		Weights: map[string]float64{"role-0": 2, "role-1": 0.5},
	}
	for i := range nAgents {
		used := resources.Resources{
			CPUs:  resources.Scalar(rng.IntN(28)) * 1000,
			Mem:   resources.Scalar(rng.IntN(100)) * 1_024_000,
			Ports: resources.NewRanges(resources.Range{Begin: 31000, End: 31000 + rng.Uint64N(100)}),
		}
		s.Agents = append(s.Agents, Agent{
			ID:        fmt.Sprintf("agent-%05d", i),
			Total:     total,
			Available: total.Sub(used),
			Active:    rng.IntN(50) != 0,
		})
	}
	for i := range nFrameworks {
		role := fmt.Sprintf("role-%d", i%10)
		f := Framework{
			ID:     fmt.Sprintf("framework-%04d", i),
			Roles:  []string{role},
			Active: true,
			Allocated: map[string]resources.Resources{role: {
				CPUs: resources.Scalar(rng.IntN(nAgents*3+1)) * 1000,
				Mem:  resources.Scalar(rng.IntN(nAgents*10+1)) * 1_024_000,
			}},
		}
		if i%10 == 9 {
			f.Suppressed = f.Roles
		}
		s.Frameworks = append(s.Frameworks, f)
		for range nAgents / 100 {
			a := s.Agents[rng.IntN(nAgents)]
			expires := busyEpoch.Add(5 * time.Second)
			if rng.IntN(5) == 0 {
				expires = busyEpoch.Add(-time.Second)
			}
			s.Filters = append(s.Filters, Filter{
				FrameworkID: f.ID, Role: role, AgentID: a.ID, Refused: a.Available, Expires: expires,
			})
		}
	}
	return s
}
