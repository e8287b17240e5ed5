package resources

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

func mustParse(t testing.TB, s string) Resources {
	t.Helper()
	r, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return r
}

func TestArithmetic(t *testing.T) {
	agent := mustParse(t, "cpus:4;mem:8192;disk:1000;ports:[31000-31999];bw:100")
	task := mustParse(t, "cpus:0.1;mem:128;ports:[31000-31001];bw:10")

	left := agent.Sub(task)
	if want := mustParse(t, "cpus:3.9;mem:8064;disk:1000;ports:[31002-31999];bw:90"); !left.Equal(want) {
		t.Fatalf("Sub = %v, want %v", left, want)
	}
	if back := left.Add(task); !back.Equal(agent) {
		t.Fatalf("Add(Sub) = %v, want %v", back, agent)
	}
	if !agent.Contains(task) || task.Contains(agent) || left.Contains(task) {
		t.Fatalf("Contains is wrong")
	}
	// Sub never goes negative; o.Sub(r) is the shortfall.
	big := mustParse(t, "cpus:5;mem:1;ports:[30000-30000]")
	if got, want := agent.Sub(big), mustParse(t, "mem:8191;disk:1000;ports:[31000-31999];bw:100"); !got.Equal(want) {
		t.Fatalf("clamped Sub = %v, want %v", got, want)
	}
	if got, want := big.Sub(agent), mustParse(t, "cpus:1;ports:[30000-30000]"); !got.Equal(want) {
		t.Fatalf("shortfall = %v, want %v", got, want)
	}
	// Removing a custom scalar entirely drops it.
	if got := task.Sub(task); !got.IsEmpty() || !got.Equal(Resources{}) {
		t.Fatalf("x - x = %v, want empty", got)
	}
}

func TestIsEmpty(t *testing.T) {
	for s, want := range map[string]bool{
		"":                true,
		"cpus:0":          true,
		"cpus:0.0001":     true, // rounds to zero
		"ports:[]":        true,
		"cpus:0.001":      false,
		"ports:[1-1]":     false,
		"custom:1":        false,
		"gpus:1;cpus:0.0": false,
	} {
		if got := mustParse(t, s).IsEmpty(); got != want {
			t.Errorf("Parse(%q).IsEmpty() = %v, want %v", s, got, want)
		}
	}
}

func TestScalarAccessors(t *testing.T) {
	r := mustParse(t, "cpus:1;zeta:3;alpha:2")
	if r.Scalar(CPUs) != ScalarOf(1) || r.Scalar("alpha") != ScalarOf(2) || r.Scalar("missing") != 0 {
		t.Fatalf("Scalar lookups wrong: %v", r)
	}
	got := maps.Collect(r.Scalars())
	want := map[string]Scalar{CPUs: 1000, "alpha": 2000, "zeta": 3000}
	if !maps.Equal(got, want) {
		t.Fatalf("Scalars = %v, want %v", got, want)
	}
	var order []string
	for name := range r.Scalars() {
		order = append(order, name)
	}
	if !slices.Equal(order, []string{CPUs, "alpha", "zeta"}) {
		t.Fatalf("Scalars order = %v", order)
	}

	r2, err := r.WithScalar("alpha", 0)
	if err != nil || r2.Scalar("alpha") != 0 || r.Scalar("alpha") != ScalarOf(2) {
		t.Fatalf("WithScalar to zero: %v %v (original %v)", r2, err, r)
	}
	if r3, err := r.WithScalar(Mem, ScalarOf(64)); err != nil || r3.Mem != ScalarOf(64) {
		t.Fatalf("WithScalar(mem): %v %v", r3, err)
	}
	for _, tc := range []struct {
		name string
		v    Scalar
	}{{Ports, 1}, {"bad name", 1}, {"", 1}, {"x", -1}, {"x", MaxScalar + 1}} {
		if _, err := r.WithScalar(tc.name, tc.v); err == nil {
			t.Errorf("WithScalar(%q, %d) succeeded", tc.name, tc.v)
		}
	}
}

func TestDominantShare(t *testing.T) {
	total := mustParse(t, "cpus:9;mem:18432;disk:0;ports:[1-100]")
	for _, tc := range []struct {
		r    string
		want float64
	}{
		{"", 0},
		{"cpus:3;mem:12288", 12288.0 / 18432},
		{"cpus:6;mem:2048", 6.0 / 9},
		{"disk:100", 0},                   // total has no disk: not counted
		{"ports:[1-100];cpus:1", 1.0 / 9}, // ports are not weighed
	} {
		if got := mustParse(t, tc.r).DominantShare(total); got != tc.want {
			t.Errorf("DominantShare(%q) = %v, want %v", tc.r, got, tc.want)
		}
	}
}

// TestArithmeticProperties checks algebraic laws on random values.
func TestArithmeticProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func() Resources {
		r := Resources{
			CPUs:  Scalar(rng.Int64N(5000)),
			Mem:   Scalar(rng.Int64N(5)) * 1000,
			GPUs:  Scalar(rng.Int64N(2)) * 1000,
			Ports: NewRanges(Range{rng.Uint64N(50), rng.Uint64N(50)}, Range{rng.Uint64N(50), rng.Uint64N(50)}),
		}
		if rng.IntN(2) == 0 {
			r, _ = r.WithScalar("bw", Scalar(rng.Int64N(3000)))
		}
		return r
	}
	for i := range 3000 {
		a, b := random(), random()
		sum := a.Add(b)
		if !sum.Equal(b.Add(a)) {
			t.Fatalf("case %d: Add not commutative: %v %v", i, a, b)
		}
		if !sum.Contains(a) || !sum.Contains(b) {
			t.Fatalf("case %d: %v + %v = %v does not contain both", i, a, b, sum)
		}
		if !a.Contains(a.Sub(b)) {
			t.Fatalf("case %d: a - b not within a", i)
		}
		if got := a.Contains(b); got != b.Sub(a).IsEmpty() {
			t.Fatalf("case %d: Contains(%v, %v) = %v disagrees with the shortfall %v", i, a, b, got, b.Sub(a))
		}
		if a.Contains(b) && !a.Sub(b).Add(b).Equal(a) {
			t.Fatalf("case %d: (a-b)+b != a for %v, %v", i, a, b)
		}
		if again := mustParse(t, sum.String()); !again.Equal(sum) {
			t.Fatalf("case %d: String round trip %q gave %v", i, sum.String(), again)
		}
	}
}

// Sum is what adding one by one gives.
func TestSumIsRepeatedAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		all := make([]Resources, rng.IntN(40))
		var want Resources
		for j := range all {
			all[j] = Resources{CPUs: Scalar(rng.Int64N(5000)), Mem: Scalar(rng.Int64N(3)) * 1000, Disk: Scalar(rng.Int64N(2)),
				Ports: NewRanges(Range{rng.Uint64N(500), rng.Uint64N(500)}, Range{rng.Uint64N(500), rng.Uint64N(500)})}
			if rng.IntN(4) == 0 {
				all[j], _ = all[j].WithScalar([]string{"bw", "iops"}[rng.IntN(2)], Scalar(rng.Int64N(3000)))
			}
			if j == 0 && rng.IntN(5) == 0 {
				all[j].CPUs = MaxScalar * 9000 // saturates
			}
			want = want.Add(all[j])
		}
		if got := Sum(slices.Values(all)); !got.Equal(want) || len(got.Ports) != len(want.Ports) {
			t.Fatalf("case %d: Sum = %v, one by one %v", i, got, want)
		}
	}
}
