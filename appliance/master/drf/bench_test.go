package drf

import (
	"fmt"
	"testing"
)

// BenchmarkAllocate measures one allocation cycle.
func BenchmarkAllocate(b *testing.B) {
	for _, nAgents := range []int{100, 1000, 10000} {
		for _, nFrameworks := range []int{10, 100} {
			s := BusySnapshot(nAgents, nFrameworks)
			b.Run(fmt.Sprintf("agents=%d/frameworks=%d", nAgents, nFrameworks), func(b *testing.B) {
				b.ReportAllocs()
				offers := 0
				for b.Loop() {
					offers = len(Allocate(s))
				}
				b.ReportMetric(float64(offers), "offers/op")
			})
		}
	}
}
