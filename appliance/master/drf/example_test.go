package drf_test

import (
	"fmt"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/drf"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func Example() {
	must := func(s string) resources.Resources {
		r, err := resources.Parse(s)
		if err != nil {
			panic(err)
		}
		return r
	}
	node := must("cpus:4;mem:8192;ports:[31000-32000]")
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	offers := drf.Allocate(drf.Snapshot{
		Agents: []drf.Agent{
			{ID: "agent-1", Total: node, Available: node, Active: true},
			{ID: "agent-2", Total: node, Available: node, Active: true},
		},
		Frameworks: []drf.Framework{
			// Marathon already runs two cpus' worth of tasks.
			{ID: "marathon", Roles: []string{"*"}, Active: true,
				Allocated: map[string]resources.Resources{"*": must("cpus:2;mem:1024")}},
			{ID: "chronos", Roles: []string{"*"}, Active: true},
		},
		// Chronos declined agent-2 a moment ago.
		Filters: []drf.Filter{{FrameworkID: "chronos", Role: "*", AgentID: "agent-2",
			Refused: node, Expires: now.Add(5 * time.Second)}},
		Now: now,
	})
	// Offers come in the seeded walk order of agents. Chronos, with the
	// lower share, is first in line for every agent but may not have
	// agent-2, which goes to Marathon.
	for _, o := range offers {
		fmt.Printf("%s gets %s for role %s: %s\n", o.FrameworkID, o.AgentID, o.Role, o.Resources)
	}
	// Output:
	// marathon gets agent-2 for role *: cpus:4;mem:8192;ports:[31000-32000]
	// chronos gets agent-1 for role *: cpus:4;mem:8192;ports:[31000-32000]
}
