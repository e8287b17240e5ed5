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

	// The agent being allocated.
	agent     int32
	stamp     int32
	available *resources.Resources
	gpu       bool
	globalOK  bool // available passes the global minimum
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
	// Decide which agents to walk in one sequential pass over them; the
	// walk itself visits them in random order.
	offerable := make([]bool, len(s.Agents))
	for i := range s.Agents {
		ag := &s.Agents[i]
		offerable[i] = agents.keep[i] && ag.Active && !ag.Available.IsEmpty()
	}
	order := agents.walk(offerable)
	if len(order) == 0 {
		return nil
	}
	mins := s.MinAllocatable
	if mins == nil {
		mins = defaultMinAllocatable
	}
	return &allocation{
		s:       s,
		tree:    t,
		cands:   cands,
		filters: indexFilters(s, agents, fwIDs, cands, fwCands),
		mins:    mins,
		order:   order,
	}
}

// run walks the agents and gives each to the first eligible candidate in DRF
// order.
func (a *allocation) run() []Offer {
	offers := make([]Offer, 0, len(a.order))
	v := make([]int64, a.tree.ks.len())
	for i, ai := range a.order {
		ag := &a.s.Agents[ai]
		a.agent, a.stamp, a.available = ai, int32(i+1), &ag.Available
		a.gpu = ag.Total.GPUs > 0
		a.globalOK = allocatable(&ag.Available, a.mins)
		a.filters.stamp(ai, a.stamp, a.cands)

		leaf := a.pick(root)
		if leaf < 0 {
			continue
		}
		clear(v)
		a.tree.ks.add(v, &ag.Available)
		a.tree.grant(leaf, v)

		c := &a.cands[a.tree.nodes[leaf].cand]
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
		if leaf := a.pick(child.node); leaf >= 0 {
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
