package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
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

// printTable prints latency rows without targets.
func printTable(w io.Writer, rows []row) {
	var es []entry
	for _, r := range rows {
		es = append(es, latency(r.what+": "+r.subject.name, r.subject, &r.floor, "", nil))
	}
	printEntries(w, es)
}

// An entry is one line of the report: what was measured, n, median and
// p99 (or a rate, or a size), the baseline measured in the same run, their
// ratio, the target and whether it is met.
type entry struct {
	what                 string
	n                    int
	median, p99          string
	base, baseMedian     string
	ratio                float64 // 0: no baseline
	target, met, comment string
}

// latency is an entry of latencies; ok, when given, says whether the
// target is met.
func latency(what string, s sample, floor *sample, target string, ok func(s sample, floor *sample) bool) entry {
	e := entry{what: what, n: len(s.lat), median: round(s.median()), p99: round(s.p99()), target: target}
	if floor != nil {
		e.base = fmt.Sprintf("%s (n=%d, p99 %s)", floor.name, len(floor.lat), round(floor.p99()))
		e.baseMedian = round(floor.median())
		if floor.median() > 0 {
			e.ratio = float64(s.median()) / float64(floor.median())
		}
	}
	if ok != nil {
		e.met = verdict(ok(s, floor))
	}
	return e
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// printEntries prints the report's one table.
func printEntries(w io.Writer, es []entry) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure (mesosbox)\tn\tmedian\tp99\tbaseline, same run\tbase median\tratio\ttarget\t")
	fmt.Fprintln(tw, "-----------------\t-\t------\t---\t------------------\t-----------\t-----\t------\t")
	for _, e := range es {
		ratio := "-"
		if e.ratio > 0 {
			ratio = fmt.Sprintf("%.2fx", e.ratio)
		}
		target := e.target
		if e.met != "" {
			target += ": " + e.met
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.what, e.n, dash(e.median), dash(e.p99), dash(e.base), dash(e.baseMedian), ratio, dash(target))
	}
	tw.Flush()
	for _, e := range es {
		if e.comment != "" {
			fmt.Fprintf(w, "  %s: %s\n", strings.SplitN(e.what, ":", 2)[0], e.comment)
		}
	}
	fmt.Fprintln(w)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func round(d time.Duration) string {
	switch {
	case d > 10*time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d > time.Second:
		return d.Round(time.Millisecond).String()
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
