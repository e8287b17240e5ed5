package job

import (
	"slices"
	"time"
)

// Histogram is a job's run-time statistics in milliseconds, as job/stat
// prints them and stats/{percentile} sorts by them.
type Histogram struct {
	P75    float64 `json:"75thPercentile"`
	P95    float64 `json:"95thPercentile"`
	P98    float64 `json:"98thPercentile"`
	P99    float64 `json:"99thPercentile"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Count  int     `json:"count"`
}

// Percentiles summarises run durations. Quantiles interpolate between the
// sorted samples at position q*(n+1), as the Codahale snapshot behind
// Chronos' numbers does. Chronos printed the median under "mean" (it asked the
// snapshot for getValue(0.5)); here mean is the mean.
func Percentiles(durations []time.Duration) Histogram {
	h := Histogram{Count: len(durations)}
	if len(durations) == 0 {
		return h
	}
	ms := make([]float64, len(durations))
	sum := 0.0
	for i, d := range durations {
		ms[i] = float64(d) / float64(time.Millisecond)
		sum += ms[i]
	}
	slices.Sort(ms)
	h.P75, h.P95, h.P98, h.P99 = quantile(ms, 0.75), quantile(ms, 0.95), quantile(ms, 0.98), quantile(ms, 0.99)
	h.Median = quantile(ms, 0.5)
	h.Mean = sum / float64(len(ms))
	return h
}

func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)+1)
	i := int(pos)
	switch {
	case i < 1:
		return sorted[0]
	case i >= len(sorted):
		return sorted[len(sorted)-1]
	}
	lower, upper := sorted[i-1], sorted[i]
	return lower + (pos-float64(i))*(upper-lower)
}

// Get returns a statistic by the name stats/{percentile} takes:
// 75thPercentile, 95thPercentile, 98thPercentile, 99thPercentile, median or
// mean.
func (h Histogram) Get(name string) (float64, bool) {
	switch name {
	case "75thPercentile":
		return h.P75, true
	case "95thPercentile":
		return h.P95, true
	case "98thPercentile":
		return h.P98, true
	case "99thPercentile":
		return h.P99, true
	case "median":
		return h.Median, true
	case "mean":
		return h.Mean, true
	}
	return 0, false
}
