package drf

import "github.com/mesosbox/mesosbox/appliance/master/resources"

// Allocate runs one allocation cycle over s and returns the offers to make,
// in the order they were decided. Each agent appears in at most one offer,
// which holds exactly its Available resources. s is not modified.
func Allocate(s Snapshot) []Offer {
	a := newAllocation(&s)
	if a == nil {
		return nil
	}
	return a.run()
}

// allocation is the working state of one cycle.
type allocation struct {
	s       *Snapshot
	tree    *tree
	cands   []candidate
	filters filterIndex
	mins    []resources.Resources // global minimum allocatable
	order   []int32               // agents to allocate, in walk order

	// Per agent, what the walk needs, gathered in one sequential pass so
	// that walking agents in random order touches little memory.
	flags []agentFlags
	avail []int64 // agent i's available vector is avail[i*k : (i+1)*k]

	// The agent being allocated.
	agent     int32
	stamp     int32
	available *resources.Resources
	gpu       bool
	globalOK  bool
}

type agentFlags struct {
	offerable bool // kept, active, and has something available
	gpu       bool // has GPUs
	globalOK  bool // its available resources pass the global minimum
}

// newAllocation indexes s, or returns nil when there is nothing to offer or
// no one to offer it to.
func newAllocation(s *Snapshot) *allocation {
	agents := newAgentTable(s.Agents, s.Seed)
	fwKeep, fwIDs := dedup(len(s.Frameworks), func(i int) string { return s.Frameworks[i].ID })

	ks := newKinds(s.Agents, agents.keep)
	t, cands, fwCands := buildTree(s, fwKeep, ks)
	if !t.nodes[root].live {
		return nil
	}
	a := &allocation{s: s, tree: t, cands: cands, mins: s.MinAllocatable}
	if a.mins == nil {
		a.mins = defaultMinAllocatable
	}

	k := ks.len()
	a.flags = make([]agentFlags, len(s.Agents))
	a.avail = make([]int64, len(s.Agents)*k)
	offerable := make([]bool, len(s.Agents))
	for i := range s.Agents {
		ag := &s.Agents[i]
		if !agents.keep[i] || !ag.Active || ag.Available.IsEmpty() {
			continue
		}
		offerable[i] = true
		a.flags[i] = agentFlags{
			offerable: true,
			gpu:       ag.Total.GPUs > 0,
			globalOK:  allocatable(&ag.Available, a.mins),
		}
		ks.add(a.avail[i*k:(i+1)*k], &ag.Available)
	}
	a.order = agents.walk(offerable)
	if len(a.order) == 0 {
		return nil
	}
	a.filters = indexFilters(s, agents, fwIDs, cands, fwCands)
	return a
}

// run walks the agents and gives each to the first eligible candidate in DRF
// order.
func (a *allocation) run() []Offer {
	offers := make([]Offer, 0, len(a.order))
	k := int32(a.tree.ks.len())
	for i, ai := range a.order {
		f := a.flags[ai]
		a.agent, a.stamp, a.gpu, a.globalOK = ai, int32(i+1), f.gpu, f.globalOK
		a.available = &a.s.Agents[ai].Available // read only when a candidate needs it
		a.filters.stamp(ai, a.stamp, a.cands)

		leaf := a.pick(root)
		if leaf < 0 {
			continue
		}
		a.tree.grant(leaf, a.avail[ai*k:(ai+1)*k])

		c := &a.cands[a.tree.nodes[leaf].cand]
		ag := &a.s.Agents[ai]
		offers = append(offers, Offer{
			FrameworkID: a.s.Frameworks[c.fw].ID,
			Role:        c.role,
			AgentID:     ag.ID,
			Resources:   ag.Available,
		})
	}
	return offers
}

// pick returns the first leaf below n, in DRF order, whose candidate may
// receive the current agent, or -1.
func (a *allocation) pick(n int32) int32 {
	nd := &a.tree.nodes[n]
	if nd.cand >= 0 {
		if a.eligible(nd.cand) {
			return n
		}
		return -1
	}
	for _, child := range nd.children {
		if leaf := a.pick(child); leaf >= 0 {
			return leaf
		}
	}
	return -1
}

// eligible reports whether candidate ci may receive the current agent.
func (a *allocation) eligible(ci int32) bool {
	c := &a.cands[ci]
	if a.gpu && !c.gpu {
		return false
	}
	if c.hasMins {
		if !allocatable(a.available, c.mins) {
			return false
		}
	} else if !a.globalOK {
		return false
	}
	return c.stamp != a.stamp || !a.filters.filtered(c, ci, a.agent, a.available)
}

// dedup marks which of n frameworks to keep, the first of each ID, and
// indexes them by ID.
func dedup(n int, id func(i int) string) ([]bool, map[string]int32) {
	keep := make([]bool, n)
	index := make(map[string]int32, n)
	for i := range n {
		if _, dup := index[id(i)]; !dup {
			index[id(i)] = int32(i)
			keep[i] = true
		}
	}
	return keep, index
}
