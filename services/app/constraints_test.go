package app

import "testing"

func c(field, op string, value ...string) Constraint {
	k := Constraint{Field: field, Operator: op}
	if len(value) > 0 {
		k.Value = &value[0]
	}
	return k
}

func host(name string, attrs ...string) Placement {
	p := Placement{Hostname: name, Attributes: map[string]string{}}
	for i := 0; i+1 < len(attrs); i += 2 {
		p.Attributes[attrs[i]] = attrs[i+1]
	}
	return p
}

func TestCanPlace(t *testing.T) {
	a1 := host("a1", "rack", "r1", "disk", "ssd")
	a2 := host("a2", "rack", "r2")
	a3 := host("a3", "rack", "r1")
	zoned := Placement{Hostname: "z1", Region: "eu", Zone: "eu-1"}
	cases := []struct {
		name   string
		cs     []Constraint
		agent  Placement
		placed []Placement
		want   bool
	}{
		{"no constraints", nil, a1, nil, true},
		{"unique hostname free", []Constraint{c("hostname", OpUnique)}, a1, []Placement{a2}, true},
		{"unique hostname taken", []Constraint{c("hostname", OpUnique)}, a1, []Placement{a2, a1}, false},
		{"unique @hostname", []Constraint{c("@hostname", OpUnique)}, a1, []Placement{a1}, false},
		{"unique attribute", []Constraint{c("rack", OpUnique)}, a3, []Placement{a1}, false},
		{"unique attribute free", []Constraint{c("rack", OpUnique)}, a2, []Placement{a1}, true},
		{"unique attribute missing on agent", []Constraint{c("disk", OpUnique)}, a2, nil, false},
		{"cluster value", []Constraint{c("rack", OpCluster, "r1")}, a3, nil, true},
		{"cluster other value", []Constraint{c("rack", OpCluster, "r1")}, a2, nil, false},
		{"cluster first placement", []Constraint{c("rack", OpCluster)}, a2, nil, true},
		{"cluster follows first", []Constraint{c("rack", OpCluster)}, a3, []Placement{a1}, true},
		{"cluster elsewhere", []Constraint{c("rack", OpCluster)}, a2, []Placement{a1}, false},
		{"cluster hostname", []Constraint{c("hostname", OpCluster, "a1")}, a1, nil, true},
		{"like hostname", []Constraint{c("hostname", OpLike, "a[0-9]")}, a1, nil, true},
		{"like is a full match", []Constraint{c("hostname", OpLike, "a")}, a1, nil, false},
		{"unlike", []Constraint{c("rack", OpUnlike, "r1")}, a2, nil, true},
		{"unlike matching", []Constraint{c("rack", OpUnlike, "r.*")}, a2, nil, false},
		{"unlike missing attribute", []Constraint{c("disk", OpUnlike, "ssd")}, a2, nil, true},
		{"like missing attribute", []Constraint{c("disk", OpLike, "ssd")}, a2, nil, false},
		{"like bad regex", []Constraint{c("hostname", OpLike, "[")}, a1, nil, false},
		{"like empty", []Constraint{c("hostname", OpLike, "")}, a1, nil, false},
		{"max per under", []Constraint{c("rack", OpMaxPer, "2")}, a3, []Placement{a1}, true},
		{"max per reached", []Constraint{c("rack", OpMaxPer, "2")}, a3, []Placement{a1, a3}, false},
		{"max per hostname", []Constraint{c("hostname", OpMaxPer, "1")}, a1, []Placement{a1}, false},
		{"max per bad value", []Constraint{c("hostname", OpMaxPer, "x")}, a1, nil, false},
		{"is", []Constraint{c("rack", OpIs, "r2")}, a2, nil, true},
		{"is not", []Constraint{c("rack", OpIs, "r2")}, a1, nil, false},
		{"region", []Constraint{c("@region", OpIs, "eu")}, zoned, nil, true},
		{"zone unique", []Constraint{c("@zone", OpUnique)}, zoned, []Placement{{Hostname: "z2", Zone: "eu-1"}}, false},
		{"zone missing", []Constraint{c("@zone", OpIs, "eu-1")}, a1, nil, false},
		{"all must hold", []Constraint{c("hostname", OpUnique), c("rack", OpIs, "r1")}, a2, nil, false},
		{"unknown operator", []Constraint{c("rack", "IN", "r1")}, a1, nil, false},
	}
	for _, tc := range cases {
		if got := CanPlace(tc.cs, tc.agent, tc.placed); got != tc.want {
			t.Errorf("%s: CanPlace = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCanPlaceGroupBy(t *testing.T) {
	r1, r2, r3 := host("h1", "rack", "r1"), host("h2", "rack", "r2"), host("h3", "rack", "r3")
	groupBy := []Constraint{c("rack", OpGroupBy)}
	groupBy3 := []Constraint{c("rack", OpGroupBy, "3")}
	cases := []struct {
		name   string
		cs     []Constraint
		agent  Placement
		placed []Placement
		want   bool
	}{
		{"first task", groupBy, r1, nil, true},
		{"new value", groupBy, r2, []Placement{r1}, true},
		{"bigger group", groupBy, r1, []Placement{r1, r1, r2}, false},
		{"smallest group", groupBy, r2, []Placement{r1, r1, r2}, true},
		{"even groups", groupBy, r1, []Placement{r1, r2}, true},
		{"not enough groups yet", groupBy3, r1, []Placement{r1, r2}, false},
		{"third group", groupBy3, r3, []Placement{r1, r2}, true},
		{"enough groups", groupBy3, r1, []Placement{r1, r2, r3}, true},
		{"inf never has enough groups", []Constraint{c("rack", OpGroupBy, "inf")}, r1, []Placement{r1, r2}, false},
		{"placed tasks without the attribute form a group", groupBy, r1, []Placement{r1, host("x")}, true},
		{"hostname", []Constraint{c("hostname", OpGroupBy)}, r1, []Placement{r1, r2}, true},
	}
	for _, tc := range cases {
		if got := CanPlace(tc.cs, tc.agent, tc.placed); got != tc.want {
			t.Errorf("%s: CanPlace = %v, want %v", tc.name, got, tc.want)
		}
	}
}
