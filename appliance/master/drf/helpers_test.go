package drf

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// res parses resources or panics; test inputs are constants.
func res(s string) resources.Resources {
	r, err := resources.Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

// agent returns an active agent with everything available.
func agent(id, total string) Agent {
	r := res(total)
	return Agent{ID: id, Total: r, Available: r, Active: true}
}

// agents returns n identical active agents a0, a1, ...
func agents(n int, total string) []Agent {
	out := make([]Agent, n)
	for i := range out {
		out[i] = agent(fmt.Sprintf("a%d", i), total)
	}
	return out
}

// fw returns an active framework subscribed to roles.
func fw(id string, roles ...string) Framework {
	return Framework{ID: id, Roles: roles, Active: true}
}

// allocated returns fw holding r in role.
func allocated(f Framework, role, r string) Framework {
	m := make(map[string]resources.Resources, len(f.Allocated)+1)
	for k, v := range f.Allocated {
		m[k] = v
	}
	m[role] = res(r)
	f.Allocated = m
	return f
}

// summary renders offers as "framework/role@agent" sorted, for comparisons
// that do not depend on the agent walk order.
func summary(offers []Offer) string {
	out := make([]string, len(offers))
	for i, o := range offers {
		out[i] = o.FrameworkID + "/" + o.Role + "@" + o.AgentID
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// counts returns how many offers each "framework/role" got.
func counts(offers []Offer) map[string]int {
	m := map[string]int{}
	for _, o := range offers {
		m[o.FrameworkID+"/"+o.Role]++
	}
	return m
}

func checkCounts(t *testing.T, offers []Offer, want map[string]int) {
	t.Helper()
	got := counts(offers)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("offers per framework/role = %v, want %v (offers: %s)", got, want, summary(offers))
	}
}
