package resources

import (
	"math"
	"strconv"
)

// Scalar is a scalar resource quantity in Mesos' fixed-point form: an integer
// number of thousandths. Mesos converts every scalar to this form before doing
// arithmetic (src/common/values.cpp), which is why 0.1+0.2 cpus is exactly 0.3
// there; storing the fixed-point integer directly gives the same results
// without converting back and forth.
type Scalar int64

// MaxScalar is the largest quantity Parse accepts for one resource name
// (10^12 units: an exabyte of mem or disk in MB). Keeping values well below
// 2^53 thousandths means every Scalar converts to float64 and back exactly.
const MaxScalar Scalar = 1_000_000_000_000_000

// scalarUnit is the number of Scalar steps in one unit.
const scalarUnit = 1000

// ScalarOf converts a float quantity to fixed point, rounding half away from
// zero to three decimals as Mesos does. It is meant for literals and for
// values already validated by the caller: NaN and negative values become 0 and
// values above MaxScalar become MaxScalar.
func ScalarOf(v float64) Scalar {
	switch {
	case math.IsNaN(v) || v <= 0:
		return 0
	case v >= MaxScalar.Float64():
		return MaxScalar
	}
	return Scalar(math.Round(v * scalarUnit))
}

// Float64 returns the quantity as a float, the form used on the wire. As in
// Mesos, the integer and fractional parts are converted separately so the
// result is the float closest to the decimal value (300 gives exactly 0.3).
func (s Scalar) Float64() float64 {
	return float64(s/scalarUnit) + float64(s%scalarUnit)/scalarUnit
}

// String formats the quantity as the shortest exact decimal: "2", "0.5",
// "0.001".
func (s Scalar) String() string {
	neg := s < 0
	u := uint64(s)
	if neg {
		u = -u
	}
	b := make([]byte, 0, 24)
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, u/scalarUnit, 10)
	if frac := u % scalarUnit; frac != 0 {
		digits := []byte{'.', byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
		for digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
		b = append(b, digits...)
	}
	return string(b)
}

// Add returns s+o without wrapping around: sums of many agents' quantities
// saturate at math.MaxInt64 instead of overflowing into negative numbers.
func (s Scalar) Add(o Scalar) Scalar {
	if o > 0 && s > math.MaxInt64-o {
		return math.MaxInt64
	}
	return s + o
}

// Sub returns s-o, clamped at zero as Mesos does for resources. Quantities
// are never negative, so a negative o counts as zero.
func (s Scalar) Sub(o Scalar) Scalar {
	switch {
	case o <= 0:
		return s
	case o >= s:
		return 0
	}
	return s - o
}
