package drf

import (
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// RoleShare describes a role for /master/roles, GET_ROLES and the allocator
// metrics.
type RoleShare struct {
	Role   string
	Weight float64

	// Frameworks are the IDs of the frameworks subscribed to the role or
	// holding resources in it, sorted.
	Frameworks []string

	// Allocated is what the role's frameworks hold in it: tasks plus
	// outstanding offers. Sub-roles are not included.
	Allocated resources.Resources

	// DominantShare is Allocated's dominant share of the cluster total, as
	// the allocator computes it. The allocator orders sibling roles by
	// DominantShare / Weight (of their whole subtree).
	DominantShare float64
}

// Shares returns every role that has frameworks, allocations or a configured
// weight, sorted by name. It applies the same rules as Allocate: duplicate
// agents and frameworks are ignored, and the cluster total includes inactive
// agents.
func Shares(s Snapshot) []RoleShare {
	fwKeep, _ := dedup(len(s.Frameworks), func(i int) string { return s.Frameworks[i].ID })
	ks := newKinds(s.Agents, newAgentTable(s.Agents, 0).keep)

	byRole := map[string]*RoleShare{}
	get := func(role string) *RoleShare {
		rs, ok := byRole[role]
		if !ok {
			rs = &RoleShare{Role: role, Weight: weight(s.Weights, role)}
			byRole[role] = rs
		}
		return rs
	}
	for role := range s.Weights {
		if role != "" {
			get(role)
		}
	}
	for i := range s.Frameworks {
		fw := &s.Frameworks[i]
		if !fwKeep[i] {
			continue
		}
		for _, role := range fw.Roles {
			if role == "" {
				continue
			}
			rs := get(role)
			if !slices.Contains(rs.Frameworks, fw.ID) {
				rs.Frameworks = append(rs.Frameworks, fw.ID)
			}
		}
		for role, r := range fw.Allocated {
			if r.IsEmpty() || role == "" {
				continue
			}
			rs := get(role)
			rs.Allocated = rs.Allocated.Add(r)
			if !slices.Contains(rs.Frameworks, fw.ID) {
				rs.Frameworks = append(rs.Frameworks, fw.ID)
			}
		}
	}

	out := make([]RoleShare, 0, len(byRole))
	v := make([]int64, ks.len())
	for _, rs := range byRole {
		clear(v)
		ks.add(v, &rs.Allocated)
		rs.DominantShare = ks.share(v)
		slices.Sort(rs.Frameworks)
		out = append(out, *rs)
	}
	slices.SortFunc(out, func(a, b RoleShare) int { return strings.Compare(a.Role, b.Role) })
	return out
}
