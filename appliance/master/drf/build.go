package drf

import (
	"math"
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// candidate is a (framework, role) pair that may receive offers this cycle:
// the framework is active, subscribes to the role and has not suppressed it.
type candidate struct {
	fw   int32 // index in Snapshot.Frameworks
	role string
	gpu  bool // GPU_RESOURCES capability

	// mins overrides the global minimum allocatable when hasMins is set.
	mins    []resources.Resources
	hasMins bool

	// stamp and filterAt index the filters of the agent being allocated:
	// when stamp equals that agent's stamp, filterAt is the first of its
	// filters for this candidate.
	stamp    int32
	filterAt int32
}

// buildTree makes the sorting tree and the candidates from the frameworks
// that keep marks (the first of each ID). fwCands[i] is the range of
// framework i's candidates.
func buildTree(s *Snapshot, keep []bool, ks *kinds) (t *tree, cands []candidate, fwCands [][2]int32) {
	t = newTree(ks)
	own := t.addRoles(trackedRoles(s, keep), s.Weights)
	roleNodes := len(t.nodes)

	// Every framework's allocation counts in its role, active or not.
	for i := range s.Frameworks {
		if !keep[i] {
			continue
		}
		for role, r := range s.Frameworks[i].Allocated {
			if n, ok := own[role]; ok {
				ks.add(t.vec(n), &r)
			}
		}
	}

	// One leaf per candidate, below its role, holding the framework's
	// allocation in that role.
	fwCands = make([][2]int32, len(s.Frameworks))
	for i := range s.Frameworks {
		fw := &s.Frameworks[i]
		fwCands[i][0] = int32(len(cands))
		if keep[i] && fw.Active {
			for j, role := range fw.Roles {
				if role == "" || slices.Contains(fw.Roles[:j], role) || slices.Contains(fw.Suppressed, role) {
					continue
				}
				c := candidate{fw: int32(i), role: role, gpu: fw.GPUResources}
				c.mins, c.hasMins = fw.MinAllocatable[role]
				leaf := t.add(own[role], fw.ID, DefaultWeight, int32(len(cands)))
				if r, ok := fw.Allocated[role]; ok {
					ks.add(t.vec(leaf), &r)
				}
				cands = append(cands, c)
			}
		}
		fwCands[i][1] = int32(len(cands))
	}

	// Role nodes pass their allocations up; candidate leaves do not, as
	// their role already counts them.
	t.finish(func(n int32) bool { return int(n) < roleNodes })
	return t, cands, fwCands
}

// trackedRoles returns, sorted, every role some framework subscribes to or
// holds resources in: Mesos tracks a framework under both. The empty string
// is not a role (the master rejects it at SUBSCRIBE) and is left out.
func trackedRoles(s *Snapshot, keep []bool) []string {
	set := map[string]bool{}
	for i := range s.Frameworks {
		if !keep[i] {
			continue
		}
		for _, role := range s.Frameworks[i].Roles {
			set[role] = true
		}
		for role, r := range s.Frameworks[i].Allocated {
			if !r.IsEmpty() {
				set[role] = true
			}
		}
	}
	delete(set, "")
	roles := make([]string, 0, len(set))
	for role := range set {
		roles = append(roles, role)
	}
	slices.Sort(roles) // node creation order must not depend on map order
	return roles
}

// addRoles adds the path nodes of roles (sorted) and returns, per role, the
// node its frameworks hang below.
//
// A role "a/b" needs a node for "a" too, even if "a" has no frameworks,
// because weights apply at every level. A role that has both frameworks and
// sub-roles keeps its frameworks below a virtual leaf "." of weight 1, which
// competes with the sub-roles, as in Mesos' DRF sorter.
func (t *tree) addRoles(roles []string, weights map[string]float64) map[string]int32 {
	paths := map[string]int32{"": root}
	for _, role := range roles {
		parent := int32(root)
		for i := 0; ; {
			end := len(role)
			if j := strings.IndexByte(role[i:], '/'); j >= 0 {
				end = i + j
			}
			path := role[:end]
			n, ok := paths[path]
			if !ok {
				n = t.add(parent, role[i:end], weight(weights, path), -1)
				paths[path] = n
			}
			parent = n
			if end == len(role) {
				break
			}
			i = end + 1
		}
	}

	hasChildren := make([]bool, len(t.nodes))
	for _, n := range t.nodes[1:] {
		hasChildren[n.parent] = true
	}
	own := make(map[string]int32, len(roles))
	for _, role := range roles {
		n := paths[role]
		if hasChildren[n] {
			n = t.add(n, ".", DefaultWeight, -1)
		}
		own[role] = n
	}
	return own
}

// weight returns the configured weight of a role path, or DefaultWeight for
// a missing or unusable one.
func weight(weights map[string]float64, path string) float64 {
	w, ok := weights[path]
	if !ok || !(w > 0) || math.IsInf(w, 1) {
		return DefaultWeight
	}
	return w
}
