package drf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// DefaultMinAllocatableFlag is Mesos' default --min_allocatable_resources.
const DefaultMinAllocatableFlag = "cpus:0.01|mem:32"

// DefaultMinAllocatable returns DefaultMinAllocatableFlag parsed: a slice
// with at least 0.01 cpus, or at least 32 MB of mem, is worth offering.
// Alternatives are ORed so that, for example, a memory-only slice still
// reaches a framework that wants memory.
func DefaultMinAllocatable() []resources.Resources {
	return slices.Clone(defaultMinAllocatable)
}

var defaultMinAllocatable = mustParseMinAllocatable(DefaultMinAllocatableFlag)

// ParseMinAllocatable parses Mesos' --min_allocatable_resources syntax:
// alternatives separated by '|', each a list of scalar quantities in Parse's
// syntax, such as "cpus:1;mem:32|disk:100". The empty string gives an empty,
// non-nil list, which disables the minimum.
func ParseMinAllocatable(s string) ([]resources.Resources, error) {
	out := []resources.Resources{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for alt := range strings.SplitSeq(s, "|") {
		r, err := resources.Parse(alt)
		if err != nil {
			return nil, fmt.Errorf("min allocatable resources %q: %w", s, err)
		}
		if len(r.Ports) > 0 {
			return nil, fmt.Errorf("min allocatable resources %q: only scalar quantities are allowed", s)
		}
		out = append(out, r)
	}
	return out, nil
}

func mustParseMinAllocatable(s string) []resources.Resources {
	r, err := ParseMinAllocatable(s)
	if err != nil {
		panic(err)
	}
	return r
}

// allocatable reports whether available is worth offering under mins, as
// Mesos' HierarchicalAllocatorProcess::allocatable does: it must not be empty
// and must contain at least one of the alternatives, if there are any.
func allocatable(available *resources.Resources, mins []resources.Resources) bool {
	if available.IsEmpty() {
		return false
	}
	if len(mins) == 0 {
		return true
	}
	for _, m := range mins {
		if available.Contains(m) {
			return true
		}
	}
	return false
}
