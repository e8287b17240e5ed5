package resources

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNewRanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Range
		want Ranges
	}{
		{"empty", nil, nil},
		{"single", []Range{{5, 9}}, Ranges{{5, 9}}},
		{"sorts", []Range{{10, 12}, {1, 2}}, Ranges{{1, 2}, {10, 12}}},
		{"merges overlap", []Range{{1, 5}, {3, 8}}, Ranges{{1, 8}}},
		{"merges adjacent", []Range{{1, 2}, {3, 4}}, Ranges{{1, 4}}},
		{"keeps gap", []Range{{1, 2}, {4, 5}}, Ranges{{1, 2}, {4, 5}}},
		{"contained", []Range{{1, 10}, {2, 3}}, Ranges{{1, 10}}},
		{"drops inverted", []Range{{5, 4}, {1, 1}}, Ranges{{1, 1}}},
		{"max bound", []Range{{math.MaxUint64, math.MaxUint64}, {math.MaxUint64 - 1, math.MaxUint64 - 1}}, Ranges{{math.MaxUint64 - 1, math.MaxUint64}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewRanges(tc.in...); !got.Equal(tc.want) {
				t.Fatalf("NewRanges(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestRangesOperations(t *testing.T) {
	a := NewRanges(Range{31000, 31010}, Range{31020, 31030})
	b := NewRanges(Range{31005, 31025})

	if got, want := a.Add(b), (Ranges{{31000, 31030}}); !got.Equal(want) {
		t.Errorf("Add = %v, want %v", got, want)
	}
	if got, want := a.Sub(b), (Ranges{{31000, 31004}, {31026, 31030}}); !got.Equal(want) {
		t.Errorf("Sub = %v, want %v", got, want)
	}
	if got, want := b.Sub(a), (Ranges{{31011, 31019}}); !got.Equal(want) {
		t.Errorf("Sub = %v, want %v", got, want)
	}
	if a.Contains(b) || !a.Contains(Ranges{{31002, 31003}, {31030, 31030}}) || !a.Contains(nil) {
		t.Errorf("Contains is wrong")
	}
	if got := a.Size(); got != 22 {
		t.Errorf("Size = %d, want 22", got)
	}
	if got := (Ranges{{0, math.MaxUint64}}).Size(); got != math.MaxUint64 {
		t.Errorf("Size of the full range saturates, got %d", got)
	}
	if got, want := a.String(), "[31000-31010, 31020-31030]"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := Ranges(nil).String(); got != "[]" {
		t.Errorf("empty String = %q", got)
	}
	// Inputs are never modified.
	if !a.Equal(Ranges{{31000, 31010}, {31020, 31030}}) || !b.Equal(Ranges{{31005, 31025}}) {
		t.Errorf("inputs modified: %v %v", a, b)
	}
}

func TestRangesTake(t *testing.T) {
	rs := NewRanges(Range{31000, 31001}, Range{31005, 31007})
	got, ok := rs.Take(4)
	if !ok || !slices.Equal(got, []uint64{31000, 31001, 31005, 31006}) {
		t.Fatalf("Take(4) = %v, %v", got, ok)
	}
	if got, ok := rs.Take(0); !ok || len(got) != 0 {
		t.Fatalf("Take(0) = %v, %v", got, ok)
	}
	if _, ok := rs.Take(6); ok {
		t.Fatalf("Take(6) of 5 ports succeeded")
	}
	if _, ok := rs.Take(-1); ok {
		t.Fatalf("Take(-1) succeeded")
	}
	top := Ranges{{math.MaxUint64 - 1, math.MaxUint64}}
	if got, ok := top.Take(2); !ok || !slices.Equal(got, []uint64{math.MaxUint64 - 1, math.MaxUint64}) {
		t.Fatalf("Take at the top of the value space = %v, %v", got, ok)
	}
	taken, _ := rs.Take(3)
	if rest := rs.Sub(RangesOf(taken...)); !rest.Equal(Ranges{{31006, 31007}}) {
		t.Fatalf("rest after Take = %v", rest)
	}
}

// TestRangesModel checks every operation against a bitmap of a small value
// space on random inputs.
func TestRangesModel(t *testing.T) {
	const space = 64
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() (Ranges, uint64) {
		var raw []Range
		for range rng.IntN(5) {
			b := rng.Uint64N(space)
			raw = append(raw, Range{b, min(space-1, b+rng.Uint64N(8))})
		}
		rs := NewRanges(raw...)
		return rs, bits(rs)
	}
	for i := range 5000 {
		a, am := random()
		b, bm := random()
		if !normalized(a) {
			t.Fatalf("case %d: NewRanges not normalized: %v", i, a)
		}
		if got := a.Add(b); !normalized(got) || bits(got) != am|bm {
			t.Fatalf("case %d: %v + %v = %v", i, a, b, got)
		}
		if got := a.Sub(b); !normalized(got) || bits(got) != am&^bm {
			t.Fatalf("case %d: %v - %v = %v", i, a, b, got)
		}
		if got, want := a.Contains(b), bm&^am == 0; got != want {
			t.Fatalf("case %d: %v contains %v = %v", i, a, b, got)
		}
		if got, want := a.Equal(b), am == bm; got != want {
			t.Fatalf("case %d: %v equal %v = %v", i, a, b, got)
		}
		if got, want := a.Size(), uint64(popcount(am)); got != want {
			t.Fatalf("case %d: size(%v) = %d, want %d", i, a, got, want)
		}
	}
}

func bits(rs Ranges) uint64 {
	var m uint64
	for _, r := range rs {
		for v := r.Begin; v <= r.End; v++ {
			m |= 1 << v
		}
	}
	return m
}

func popcount(m uint64) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

func normalized(rs Ranges) bool {
	for i, r := range rs {
		if r.Begin > r.End || (i > 0 && rs[i-1].End+1 >= r.Begin) {
			return false
		}
	}
	return true
}
