package drf

import (
	"reflect"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func TestAllocateWholeAgentPerOffer(t *testing.T) {
	s := Snapshot{
		Agents:     agents(3, "cpus:4;mem:4096;ports:[31000-31009]"),
		Frameworks: []Framework{fw("f1", "*")},
	}
	s.Agents[1].Available = res("cpus:1.5;mem:100;ports:[31005-31009]")
	offers := Allocate(s)
	if got, want := summary(offers), "f1/*@a0 f1/*@a1 f1/*@a2"; got != want {
		t.Fatalf("offers = %s, want %s", got, want)
	}
	for _, o := range offers {
		for _, a := range s.Agents {
			if a.ID == o.AgentID && !o.Resources.Equal(a.Available) {
				t.Errorf("offer for %s holds %v, want its available %v", a.ID, o.Resources, a.Available)
			}
		}
	}
}

func TestAllocateSkips(t *testing.T) {
	for name, tc := range map[string]struct {
		s    Snapshot
		want string
	}{
		"no frameworks": {Snapshot{Agents: agents(2, "cpus:1;mem:64")}, ""},
		"no agents":     {Snapshot{Frameworks: []Framework{fw("f", "*")}}, ""},
		"inactive framework": {Snapshot{
			Agents:     agents(1, "cpus:1;mem:64"),
			Frameworks: []Framework{{ID: "f", Roles: []string{"*"}}},
		}, ""},
		"inactive agent": {Snapshot{
			Agents:     []Agent{{ID: "a", Total: res("cpus:1"), Available: res("cpus:1")}, agent("b", "cpus:1")},
			Frameworks: []Framework{fw("f", "*")},
		}, "f/*@b"},
		"nothing available": {Snapshot{
			Agents:     []Agent{{ID: "a", Total: res("cpus:1"), Active: true}},
			Frameworks: []Framework{fw("f", "*")},
		}, ""},
		"no roles": {Snapshot{
			Agents:     agents(1, "cpus:1"),
			Frameworks: []Framework{fw("f")},
		}, ""},
		"empty role name ignored": {Snapshot{
			Agents:     agents(1, "cpus:1"),
			Frameworks: []Framework{fw("f", "")},
		}, ""},
		"suppressed role": {Snapshot{
			Agents:     agents(2, "cpus:1"),
			Frameworks: []Framework{{ID: "f", Roles: []string{"a", "b"}, Suppressed: []string{"a"}, Active: true}},
		}, "f/b@a0 f/b@a1"},
		"all roles suppressed": {Snapshot{
			Agents:     agents(2, "cpus:1"),
			Frameworks: []Framework{{ID: "f", Roles: []string{"a"}, Suppressed: []string{"a"}, Active: true}},
		}, ""},
		"duplicate agent ID": {Snapshot{
			Agents:     []Agent{agent("a", "cpus:1"), agent("a", "cpus:2")},
			Frameworks: []Framework{fw("f", "*")},
		}, "f/*@a"},
		"duplicate framework ID keeps the first": {Snapshot{
			Agents:     agents(1, "cpus:1"),
			Frameworks: []Framework{fw("f", "first"), fw("f", "second")},
		}, "f/first@a0"},
		"duplicate role in a framework": {Snapshot{
			Agents:     agents(2, "cpus:1"),
			Frameworks: []Framework{fw("f", "r", "r")},
		}, "f/r@a0 f/r@a1"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := summary(Allocate(tc.s)); got != tc.want {
				t.Fatalf("offers = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAllocateFrameworksByShare(t *testing.T) {
	// Within a role, the framework with the lowest dominant share goes
	// first; every grant raises its share before the next agent.
	s := Snapshot{
		Agents: agents(4, "cpus:1;mem:1024"),
		Frameworks: []Framework{
			allocated(fw("big", "r"), "r", "cpus:3"),
			allocated(fw("small", "r"), "r", "mem:1024"),
			fw("zero", "r"),
		},
	}
	// Total: 4 cpus, 4096 mem. Shares: big .75, small .25, zero 0.
	// zero gets the first agent (0 → .25) and ties with small; the tie goes
	// to "small" by name (.25 → .5), zero catches up (.5), and the last tie
	// goes to small again. big, at .75, never comes first.
	offers := Allocate(s)
	if got := counts(offers); got["zero/r"] != 2 || got["small/r"] != 2 || got["big/r"] != 0 {
		t.Fatalf("offers = %v", got)
	}
	// The very first offer goes to the framework with the lowest share.
	if offers[0].FrameworkID != "zero" {
		t.Fatalf("first offer went to %s, want zero", offers[0].FrameworkID)
	}
}

func TestAllocateTiesByName(t *testing.T) {
	s := Snapshot{
		Agents:     agents(1, "cpus:1"),
		Frameworks: []Framework{fw("fw-b", "r"), fw("fw-a", "r")},
	}
	if got := summary(Allocate(s)); got != "fw-a/r@a0" {
		t.Fatalf("offers = %s, want the tie to go to fw-a", got)
	}
	s = Snapshot{
		Agents:     agents(1, "cpus:1"),
		Frameworks: []Framework{fw("f1", "role-b"), fw("f2", "role-a")},
	}
	if got := summary(Allocate(s)); got != "f2/role-a@a0" {
		t.Fatalf("offers = %s, want the role tie to go to role-a", got)
	}
}

func TestAllocateWeights(t *testing.T) {
	// Eight equal agents, roles weighted 1 and 3: weighted shares n/8 and
	// n/24 stay level when b holds three times what a holds.
	s := Snapshot{
		Agents:     agents(8, "cpus:1;mem:128"),
		Frameworks: []Framework{fw("fa", "a"), fw("fb", "b")},
		Weights:    map[string]float64{"b": 3},
	}
	checkCounts(t, Allocate(s), map[string]int{"fa/a": 2, "fb/b": 6})

	// Invalid weights fall back to 1.
	s.Weights = map[string]float64{"b": -3, "a": 0}
	checkCounts(t, Allocate(s), map[string]int{"fa/a": 4, "fb/b": 4})
}

func TestAllocateRoleShareCountsAllFrameworks(t *testing.T) {
	// Role "busy" holds half the cluster through a disconnected framework
	// and through a framework that has left the role: its active framework
	// waits behind role "idle".
	s := Snapshot{
		Agents: agents(4, "cpus:1;mem:100"),
		Frameworks: []Framework{
			fw("active-busy", "busy"),
			allocated(Framework{ID: "gone", Roles: []string{"busy"}}, "busy", "cpus:1"),
			allocated(fw("moved", "elsewhere"), "busy", "cpus:1"),
			fw("active-idle", "idle"),
		},
	}
	s.Frameworks[2].Suppressed = []string{"elsewhere"}
	// Total 4 cpus with the busy role at 2/4. idle takes two agents to
	// catch up (2/4), the tie goes to "busy" by name (3/4), then idle again.
	offers := Allocate(s)
	checkCounts(t, offers, map[string]int{"active-idle/idle": 3, "active-busy/busy": 1})
	if offers[0].Role != "idle" || offers[1].Role != "idle" {
		t.Fatalf("first offers should go to the idle role: %+v", offers)
	}
}

func TestAllocateHierarchicalRoles(t *testing.T) {
	// eng/a and eng/b share eng's part; eng as a whole competes with ops.
	s := Snapshot{
		Agents:     agents(4, "cpus:1"),
		Frameworks: []Framework{fw("fa", "eng/a"), fw("fb", "eng/b"), fw("fo", "ops")},
	}
	checkCounts(t, Allocate(s), map[string]int{"fa/eng/a": 1, "fb/eng/b": 1, "fo/ops": 2})

	// A weight on the parent scales the whole subtree.
	s.Agents = agents(8, "cpus:1")
	s.Weights = map[string]float64{"eng": 3}
	checkCounts(t, Allocate(s), map[string]int{"fa/eng/a": 3, "fb/eng/b": 3, "fo/ops": 2})

	// A weight on a child only matters among its siblings.
	s.Weights = map[string]float64{"eng/a": 3}
	checkCounts(t, Allocate(s), map[string]int{"fa/eng/a": 3, "fb/eng/b": 1, "fo/ops": 4})
}

func TestAllocateVirtualLeaf(t *testing.T) {
	// Role "eng" has its own framework and a sub-role: the framework sits
	// under "eng/." (weight 1), which competes with "eng/web" inside eng.
	s := Snapshot{
		Agents:     agents(8, "cpus:1"),
		Frameworks: []Framework{fw("own", "eng"), fw("web", "eng/web"), fw("ops", "ops")},
		Weights:    map[string]float64{"eng": 1, "eng/web": 3},
	}
	// eng and ops split 4/4; inside eng, "." (w 1) and "web" (w 3) split
	// 1/3.
	checkCounts(t, Allocate(s), map[string]int{"own/eng": 1, "web/eng/web": 3, "ops/ops": 4})
}

func TestAllocateFilters(t *testing.T) {
	base := func() Snapshot {
		return Snapshot{
			Agents:     agents(1, "cpus:2;mem:256;ports:[31000-31001]"),
			Frameworks: []Framework{fw("f", "r"), fw("g", "r")},
			Now:        t0,
		}
	}
	filter := func(fwID, role, refused string, expires time.Time) Filter {
		return Filter{FrameworkID: fwID, Role: role, AgentID: "a0", Refused: res(refused), Expires: expires}
	}
	whole := "cpus:2;mem:256;ports:[31000-31001]"
	for name, tc := range map[string]struct {
		filters []Filter
		want    string
	}{
		"none":                    {nil, "f/r@a0"},
		"active filter":           {[]Filter{filter("f", "r", whole, t0.Add(time.Second))}, "g/r@a0"},
		"expires exactly now":     {[]Filter{filter("f", "r", whole, t0)}, "f/r@a0"},
		"expired":                 {[]Filter{filter("f", "r", whole, t0.Add(-time.Second))}, "f/r@a0"},
		"refused more than offer": {[]Filter{filter("f", "r", "cpus:8;mem:1024;ports:[31000-32000]", t0.Add(time.Hour))}, "g/r@a0"},
		"new resources freed":     {[]Filter{filter("f", "r", "cpus:1;mem:256;ports:[31000-31001]", t0.Add(time.Hour))}, "f/r@a0"},
		"new port freed":          {[]Filter{filter("f", "r", "cpus:2;mem:256;ports:[31000-31000]", t0.Add(time.Hour))}, "f/r@a0"},
		"empty refused hides all": {[]Filter{{FrameworkID: "f", Role: "r", AgentID: "a0", Expires: t0.Add(time.Hour)}}, "g/r@a0"},
		"other role":              {[]Filter{filter("f", "other", whole, t0.Add(time.Hour))}, "f/r@a0"},
		"other agent":             {[]Filter{{FrameworkID: "f", Role: "r", AgentID: "zz", Expires: t0.Add(time.Hour)}}, "f/r@a0"},
		"unknown framework":       {[]Filter{filter("nope", "r", whole, t0.Add(time.Hour))}, "f/r@a0"},
		"both filtered":           {[]Filter{filter("f", "r", whole, t0.Add(time.Hour)), filter("g", "r", whole, t0.Add(time.Hour))}, ""},
		"expired and active for the same triple": {[]Filter{
			filter("f", "r", whole, t0.Add(-time.Hour)), filter("f", "r", whole, t0.Add(time.Hour)),
		}, "g/r@a0"},
		"narrow and wide for the same triple": {[]Filter{
			filter("f", "r", "cpus:1", t0.Add(time.Hour)), filter("f", "r", whole, t0.Add(time.Hour)),
		}, "g/r@a0"},
	} {
		t.Run(name, func(t *testing.T) {
			s := base()
			s.Filters = tc.filters
			if got := summary(Allocate(s)); got != tc.want {
				t.Fatalf("offers = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAllocateFilterOnlyHidesItsAgent(t *testing.T) {
	s := Snapshot{
		Agents:     agents(3, "cpus:1"),
		Frameworks: []Framework{fw("f", "r")},
		Filters:    []Filter{{FrameworkID: "f", Role: "r", AgentID: "a1", Expires: t0.Add(time.Second)}},
		Now:        t0,
	}
	if got := summary(Allocate(s)); got != "f/r@a0 f/r@a2" {
		t.Fatalf("offers = %s", got)
	}
}

func TestAllocateMinAllocatable(t *testing.T) {
	tiny := []Agent{
		agent("cpu-only", "cpus:0.01"),
		agent("mem-only", "mem:32"),
		agent("too-small", "cpus:0.009;mem:31;disk:100;ports:[1-100]"),
	}
	for name, tc := range map[string]struct {
		mins []resources.Resources
		fw   Framework
		want string
	}{
		"default: cpus:0.01 or mem:32": {nil, fw("f", "r"), "f/r@cpu-only f/r@mem-only"},
		"disabled":                     {[]resources.Resources{}, fw("f", "r"), "f/r@cpu-only f/r@mem-only f/r@too-small"},
		"all of one alternative": {
			mustMin(t, "cpus:0.01;mem:32|disk:100"), fw("f", "r"), "f/r@too-small",
		},
		"framework override for its role": {
			nil,
			Framework{ID: "f", Roles: []string{"r"}, Active: true, MinAllocatable: map[string][]resources.Resources{"r": mustMin(t, "mem:1")}},
			"f/r@mem-only f/r@too-small",
		},
		"framework override accepting anything": {
			nil,
			Framework{ID: "f", Roles: []string{"r"}, Active: true, MinAllocatable: map[string][]resources.Resources{"r": {}}},
			"f/r@cpu-only f/r@mem-only f/r@too-small",
		},
		"override for another role does not apply": {
			nil,
			Framework{ID: "f", Roles: []string{"r"}, Active: true, MinAllocatable: map[string][]resources.Resources{"x": {}}},
			"f/r@cpu-only f/r@mem-only",
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := Snapshot{Agents: tiny, Frameworks: []Framework{tc.fw}, MinAllocatable: tc.mins}
			if got := summary(Allocate(s)); got != tc.want {
				t.Fatalf("offers = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAllocateMinAllocatablePassesToNextFramework(t *testing.T) {
	// A framework whose own minimum the agent does not meet is skipped; the
	// next framework in DRF order gets the agent.
	picky := Framework{ID: "a-picky", Roles: []string{"r"}, Active: true,
		MinAllocatable: map[string][]resources.Resources{"r": mustMin(t, "cpus:4")}}
	s := Snapshot{Agents: agents(1, "cpus:2;mem:64"), Frameworks: []Framework{picky, fw("b-easy", "r")}}
	if got := summary(Allocate(s)); got != "b-easy/r@a0" {
		t.Fatalf("offers = %s", got)
	}
}

func TestAllocateGPUAgents(t *testing.T) {
	s := Snapshot{
		Agents:     []Agent{agent("gpu", "cpus:8;mem:1024;gpus:1"), agent("plain", "cpus:8;mem:1024")},
		Frameworks: []Framework{fw("a-cpu", "r"), fw("b-cpu", "r")},
	}
	if got := summary(Allocate(s)); got != "a-cpu/r@plain" {
		t.Fatalf("GPU agent offered to a framework without GPU_RESOURCES: %s", got)
	}
	s.Frameworks[1].GPUResources = true
	if got := summary(Allocate(s)); got != "a-cpu/r@plain b-cpu/r@gpu" {
		t.Fatalf("offers = %s", got)
	}
	// An agent whose GPUs are all in use still has GPUs.
	s.Agents[0].Available = res("cpus:8;mem:1024")
	s.Frameworks[1].GPUResources = false
	if got := summary(Allocate(s)); got != "a-cpu/r@plain" {
		t.Fatalf("offers = %s", got)
	}
}

func TestAllocateMultiRoleFramework(t *testing.T) {
	// A MULTI_ROLE framework competes separately in each role; offers name
	// the role they are for.
	s := Snapshot{
		Agents:     agents(4, "cpus:1"),
		Frameworks: []Framework{fw("multi", "x", "y"), fw("other", "x")},
	}
	checkCounts(t, Allocate(s), map[string]int{"multi/x": 1, "other/x": 1, "multi/y": 2})
}

func TestAllocateOtherScalars(t *testing.T) {
	// A custom scalar counts towards dominant shares like any other.
	s := Snapshot{
		Agents: agents(2, "cpus:10;mem:10000;fpgas:2"),
		Frameworks: []Framework{
			allocated(fw("fpga-heavy", "a"), "a", "fpgas:2"), // half of all fpgas
			allocated(fw("cpu-light", "b"), "b", "cpus:5"),   // a quarter of the cpus
		},
	}
	if got := Allocate(s); got[0].FrameworkID != "cpu-light" {
		t.Fatalf("first offer went to %s, want cpu-light", got[0].FrameworkID)
	}
}

func TestAllocateDeterministic(t *testing.T) {
	s := Snapshot{
		Agents:     agents(50, "cpus:1;mem:256"),
		Frameworks: []Framework{fw("f1", "a"), fw("f2", "a"), fw("f3", "b/c")},
		Filters:    []Filter{{FrameworkID: "f1", Role: "a", AgentID: "a7", Expires: t0.Add(time.Second)}},
		Now:        t0,
		Seed:       42,
	}
	before := deepCopy(s)
	first := Allocate(s)
	for range 5 {
		if again := Allocate(s); !reflect.DeepEqual(again, first) {
			t.Fatalf("Allocate is not deterministic")
		}
	}
	if !reflect.DeepEqual(s, before) {
		t.Fatalf("Allocate modified its snapshot")
	}
	// Other seeds walk agents in other orders, so the first agents offered
	// change from cycle to cycle.
	s.Seed = 43
	if other := Allocate(s); other[0].AgentID == first[0].AgentID && other[1].AgentID == first[1].AgentID {
		t.Fatalf("seeds 42 and 43 walked agents in the same order")
	}
}

func deepCopy(s Snapshot) Snapshot {
	c := s
	c.Agents = append([]Agent(nil), s.Agents...)
	c.Frameworks = append([]Framework(nil), s.Frameworks...)
	c.Filters = append([]Filter(nil), s.Filters...)
	return c
}

func mustMin(t *testing.T, s string) []resources.Resources {
	t.Helper()
	m, err := ParseMinAllocatable(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
