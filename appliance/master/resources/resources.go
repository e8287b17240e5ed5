package resources

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Names of the standard resources.
const (
	CPUs  = "cpus"
	Mem   = "mem" // MB
	Disk  = "disk"
	GPUs  = "gpus"
	Ports = "ports"
)

// Resources is a bundle of unreserved resources: the standard scalars as
// fields, any other scalars (custom agent resources such as "bandwidth")
// kept aside, and the ports set. The zero value is empty and ready to use.
//
// Quantities are never negative. Compare values with Equal, not ==.
type Resources struct {
	CPUs  Scalar
	Mem   Scalar // MB
	Disk  Scalar // MB
	GPUs  Scalar
	Ports Ranges

	// other holds the non-standard scalars, sorted by name, without zeros.
	other []namedScalar
}

type namedScalar struct {
	name  string
	value Scalar
}

// IsEmpty reports whether r holds nothing.
func (r Resources) IsEmpty() bool {
	return r.CPUs <= 0 && r.Mem <= 0 && r.Disk <= 0 && r.GPUs <= 0 &&
		len(r.Ports) == 0 && len(r.other) == 0
}

// Equal reports whether r and o hold the same resources.
func (r Resources) Equal(o Resources) bool {
	return r.CPUs == o.CPUs && r.Mem == o.Mem && r.Disk == o.Disk && r.GPUs == o.GPUs &&
		r.Ports.Equal(o.Ports) && slices.Equal(r.other, o.other)
}

// Add returns r plus o. Scalars saturate instead of overflowing.
func (r Resources) Add(o Resources) Resources {
	return Resources{
		CPUs:  r.CPUs.Add(o.CPUs),
		Mem:   r.Mem.Add(o.Mem),
		Disk:  r.Disk.Add(o.Disk),
		GPUs:  r.GPUs.Add(o.GPUs),
		Ports: r.Ports.Add(o.Ports),
		other: mergeOther(r.other, o.other, Scalar.Add),
	}
}

// Sum returns the sum of all the resources of seq: what adding them one by
// one with Add gives, in one pass. Add copies the ports accumulated so far,
// so a sum over many tasks by Add takes time quadratic in the tasks; Sum
// gathers the ranges and merges them once.
func Sum(seq iter.Seq[Resources]) Resources {
	var total Resources
	var ports []Range
	for r := range seq {
		total.CPUs = total.CPUs.Add(r.CPUs)
		total.Mem = total.Mem.Add(r.Mem)
		total.Disk = total.Disk.Add(r.Disk)
		total.GPUs = total.GPUs.Add(r.GPUs)
		ports = append(ports, r.Ports...)
		if len(r.other) > 0 {
			total.other = mergeOther(total.other, r.other, Scalar.Add)
		}
	}
	total.Ports = NewRanges(ports...)
	return total
}

// Sub returns r minus o. Like Mesos, it never goes negative: a scalar that o
// has more of than r becomes zero, and ports of o that r lacks are ignored.
// When that matters, check r.Contains(o) first; o.Sub(r) is what r lacks.
func (r Resources) Sub(o Resources) Resources {
	return Resources{
		CPUs:  r.CPUs.Sub(o.CPUs),
		Mem:   r.Mem.Sub(o.Mem),
		Disk:  r.Disk.Sub(o.Disk),
		GPUs:  r.GPUs.Sub(o.GPUs),
		Ports: r.Ports.Sub(o.Ports),
		other: mergeOther(r.other, o.other, Scalar.Sub),
	}
}

// Contains reports whether r holds at least everything in o.
func (r Resources) Contains(o Resources) bool {
	if r.CPUs < o.CPUs || r.Mem < o.Mem || r.Disk < o.Disk || r.GPUs < o.GPUs {
		return false
	}
	for _, s := range o.other {
		if r.Scalar(s.name) < s.value {
			return false
		}
	}
	return r.Ports.Contains(o.Ports)
}

// Scalar returns the quantity of the named scalar resource, 0 if absent.
func (r Resources) Scalar(name string) Scalar {
	switch name {
	case CPUs:
		return r.CPUs
	case Mem:
		return r.Mem
	case Disk:
		return r.Disk
	case GPUs:
		return r.GPUs
	}
	i, ok := slices.BinarySearchFunc(r.other, name, compareName)
	if !ok {
		return 0
	}
	return r.other[i].value
}

// WithScalar returns r with the named scalar set to v. It fails for "ports",
// for names Parse would reject, and for values outside [0, MaxScalar].
func (r Resources) WithScalar(name string, v Scalar) (Resources, error) {
	if err := validName(name); err != nil {
		return r, err
	}
	if name == Ports {
		return r, fmt.Errorf("resource %q is a range resource, not a scalar", name)
	}
	if v < 0 || v > MaxScalar {
		return r, fmt.Errorf("resource %q: quantity %s is outside [0, %s]", name, v, MaxScalar)
	}
	switch name {
	case CPUs:
		r.CPUs = v
	case Mem:
		r.Mem = v
	case Disk:
		r.Disk = v
	case GPUs:
		r.GPUs = v
	default:
		r.other = setOther(r.other, name, v)
	}
	return r, nil
}

// Scalars yields the non-zero scalar resources: cpus, mem, disk and gpus
// first, then the others by name.
func (r Resources) Scalars() iter.Seq2[string, Scalar] {
	return func(yield func(string, Scalar) bool) {
		for _, s := range [...]namedScalar{{CPUs, r.CPUs}, {Mem, r.Mem}, {Disk, r.Disk}, {GPUs, r.GPUs}} {
			if s.value > 0 && !yield(s.name, s.value) {
				return
			}
		}
		for _, s := range r.other {
			if s.value > 0 && !yield(s.name, s.value) {
				return
			}
		}
	}
}

// DominantShare returns r's dominant share of total: the largest fraction
// r holds of any scalar resource that total has some of. Ports do not count,
// as in Mesos' DRF sorter, which only weighs scalars.
func (r Resources) DominantShare(total Resources) float64 {
	share := 0.0
	for name, t := range total.Scalars() {
		share = max(share, float64(r.Scalar(name))/float64(t))
	}
	return share
}

func compareName(s namedScalar, name string) int {
	return strings.Compare(s.name, name)
}

// setOther returns a copy of other with name set to v (removed when v is 0).
func setOther(other []namedScalar, name string, v Scalar) []namedScalar {
	i, ok := slices.BinarySearchFunc(other, name, compareName)
	out := slices.Clone(other)
	switch {
	case ok && v == 0:
		out = slices.Delete(out, i, i+1)
	case ok:
		out[i].value = v
	case v != 0:
		out = slices.Insert(out, i, namedScalar{name, v})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mergeOther combines two sorted lists name by name, dropping zero results.
func mergeOther(a, b []namedScalar, op func(x, y Scalar) Scalar) []namedScalar {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make([]namedScalar, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var s namedScalar
		switch {
		case j == len(b) || (i < len(a) && a[i].name < b[j].name):
			s = namedScalar{a[i].name, op(a[i].value, 0)}
			i++
		case i == len(a) || b[j].name < a[i].name:
			s = namedScalar{b[j].name, op(0, b[j].value)}
			j++
		default:
			s = namedScalar{a[i].name, op(a[i].value, b[j].value)}
			i++
			j++
		}
		if s.value > 0 {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
