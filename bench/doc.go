// Package bench is mesosbox's benchmark harness: each figure is measured
// beside its baseline in the same run, on the same machine, and printed as
// a ratio, because this machine is shared and noisy — absolute times drift,
// ratios hold. `make bench` runs it (BenchmarkReport) and the Go
// micro-benchmarks that live next to their code.
package bench
