package drf

import (
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// model is a slow, direct reading of the allocation rules, written with
// maps and strings and sharing no code with Allocate's indexes. The property
// tests check Allocate against it.
type model struct {
	s          *Snapshot
	agents     map[string]*Agent     // first agent of each ID
	frameworks map[string]*Framework // first framework of each ID
	total      resources.Resources
	roles      []string                                  // tracked roles, sorted
	roleAlloc  map[string]resources.Resources            // role -> all its frameworks' allocations
	fwAlloc    map[string]map[string]resources.Resources // framework -> role -> allocation
}

func newModel(s *Snapshot) *model {
	m := &model{
		s:          s,
		agents:     map[string]*Agent{},
		frameworks: map[string]*Framework{},
		roleAlloc:  map[string]resources.Resources{},
		fwAlloc:    map[string]map[string]resources.Resources{},
	}
	for i := range s.Agents {
		a := &s.Agents[i]
		if _, dup := m.agents[a.ID]; !dup {
			m.agents[a.ID] = a
			m.total = m.total.Add(a.Total)
		}
	}
	tracked := map[string]bool{}
	for i := range s.Frameworks {
		f := &s.Frameworks[i]
		if _, dup := m.frameworks[f.ID]; dup {
			continue
		}
		m.frameworks[f.ID] = f
		m.fwAlloc[f.ID] = map[string]resources.Resources{}
		for _, role := range f.Roles {
			if role != "" {
				tracked[role] = true
			}
		}
		for role, r := range f.Allocated {
			m.fwAlloc[f.ID][role] = r
			if role != "" && !r.IsEmpty() {
				tracked[role] = true
				m.roleAlloc[role] = m.roleAlloc[role].Add(r)
			}
		}
	}
	for role := range tracked {
		m.roles = append(m.roles, role)
	}
	slices.Sort(m.roles)
	return m
}

func (m *model) tracked(role string) bool {
	_, ok := slices.BinarySearch(m.roles, role)
	return ok
}

// subRoles returns the names of the nodes right below path: the next
// segment of every tracked role under it, plus "." when path is itself a
// tracked role with sub-roles.
func (m *model) children(path string) []string {
	set := map[string]bool{}
	prefix := path + "/"
	if path == "" {
		prefix = ""
	}
	for _, role := range m.roles {
		if !strings.HasPrefix(role, prefix) || role == path {
			continue
		}
		next, _, _ := strings.Cut(role[len(prefix):], "/")
		set[next] = true
	}
	if len(set) > 0 && m.tracked(path) {
		set["."] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func join(path, child string) string {
	if path == "" {
		return child
	}
	return path + "/" + child
}

// subtree returns the allocation of every tracked role at or below path.
func (m *model) subtree(path string) resources.Resources {
	var sum resources.Resources
	for _, role := range m.roles {
		if role == path || strings.HasPrefix(role, path+"/") {
			sum = sum.Add(m.roleAlloc[role])
		}
	}
	return sum
}

// nodeShare returns the weighted share of child under path.
func (m *model) nodeShare(path, child string) float64 {
	if child == "." {
		return m.roleAlloc[path].DominantShare(m.total) / DefaultWeight
	}
	p := join(path, child)
	return m.subtree(p).DominantShare(m.total) / weight(m.s.Weights, p)
}

// frameworksOf returns the IDs of the frameworks that are candidates in
// role, in DRF order.
func (m *model) frameworksOf(role string) []string {
	var ids []string
	for id, f := range m.frameworks {
		if f.Active && slices.Contains(f.Roles, role) && !slices.Contains(f.Suppressed, role) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		sa := m.fwAlloc[a][role].DominantShare(m.total)
		sb := m.fwAlloc[b][role].DominantShare(m.total)
		switch {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return ids
}

// pair is a (framework, role) candidate.
type pair struct{ fw, role string }

// ordered lists every candidate in DRF order by sorting the whole tree.
func (m *model) ordered() []pair {
	var out []pair
	var walk func(path string)
	walk = func(path string) {
		children := m.children(path)
		if len(children) == 0 {
			for _, id := range m.frameworksOf(path) {
				out = append(out, pair{id, path})
			}
			return
		}
		slices.SortStableFunc(children, func(a, b string) int {
			sa, sb := m.nodeShare(path, a), m.nodeShare(path, b)
			switch {
			case sa < sb:
				return -1
			case sa > sb:
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, c := range children {
			if c == "." {
				for _, id := range m.frameworksOf(path) {
					out = append(out, pair{id, path})
				}
				continue
			}
			walk(join(path, c))
		}
	}
	walk("")
	return out
}

// eligible applies the per-agent rules to a candidate.
func (m *model) eligible(p pair, a *Agent) bool {
	f := m.frameworks[p.fw]
	if a.Total.GPUs > 0 && !f.GPUResources {
		return false
	}
	mins, ok := f.MinAllocatable[p.role]
	if !ok {
		mins = m.s.MinAllocatable
		if mins == nil {
			mins = DefaultMinAllocatable()
		}
	}
	if a.Available.IsEmpty() {
		return false
	}
	if len(mins) > 0 && !slices.ContainsFunc(mins, a.Available.Contains) {
		return false
	}
	for _, flt := range m.s.Filters {
		if flt.FrameworkID == p.fw && flt.Role == p.role && flt.AgentID == a.ID && m.s.Now.Before(flt.Expires) &&
			(flt.Refused.IsEmpty() || flt.Refused.Contains(a.Available)) {
			return false
		}
	}
	return true
}

// grant records an offer of a's resources to p.
func (m *model) grant(p pair, a *Agent) {
	m.roleAlloc[p.role] = m.roleAlloc[p.role].Add(a.Available)
	m.fwAlloc[p.fw][p.role] = m.fwAlloc[p.fw][p.role].Add(a.Available)
}

// walk returns the agents to allocate in the walk order Allocate uses. The
// order is an input to the rules, not part of them: agentTable is tested on
// its own.
func (m *model) walk() []*Agent {
	var out []*Agent
	tab := newAgentTable(m.s.Agents, m.s.Seed)
	for _, ai := range tab.walk(offerable(tab)) {
		out = append(out, &m.s.Agents[ai])
	}
	return out
}

// reference allocates s the slow way: for each agent it sorts the whole
// tree and takes the first eligible candidate, as Mesos' loop does.
func reference(s Snapshot) []Offer {
	m := newModel(&s)
	var offers []Offer
	for _, a := range m.walk() {
		for _, p := range m.ordered() {
			if m.eligible(p, a) {
				offers = append(offers, Offer{FrameworkID: p.fw, Role: p.role, AgentID: a.ID, Resources: a.Available})
				m.grant(p, a)
				break
			}
		}
	}
	return offers
}
