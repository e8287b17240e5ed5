package executor_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// BenchmarkLaunch measures Launch, which returns once the task's process
// runs: the latency from an agent's launch to a running task. Besides
// ns/op it reports the median, which one slow launch does not skew.
//
//	go test -run '^$' -bench Launch -benchtime 10x ./runtime/executor
func BenchmarkLaunch(b *testing.B) {
	for _, c := range []struct {
		name, mode, image string
	}{
		{"process", executor.ModeProcess, ""},
		{"containerd-command", executor.ModeContainerd, ""},
		{"containerd-image", executor.ModeContainerd, "busybox"},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := newRig(b, c.mode)
			if c.image != "" {
				r.withBusybox(b)
			}
			e := r.open(b)
			ctx := context.Background()
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := shellSpec(b, fmt.Sprintf("bench-%d", i), "exec sleep 100")
				s.Image, s.CPUs, s.MemMB = c.image, 1, 64
				start := time.Now()
				task, err := e.Launch(ctx, s)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := task.Kill(ctx, 0); err != nil {
					b.Fatal(err)
				}
				wait(b, task)
				if err := task.Remove(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "median-ms")
		})
	}
}
