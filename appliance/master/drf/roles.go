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
	leaf int32 // its node in the tree
	gpu  bool  // GPU_RESOURCES capability

	// mins overrides the global minimum allocatable when hasMins is set.
	mins    []resources.Resources
	hasMins bool

	// stamp and filterAt index the filters of the agent being allocated:
	// when stamp equals that agent's stamp, filterAt is the first of its
	// filters for this candidate.
	stamp    int32
	filterAt int32
}

// buildTree makes the sorting tree and the candidates of frameworks, whose
// duplicates keep marks false.
func buildTree(s *Snapshot, keep []bool, ks *kinds) (*tree, []candidate, [][2]int32) {
	t := newTree(ks)

	// Every role some framework subscribes to or holds resources in is in
	// the tree (Mesos tracks a framework under both kinds of role). The empty
	// string is not a role; the master rejects it at SUBSCRIBE.
	tracked := map[string]bool{}
	for i := range s.Frameworks {
		if !keep[i] {
			continue
		}
		fw := &s.Frameworks[i]
		for _, role := range fw.Roles {
			tracked[role] = role != ""
		}
		for role, r := range fw.Allocated {
			if !r.IsEmpty() && role != "" {
				tracked[role] = true
			}
		}
	}
	roles := make([]string, 0, len(tracked))
	for role, ok := range tracked {
		if ok {
			roles = append(roles, role)
		}
	}
	slices.Sort(roles) // node creation order must not depend on map order

	// Path nodes: a role "a/b" needs "a" too, even if "a" has no frameworks,
	// because weights apply at every level.
	paths := map[string]int32{"": root}
	for _, role := range roles {
		parent := int32(root)
		for i := 0; ; {
			j := strings.IndexByte(role[i:], '/')
			end := len(role)
			if j >= 0 {
				end = i + j
			}
			path := role[:end]
			n, ok := paths[path]
			if !ok {
				n = t.add(parent, role[i:end], weight(s.Weights, path), -1)
				paths[path] = n
			}
			parent = n
			if j < 0 {
				break
			}
			i = end + 1
		}
	}

	// A role's own frameworks hang below its path node, or, when the role
	// also has sub-roles, below a virtual leaf "." of weight 1 that competes
	// with those sub-roles, as in Mesos' DRF sorter.
	hasChildren := make([]bool, len(t.nodes))
	for n := range t.nodes[1:] {
		hasChildren[t.nodes[n+1].parent] = true
	}
	own := make(map[string]int32, len(roles))
	for _, role := range roles {
		n := paths[role]
		if hasChildren[n] {
			n = t.add(n, ".", DefaultWeight, -1)
		}
		own[role] = n
	}
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

	// One leaf per candidate. fwCands records, per framework, the range of
	// its candidates, which filters are matched against.
	var cands []candidate
	fwCands := make([][2]int32, len(s.Frameworks))
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
				c.leaf = t.add(own[role], fw.ID, DefaultWeight, int32(len(cands)))
				if r, ok := fw.Allocated[role]; ok {
					ks.add(t.vec(c.leaf), &r)
				}
				cands = append(cands, c)
			}
		}
		fwCands[i][1] = int32(len(cands))
	}

	t.finish(func(n int32) bool { return int(n) < roleNodes })
	return t, cands, fwCands
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
