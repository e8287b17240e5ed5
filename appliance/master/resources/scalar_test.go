package resources

import (
	"math"
	"testing"
)

func TestScalarFixedPoint(t *testing.T) {
	// The reason for fixed point: 0.1+0.2 != 0.3 in float64.
	sum := ScalarOf(0.1).Add(ScalarOf(0.2))
	if sum != ScalarOf(0.3) || sum.Float64() != 0.3 {
		t.Fatalf("0.1+0.2 = %v (%v), want exactly 0.3", sum, sum.Float64())
	}

	// Adding and removing 0.1 a thousand times must not drift.
	var s Scalar
	for range 1000 {
		s = s.Add(ScalarOf(0.1))
	}
	for range 999 {
		s = s.Sub(ScalarOf(0.1))
	}
	if s != ScalarOf(0.1) {
		t.Fatalf("after 1000 adds and 999 subtractions of 0.1: %v", s)
	}
}

func TestScalarOf(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want Scalar
	}{
		{0, 0},
		{1, 1000},
		{0.1, 100},
		{0.0004, 0},
		{0.0005, 1}, // half away from zero, as llround in Mesos
		{2.0015, 2002},
		{4096, 4_096_000},
		{-1, 0},
		{math.NaN(), 0},
		{math.Inf(1), MaxScalar},
		{1e13, MaxScalar},
	} {
		if got := ScalarOf(tc.in); got != tc.want {
			t.Errorf("ScalarOf(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestScalarString(t *testing.T) {
	for _, tc := range []struct {
		in   Scalar
		want string
	}{
		{0, "0"},
		{1000, "1"},
		{1500, "1.5"},
		{1, "0.001"},
		{10, "0.01"},
		{300, "0.3"},
		{4_096_000, "4096"},
		{MaxScalar, "1000000000000"},
		{-1500, "-1.5"},
		{math.MinInt64, "-9223372036854775.808"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Scalar(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
		}
	}
}

func TestScalarFloat64(t *testing.T) {
	for _, tc := range []struct {
		in   Scalar
		want float64
	}{
		{300, 0.3},
		{1, 0.001},
		{123_456, 123.456},
		{MaxScalar, 1e12},
	} {
		if got := tc.in.Float64(); got != tc.want {
			t.Errorf("Scalar(%d).Float64() = %v, want %v", int64(tc.in), got, tc.want)
		}
	}
	// Every quantity up to MaxScalar survives the float round trip.
	for _, s := range []Scalar{1, 999, 1001, 123_456_789, MaxScalar - 1, MaxScalar} {
		if got := ScalarOf(s.Float64()); got != s {
			t.Errorf("ScalarOf(%d.Float64()) = %d", int64(s), int64(got))
		}
	}
}

func TestScalarSaturation(t *testing.T) {
	if got := Scalar(math.MaxInt64 - 1).Add(5); got != math.MaxInt64 {
		t.Errorf("Add does not saturate: got %d", int64(got))
	}
	if got := Scalar(5).Sub(7); got != 0 {
		t.Errorf("5 - 7 = %d, want 0", int64(got))
	}
	if got := Scalar(5).Sub(-7); got != 5 {
		t.Errorf("5 - (-7) = %d, want 5 (negative counts as zero)", int64(got))
	}
}
