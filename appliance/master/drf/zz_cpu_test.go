package drf

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	runtime.LockOSThread()
	for _, na := range []int{100, 1000, 10000} {
		for _, nf := range []int{10, 100} {
			s := benchSnapshot(na, nf)
			n := 2_000_000 / na
			if n > 2000 { n = 2000 }
			best := time.Duration(1 << 62)
			for range 5 {
				runtime.GC()
				start := threadCPU()
				for range n {
					Allocate(s)
				}
				if d := (threadCPU() - start) / time.Duration(n); d < best {
					best = d
				}
			}
			fmt.Printf("agents=%d/frameworks=%d: %v CPU/op (best of 5 x %d)\n", na, nf, best, n)
		}
	}
}
