package executor_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
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

// BenchmarkConcurrentLaunch launches 200 process tasks from 200 goroutines
// at once, as an agent does when an app scales up, and reports how long
// until all of them run (the launches' wall time) per task and in total.
//
//	go test -run '^$' -bench ConcurrentLaunch -benchtime 3x ./runtime/executor
func BenchmarkConcurrentLaunch(b *testing.B) {
	const n = 200
	r := newRig(b, executor.ModeProcess)
	e := r.open(b)
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		specs := make([]executor.Spec, n)
		for j := range specs {
			specs[j] = shellSpec(b, fmt.Sprintf("conc-%d-%d", i, j), "exec sleep 100")
			specs[j].CPUs, specs[j].MemMB = 0.01, 16
		}
		tasks := make([]executor.Task, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := time.Now()
		for j := range specs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tasks[j], errs[j] = e.Launch(ctx, specs[j])
			}()
		}
		wg.Wait()
		total += time.Since(start)
		b.StopTimer()
		for j, task := range tasks {
			if errs[j] != nil {
				b.Fatal(errs[j])
			}
			if err := task.Kill(ctx, 0); err != nil {
				b.Fatal(err)
			}
		}
		for _, task := range tasks {
			wait(b, task)
			if err := task.Remove(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-all-running")
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "tasks/s")
}
