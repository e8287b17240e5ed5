// Package bench is mesosbox's benchmark harness: each figure is measured
// beside its baseline in the same run, on the same machine, and printed as
// a ratio, because this machine is shared and noisy — absolute times drift,
// ratios hold. `make bench` runs the whole report (BenchmarkReport, one
// table, the built binary's nodes logging to a file); TestSmoke runs it
// small in `make test`; `make bench-micro` runs the Go micro-benchmarks
// that live next to their code.
package bench
