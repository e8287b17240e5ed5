package chronos

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mesosbox/mesosbox/jobs/job"
)

// counters are the scheduler's event counts since it started on this
// node, served by /metrics.
type counters struct {
	Queued, Launched, Succeeded, Failed, Killed, Retried, Skipped, Dropped int64
}

// taskStat is one entry of job/stat's taskStatHistory, in the shape of
// Chronos' JobStatWrapperSerializer.
type taskStat struct {
	TaskID   string `json:"taskId"`
	JobName  string `json:"jobName"`
	SlaveID  string `json:"slaveId"`
	Start    string `json:"startTime"`
	End      string `json:"endTime"`
	Duration string `json:"duration,omitempty"`
	Status   string `json:"status"`
	Elements *int64 `json:"numElementsProcessed,omitempty"`
}

// statTime is Chronos' "MM/dd/yy HH:mm:ss" (UTC), "N/A" when unknown.
func statTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("01/02/06 15:04:05")
}

// statDuration prints a duration as Chronos' period formatter did:
// hours and minutes when not zero, seconds always ("1h2m3s", "0s").
func statDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	out := ""
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dm", m)
	}
	return out + fmt.Sprintf("%ds", sec)
}

// histogram summarises the durations of a job's successful runs, the runs
// Chronos timed.
func histogram(runs []RunRecord) job.Histogram {
	var ds []time.Duration
	for _, r := range runs {
		if r.Status == StatusSuccess {
			ds = append(ds, r.Duration())
		}
	}
	return job.Percentiles(ds)
}

// getJobStat is GET job/stat/{name}: the run-time histogram (ms) and the
// history, running tasks first, then finished runs newest first.
func (s *Service) getJobStat(w http.ResponseWriter, r *http.Request) {
	name := param(r, "name")
	if _, ok := s.lockJob(w, name); !ok {
		return
	}
	defer s.mu.Unlock()
	runs, err := history(s.cfg.Store, name)
	if err != nil {
		unavailable(w, err)
		return
	}
	out := struct {
		Histogram job.Histogram `json:"histogram"`
		History   []taskStat    `json:"taskStatHistory"`
	}{Histogram: histogram(runs), History: []taskStat{}}
	for _, t := range s.st.tasksOf(name) {
		start := t.Started
		if start.IsZero() {
			start = t.Launched
		}
		ts := taskStat{TaskID: t.TaskID, JobName: t.Job, SlaveID: t.AgentID, Start: statTime(start), End: "N/A", Status: "Running"}
		if t.Elements > 0 {
			ts.Elements = ptr(t.Elements)
		}
		out.History = append(out.History, ts)
	}
	for _, r := range slices.Backward(runs) {
		ts := taskStat{TaskID: r.TaskID, JobName: r.Job, SlaveID: r.AgentID, Start: statTime(r.Start), End: statTime(r.End),
			Duration: statDuration(r.Duration()), Status: r.Status}
		if r.Elements > 0 {
			ts.Elements = ptr(r.Elements)
		}
		out.History = append(out.History, ts)
	}
	writeValue(w, out)
}

// getStats is GET stats/{percentile}: [{jobNameLabel, time}] with the
// statistic in seconds, slowest first, for the jobs that have timed runs.
func (s *Service) getStats(w http.ResponseWriter, r *http.Request) {
	pct := param(r, "percentile")
	if _, ok := (job.Histogram{}).Get(pct); !ok {
		badRequest(w, "unknown statistic '%s'; use 75thPercentile, 95thPercentile, 98thPercentile, 99thPercentile, median or mean", pct)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	type entry struct {
		Job  string  `json:"jobNameLabel"`
		Time float64 `json:"time"`
	}
	out := []entry{}
	for _, j := range s.st.graph.Jobs() {
		runs, err := history(s.cfg.Store, j.Name)
		if err != nil {
			unavailable(w, err)
			return
		}
		h := histogram(runs)
		if h.Count == 0 {
			continue
		}
		v, _ := h.Get(pct)
		out = append(out, entry{Job: j.Name, Time: v / 1000})
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		switch {
		case a.Time > b.Time:
			return -1
		case a.Time < b.Time:
			return 1
		}
		return 0
	})
	writeValue(w, out)
}

// getDOT is GET graph/dot.
func (s *Service) getDOT(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	writeText(w, s.st.graph.DOT())
}

// getCSV is GET graph/csv, which the Chronos UI draws from.
func (s *Service) getCSV(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	writeText(w, s.st.graph.CSV(s.st.status))
}

// getMetrics is /metrics in the shape of Codahale's MetricsServlet, which
// Chronos served: gauges, counters, histograms, meters and timers.
func (s *Service) getMetrics(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active() {
		noLeader(w)
		return
	}
	type value struct {
		Value int `json:"value"`
	}
	type count struct {
		Count int64 `json:"count"`
	}
	m := s.metrics
	writeValue(w, map[string]any{
		"version": "3.0.0",
		"gauges": map[string]value{
			"chronos.jobs":          {len(s.st.graph.Jobs())},
			"chronos.queue.size":    {len(s.st.queue)},
			"chronos.tasks.running": {len(s.st.tasks)},
		},
		"counters": map[string]count{
			"chronos.runs.queued":    {m.Queued},
			"chronos.runs.launched":  {m.Launched},
			"chronos.runs.succeeded": {m.Succeeded},
			"chronos.runs.failed":    {m.Failed},
			"chronos.runs.killed":    {m.Killed},
			"chronos.runs.retried":   {m.Retried},
			"chronos.runs.skipped":   {m.Skipped},
			"chronos.runs.dropped":   {m.Dropped},
		},
		"histograms": map[string]any{},
		"meters":     map[string]any{},
		"timers":     map[string]any{},
	})
}
