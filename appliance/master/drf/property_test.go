package drf

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// gen makes random snapshots that stress every rule: hierarchical roles,
// weights (some invalid), suppression, inactive agents and frameworks,
// duplicates, GPUs, custom scalars, minimums and filters (some expiring
// exactly now).
type gen struct{ rng *rand.Rand }

var rolePool = []string{"*", "a", "b", "a/x", "a/y", "a/x/z", "c/d", "c"}

func (g gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g gen) pick(from []string) string { return from[g.rng.IntN(len(from))] }

func (g gen) resources(maxCPUs int) resources.Resources {
	var r resources.Resources
	if maxCPUs > 0 {
		r.CPUs = resources.Scalar(g.rng.IntN(maxCPUs*4+1)) * 250
	}
	r.Mem = resources.Scalar(g.rng.IntN(9)) * 16_000
	if g.chance(0.3) {
		r.Disk = resources.Scalar(g.rng.IntN(1000)) * 1000
	}
	if g.chance(0.1) {
		r, _ = r.WithScalar("fpgas", resources.Scalar(g.rng.IntN(3))*1000)
	}
	if g.chance(0.5) {
		b := 31000 + g.rng.Uint64N(20)
		r.Ports = resources.NewRanges(resources.Range{Begin: b, End: b + g.rng.Uint64N(5)})
	}
	return r
}

func (g gen) mins() []resources.Resources {
	switch g.rng.IntN(5) {
	case 0:
		return []resources.Resources{}
	case 1:
		return []resources.Resources{{CPUs: 1000}, {Mem: 64_000, Disk: 1000}}
	case 2:
		return []resources.Resources{{CPUs: resources.Scalar(g.rng.IntN(3)) * 500}}
	}
	return nil
}

func (g gen) snapshot() Snapshot {
	s := Snapshot{Now: t0, Seed: g.rng.Uint64()}
	for i := range g.rng.IntN(25) {
		a := Agent{ID: fmt.Sprintf("a%d", i), Active: g.chance(0.85)}
		if i > 0 && g.chance(0.05) {
			a.ID = s.Agents[i-1].ID
		}
		a.Total = g.resources(8)
		if g.chance(0.1) {
			a.Total.GPUs = 1000
		}
		switch g.rng.IntN(6) {
		case 0: // nothing free
		case 1: // a sliver, often below the minimum
			a.Available = resources.Resources{CPUs: resources.Scalar(g.rng.IntN(20)), Mem: resources.Scalar(g.rng.IntN(40_000))}
		case 2:
			a.Available = a.Total
		default:
			a.Available = a.Total.Sub(g.resources(4))
		}
		s.Agents = append(s.Agents, a)
	}
	for i := range g.rng.IntN(8) {
		f := Framework{ID: fmt.Sprintf("f%d", i), Active: g.chance(0.85), GPUResources: g.chance(0.3)}
		if i > 0 && g.chance(0.05) {
			f.ID = s.Frameworks[i-1].ID
		}
		for range 1 + g.rng.IntN(3) {
			f.Roles = append(f.Roles, g.pick(rolePool))
		}
		for _, role := range f.Roles {
			if g.chance(0.15) {
				f.Suppressed = append(f.Suppressed, role)
			}
		}
		for range g.rng.IntN(3) {
			if f.Allocated == nil {
				f.Allocated = map[string]resources.Resources{}
			}
			f.Allocated[g.pick(rolePool)] = g.resources(6)
		}
		if g.chance(0.1) {
			f.MinAllocatable = map[string][]resources.Resources{g.pick(f.Roles): g.mins()}
		}
		s.Frameworks = append(s.Frameworks, f)
	}
	if g.chance(0.6) {
		s.Weights = map[string]float64{}
		for range 1 + g.rng.IntN(4) {
			s.Weights[g.pick(rolePool)] = []float64{0.5, 1, 2, 3, 0, -1}[g.rng.IntN(6)]
		}
	}
	s.MinAllocatable = g.mins()
	for range g.rng.IntN(12) {
		if len(s.Agents) == 0 || len(s.Frameworks) == 0 {
			break
		}
		a := s.Agents[g.rng.IntN(len(s.Agents))]
		f := Filter{
			FrameworkID: s.Frameworks[g.rng.IntN(len(s.Frameworks))].ID,
			Role:        g.pick(rolePool),
			AgentID:     a.ID,
			Expires:     t0.Add(time.Duration(g.rng.IntN(3)-1) * time.Second),
		}
		switch g.rng.IntN(4) {
		case 0:
			f.Refused = a.Available
		case 1:
			f.Refused = a.Total
		case 2:
			f.Refused = a.Available.Sub(resources.Resources{CPUs: 250})
		}
		if g.chance(0.05) {
			f.AgentID = "unknown"
		}
		s.Filters = append(s.Filters, f)
	}
	return s
}

const propertyCases = 4000

// TestAllocateMatchesReference compares Allocate with the slow model on
// random snapshots.
func TestAllocateMatchesReference(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(7, 11))}
	for i := range propertyCases {
		s := g.snapshot()
		got, want := Allocate(s), reference(s)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: Allocate differs from the reference\n got: %s\nwant: %s\nsnapshot: %+v",
				i, describe(got), describe(want), s)
		}
	}
}

// TestAllocateInvariants checks the allocator's guarantees directly on
// random snapshots, replaying the offers in order.
func TestAllocateInvariants(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(13, 17))}
	offered := 0
	for i := range propertyCases {
		s := g.snapshot()
		offers := Allocate(s)
		offered += len(offers)
		if err := checkInvariants(&s, offers); err != nil {
			t.Fatalf("case %d: %v\noffers: %s\nsnapshot: %+v", i, err, describe(offers), s)
		}
	}
	if offered < propertyCases {
		t.Fatalf("only %d offers in %d cases: the generator is too restrictive", offered, propertyCases)
	}
}

// TestAllocateIgnoresInputOrder checks that the order of agents, frameworks
// and filters in the snapshot does not matter, so a master may build it by
// ranging over maps. (With duplicate IDs the first one wins, so order then
// matters by design; those snapshots are skipped.)
func TestAllocateIgnoresInputOrder(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(19, 23))}
	for i := range propertyCases {
		s := g.snapshot()
		if hasDuplicates(s) {
			continue
		}
		p := s
		p.Agents = slices.Clone(s.Agents)
		p.Frameworks = slices.Clone(s.Frameworks)
		p.Filters = slices.Clone(s.Filters)
		g.rng.Shuffle(len(p.Agents), func(i, j int) { p.Agents[i], p.Agents[j] = p.Agents[j], p.Agents[i] })
		g.rng.Shuffle(len(p.Frameworks), func(i, j int) { p.Frameworks[i], p.Frameworks[j] = p.Frameworks[j], p.Frameworks[i] })
		g.rng.Shuffle(len(p.Filters), func(i, j int) { p.Filters[i], p.Filters[j] = p.Filters[j], p.Filters[i] })
		if got, want := Allocate(p), Allocate(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: shuffling the snapshot changed the offers\n got: %s\nwant: %s", i, describe(got), describe(want))
		}
	}
}

func hasDuplicates(s Snapshot) bool {
	agents, frameworks := map[string]bool{}, map[string]bool{}
	for _, a := range s.Agents {
		if agents[a.ID] {
			return true
		}
		agents[a.ID] = true
	}
	for _, f := range s.Frameworks {
		if frameworks[f.ID] {
			return true
		}
		frameworks[f.ID] = true
	}
	return false
}

// checkInvariants verifies, offer by offer:
//   - no agent is offered twice, and an offer holds exactly the agent's
//     available resources (so never more than is available);
//   - the agent is active, the framework active, subscribed to the role and
//     not suppressed in it, no unexpired filter covers the offer, the offer
//     meets the minimum and the GPU rule;
//   - at every level of the role tree, the branch taken has the lowest
//     (weighted share, name) among the branches that hold an eligible
//     candidate at that moment, and the framework has the lowest (share, ID)
//     among the eligible ones of its role;
//   - an agent left without an offer had no eligible candidate.
func checkInvariants(s *Snapshot, offers []Offer) error {
	m := newModel(s)
	byAgent := map[string]Offer{}
	for _, o := range offers {
		if _, dup := byAgent[o.AgentID]; dup {
			return fmt.Errorf("agent %s offered twice", o.AgentID)
		}
		byAgent[o.AgentID] = o
	}
	next := 0
	for _, a := range m.walk() {
		var eligible []pair
		for _, p := range m.ordered() {
			if m.eligible(p, a) {
				eligible = append(eligible, p)
			}
		}
		o, ok := byAgent[a.ID]
		if !ok {
			if len(eligible) > 0 {
				return fmt.Errorf("agent %s not offered although %v could take it", a.ID, eligible)
			}
			continue
		}
		if next >= len(offers) || offers[next].AgentID != a.ID {
			return fmt.Errorf("offer for %s out of walk order", a.ID)
		}
		next++
		if !o.Resources.Equal(a.Available) {
			return fmt.Errorf("offer for %s holds %v, available is %v", a.ID, o.Resources, a.Available)
		}
		f, ok := m.frameworks[o.FrameworkID]
		switch {
		case !ok || !f.Active:
			return fmt.Errorf("offer to unknown or inactive framework %s", o.FrameworkID)
		case !slices.Contains(f.Roles, o.Role) || slices.Contains(f.Suppressed, o.Role):
			return fmt.Errorf("offer to %s in role %q it does not want", o.FrameworkID, o.Role)
		}
		chosen := pair{o.FrameworkID, o.Role}
		if !m.eligible(chosen, a) {
			return fmt.Errorf("offer of %s to %v breaks a filter, the minimum or the GPU rule", a.ID, chosen)
		}
		if err := m.checkMinimal(chosen, eligible); err != nil {
			return fmt.Errorf("agent %s: %w", a.ID, err)
		}
		m.grant(chosen, a)
	}
	if next != len(offers) {
		return fmt.Errorf("%d offers for agents that are not to be offered", len(offers)-next)
	}
	return nil
}

// checkMinimal verifies that chosen has the lowest key at every level among
// the eligible candidates.
func (m *model) checkMinimal(chosen pair, eligible []pair) error {
	// branch returns the child of path that leads to candidate p.
	branch := func(path string, p pair) string {
		if p.role == path {
			return "."
		}
		rest := p.role
		if path != "" {
			rest = strings.TrimPrefix(p.role, path+"/")
		}
		next, _, _ := strings.Cut(rest, "/")
		return next
	}
	type key struct {
		share float64
		name  string
	}
	less := func(a, b key) bool { return a.share < b.share || (a.share == b.share && a.name < b.name) }

	path := ""
	for path != chosen.role {
		if len(m.children(path)) == 0 {
			break // a leaf role: path is the chosen role
		}
		c := branch(path, chosen)
		mine := key{m.nodeShare(path, c), c}
		for _, p := range eligible {
			if pc := branch(path, p); pc != c && (strings.HasPrefix(p.role, path) || path == "") {
				if other := (key{m.nodeShare(path, pc), pc}); less(other, mine) {
					return fmt.Errorf("%v chosen at %q, but eligible %v is under %q with lower share %v < %v",
						chosen, path, p, pc, other.share, mine.share)
				}
			}
		}
		if c == "." {
			break
		}
		path = join(path, c)
		eligible = slices.DeleteFunc(slices.Clone(eligible), func(p pair) bool {
			return p.role != path && !strings.HasPrefix(p.role, path+"/")
		})
	}
	mine := key{m.fwAlloc[chosen.fw][chosen.role].DominantShare(m.total), chosen.fw}
	for _, p := range eligible {
		if p.role == chosen.role && p.fw != chosen.fw {
			if other := (key{m.fwAlloc[p.fw][p.role].DominantShare(m.total), p.fw}); less(other, mine) {
				return fmt.Errorf("%v chosen, but eligible %v has lower share %v < %v", chosen, p, other.share, mine.share)
			}
		}
	}
	return nil
}

func describe(offers []Offer) string {
	var b strings.Builder
	for _, o := range offers {
		fmt.Fprintf(&b, "[%s/%s@%s %v] ", o.FrameworkID, o.Role, o.AgentID, o.Resources)
	}
	return b.String()
}
