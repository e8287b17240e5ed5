package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// sample is the latencies of one measured operation.
type sample struct {
	name string
	lat  []time.Duration
}

func (s sample) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), s.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	i := int(p * float64(len(l)-1))
	return l[i]
}

func (s sample) median() time.Duration { return s.pct(0.5) }
func (s sample) p99() time.Duration    { return s.pct(0.99) }

// row is a figure and the floor it is compared with.
type row struct {
	what           string
	subject, floor sample
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "\n%-44s %6s %11s %11s   %-34s %11s %11s %7s\n", "measured (mesosbox)", "n", "median", "p99", "baseline (same run)", "median", "p99", "ratio")
	fmt.Fprintln(w, strings.Repeat("-", 145))
	for _, r := range rows {
		ratio := float64(r.subject.median()) / float64(r.floor.median())
		fmt.Fprintf(w, "%-44s %6d %11s %11s   %-34s %11s %11s %6.2fx\n", r.what+": "+r.subject.name, len(r.subject.lat),
			round(r.subject.median()), round(r.subject.p99()), r.floor.name, round(r.floor.median()), round(r.floor.p99()), ratio)
	}
	fmt.Fprintln(w)
}

func round(d time.Duration) string {
	switch {
	case d > 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d > 10*time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}

func measure(name string, n int, op func(i int) error) (sample, error) {
	s := sample{name: name}
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := op(i); err != nil {
			return s, fmt.Errorf("%s #%d: %w", name, i, err)
		}
		s.lat = append(s.lat, time.Since(start))
	}
	return s, nil
}
