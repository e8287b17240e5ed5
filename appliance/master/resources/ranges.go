package resources

import (
	"math"
	"slices"
	"strconv"
)

// Range is an inclusive range of values, [Begin, End].
type Range struct {
	Begin, End uint64
}

// Ranges is a set of values stored as ranges sorted by Begin, with no two
// ranges overlapping or touching (Mesos coalesces [1-2] and [3-4] into [1-4],
// and so do we). Every function here returns ranges in that form when given
// ranges in that form; build them with NewRanges or Parse. A Ranges is never
// modified in place, so results may share memory with their inputs.
type Ranges []Range

// NewRanges returns the union of rs as a normalized Ranges. A range whose
// Begin is greater than its End is empty and contributes nothing.
func NewRanges(rs ...Range) Ranges {
	out := make(Ranges, 0, len(rs))
	for _, r := range rs {
		if r.Begin <= r.End {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, func(a, b Range) int {
		switch {
		case a.Begin < b.Begin:
			return -1
		case a.Begin > b.Begin:
			return 1
		}
		return 0
	})
	merged := out[:1]
	for _, r := range out[1:] {
		last := &merged[len(merged)-1]
		if touches(*last, r) {
			last.End = max(last.End, r.End)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// RangesOf returns the set holding exactly the given values.
func RangesOf(values ...uint64) Ranges {
	rs := make([]Range, len(values))
	for i, v := range values {
		rs[i] = Range{v, v}
	}
	return NewRanges(rs...)
}

// touches reports whether b, which does not begin before a, overlaps a or
// starts right after it, so that the two merge into one range.
func touches(a, b Range) bool {
	return a.End == math.MaxUint64 || b.Begin <= a.End+1
}

// Size returns the number of values in the set, saturating at MaxUint64.
func (rs Ranges) Size() uint64 {
	var n uint64
	for _, r := range rs {
		w := r.End - r.Begin
		if w == math.MaxUint64 || n > math.MaxUint64-w-1 {
			return math.MaxUint64
		}
		n += w + 1
	}
	return n
}

// Add returns the union of rs and o.
func (rs Ranges) Add(o Ranges) Ranges {
	switch {
	case len(o) == 0:
		return rs
	case len(rs) == 0:
		return o
	}
	out := make(Ranges, 0, len(rs)+len(o))
	i, j := 0, 0
	for i < len(rs) || j < len(o) {
		var next Range
		if j == len(o) || (i < len(rs) && rs[i].Begin <= o[j].Begin) {
			next = rs[i]
			i++
		} else {
			next = o[j]
			j++
		}
		if n := len(out); n > 0 && touches(out[n-1], next) {
			out[n-1].End = max(out[n-1].End, next.End)
			continue
		}
		out = append(out, next)
	}
	return out
}

// Sub returns the values of rs that are not in o.
func (rs Ranges) Sub(o Ranges) Ranges {
	if len(rs) == 0 || len(o) == 0 {
		return rs
	}
	var out Ranges
	j := 0
	for _, r := range rs {
		// Skip the ranges of o that end before r begins.
		for j < len(o) && o[j].End < r.Begin {
			j++
		}
		cur := r
		k := j
		empty := false
		for ; k < len(o) && o[k].Begin <= cur.End; k++ {
			if o[k].Begin > cur.Begin {
				out = append(out, Range{cur.Begin, o[k].Begin - 1})
			}
			if o[k].End >= cur.End {
				empty = true
				break
			}
			cur.Begin = o[k].End + 1
		}
		if !empty {
			out = append(out, cur)
		}
	}
	return out
}

// Contains reports whether every value of o is in rs.
func (rs Ranges) Contains(o Ranges) bool {
	i := 0
	for _, r := range o {
		// rs is coalesced, so r must lie inside a single range of rs.
		for i < len(rs) && rs[i].End < r.Begin {
			i++
		}
		if i == len(rs) || rs[i].Begin > r.Begin || rs[i].End < r.End {
			return false
		}
	}
	return true
}

// Equal reports whether rs and o hold the same values.
func (rs Ranges) Equal(o Ranges) bool {
	return slices.Equal(rs, o)
}

// Take returns the n lowest values of rs in ascending order, or false when rs
// holds fewer than n values. Marathon uses it to pick host ports from an
// offer; taking the lowest values keeps the choice deterministic.
func (rs Ranges) Take(n int) ([]uint64, bool) {
	if n < 0 || uint64(n) > rs.Size() {
		return nil, false
	}
	out := make([]uint64, 0, n)
	for _, r := range rs {
		for v := r.Begin; len(out) < n; v++ {
			out = append(out, v)
			if v == r.End {
				break
			}
		}
		if len(out) == n {
			break
		}
	}
	return out, true
}

// String formats the set as Mesos does, "[31000-31005, 31010-31010]"; that is
// also the v0 JSON form of ports. An empty set is "[]".
func (rs Ranges) String() string {
	b := make([]byte, 0, 2+len(rs)*14)
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendUint(b, r.Begin, 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, r.End, 10)
	}
	return string(append(b, ']'))
}
