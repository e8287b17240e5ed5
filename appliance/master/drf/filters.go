package drf

import "github.com/mesosbox/mesosbox/appliance/master/resources"

// filterIndex holds the unexpired filters grouped by agent and, within an
// agent, by candidate, so that allocating an agent only looks at its own
// filters and checking a candidate only at that candidate's.
type filterIndex struct {
	filters []Filter
	refs    []filterRef
	// start[a] is where agent a's filters begin in refs; they end at
	// start[a+1]. nil when there are no filters.
	start []int32
}

type filterRef struct {
	cand   int32
	filter int32 // index in filters
}

// indexFilters resolves s.Filters, dropping expired ones and those naming
// an unknown agent or a (framework, role) that is not a candidate. It is a
// counting sort by agent, linear in agents plus filters.
func indexFilters(s *Snapshot, agents *agentTable, frameworks map[string]int32, cands []candidate, fwCands [][2]int32) filterIndex {
	type resolved struct{ agent, cand, filter int32 }
	found := make([]resolved, 0, len(s.Filters))
	for i := range s.Filters {
		f := &s.Filters[i]
		if !s.Now.Before(f.Expires) {
			continue
		}
		fw, ok := frameworks[f.FrameworkID]
		if !ok {
			continue
		}
		c := fwCands[fw][0]
		for c < fwCands[fw][1] && cands[c].role != f.Role {
			c++
		}
		if c == fwCands[fw][1] {
			continue
		}
		if a, ok := agents.lookup(f.AgentID); ok {
			found = append(found, resolved{a, c, int32(i)})
		}
	}
	fi := filterIndex{filters: s.Filters}
	if len(found) == 0 {
		return fi
	}
	fi.start = make([]int32, len(s.Agents)+1)
	for _, r := range found {
		fi.start[r.agent+1]++
	}
	for a := range s.Agents {
		fi.start[a+1] += fi.start[a]
	}
	fi.refs = make([]filterRef, len(found))
	next := append([]int32(nil), fi.start[:len(s.Agents)]...)
	for _, r := range found {
		fi.refs[next[r.agent]] = filterRef{r.cand, r.filter}
		next[r.agent]++
	}
	// Group each agent's filters by candidate. Buckets are tiny, and the
	// filter index keeps the order deterministic.
	for a := range s.Agents {
		b := fi.refs[fi.start[a]:fi.start[a+1]]
		for i := 1; i < len(b); i++ {
			for j := i; j > 0 && (b[j].cand < b[j-1].cand || b[j].cand == b[j-1].cand && b[j].filter < b[j-1].filter); j-- {
				b[j], b[j-1] = b[j-1], b[j]
			}
		}
	}
	return fi
}

// stamp marks the candidates that have filters on agent a, allocated with
// the given stamp, and where their filters start.
func (fi *filterIndex) stamp(a, stamp int32, cands []candidate) {
	if fi.start == nil {
		return
	}
	for i := fi.start[a]; i < fi.start[a+1]; i++ {
		c := &cands[fi.refs[i].cand]
		if c.stamp != stamp {
			c.stamp, c.filterAt = stamp, i
		}
	}
}

// filtered reports whether a filter of candidate ci, stamped for agent a,
// hides an offer of available. As in Mesos' RefusedOfferFilter, a filter
// applies when the offer is within the refused resources.
func (fi *filterIndex) filtered(c *candidate, ci, a int32, available *resources.Resources) bool {
	for i := c.filterAt; i < fi.start[a+1] && fi.refs[i].cand == ci; i++ {
		if r := &fi.filters[fi.refs[i].filter].Refused; r.IsEmpty() || r.Contains(*available) {
			return true
		}
	}
	return false
}
