package job

import (
	"strings"
	"testing"
	"time"
)

func TestMatchConstraints(t *testing.T) {
	agent := map[string]string{"hostname": "worker-12.example", "rack": "rack-2", "cores": "16"}
	tests := []struct {
		constraints []Constraint
		want        bool
	}{
		{nil, true},
		{[]Constraint{{"rack", OpEquals, "rack-2"}}, true},
		{[]Constraint{{"rack", OpEquals, "rack-1"}}, false},
		{[]Constraint{{"rack", OpEquals, "RACK-2"}}, false},
		{[]Constraint{{"hostname", OpLike, `worker-\d+\.example`}}, true},
		{[]Constraint{{"hostname", OpLike, `worker`}}, false}, // the whole value must match
		{[]Constraint{{"rack", OpLike, "rack-[1-3]"}}, true},
		{[]Constraint{{"rack", OpUnlike, "rack-[1-3]"}}, false},
		{[]Constraint{{"rack", OpUnlike, "rack-[4-6]"}}, true},
		{[]Constraint{{"cores", OpLike, "1[0-9]"}}, true},
		// A missing attribute matches no operator, not even UNLIKE (as in Chronos).
		{[]Constraint{{"gpu", OpEquals, ""}}, false},
		{[]Constraint{{"gpu", OpUnlike, "yes"}}, false},
		{[]Constraint{{"rack", OpEquals, "rack-2"}, {"hostname", OpLike, "db-.*"}}, false},
		{[]Constraint{{"rack", OpLike, "("}}, false},
	}
	for _, tt := range tests {
		if got := MatchConstraints(tt.constraints, agent); got != tt.want {
			t.Errorf("MatchConstraints(%v) = %v, want %v", tt.constraints, got, tt.want)
		}
	}
}

func TestTaskID(t *testing.T) {
	due := time.Date(2015, 4, 8, 17, 46, 34, 358e6, time.UTC)
	tests := []struct {
		attempt   int
		name, arg string
		want      string
	}{
		{0, "NewJob", "", "ct:1428515194358:0:NewJob:"},
		{2, "my.job-1", "-debug -v", "ct:1428515194358:2:my.job-1:-debug -v"},
		{1, "a", "x:y:z", "ct:1428515194358:1:a:x:y:z"},
	}
	for _, tt := range tests {
		id := TaskID(due, tt.attempt, tt.name, tt.arg)
		if id != tt.want {
			t.Errorf("TaskID = %q, want %q", id, tt.want)
		}
		ref, err := ParseTaskID(id)
		if err != nil || !ref.Due.Equal(due) || ref.Attempt != tt.attempt || ref.Job != tt.name || ref.Arguments != tt.arg {
			t.Errorf("ParseTaskID(%q) = %+v, %v", id, ref, err)
		}
	}
	// Chronos' own id without the trailing colon still parses.
	if ref, err := ParseTaskID("ct:1428515194358:0:NewJob"); err != nil || ref.Job != "NewJob" || ref.Arguments != "" {
		t.Errorf("short id: %+v %v", ref, err)
	}
	for _, bad := range []string{"", "ct:", "ct:x:0:a:", "ct:1:-1:a:", "xx:1:0:a:", "ct:1:0:a b:", "ct:99999999999999999999:0:a:", "ct:1:99999999999999999999:a:"} {
		if _, err := ParseTaskID(bad); err == nil || !strings.Contains(err.Error(), "Invalid task id format") {
			t.Errorf("ParseTaskID(%q) = %v", bad, err)
		}
	}
}

func TestRecordSuccess(t *testing.T) {
	at := time.Date(2024, 3, 10, 9, 30, 0, 123456789, time.UTC)
	j := decodeOK(t, `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/PT1H","errorsSinceLastSuccess":3,"successCount":4}`, Scheduled, Defaults{})
	if j.RecordSuccess(at) || j.SuccessCount != 5 || j.ErrorsSinceLastSuccess != 0 || !j.LastSuccess.Equal(at.Truncate(time.Millisecond)) || j.Disabled {
		t.Errorf("after success: %+v", j)
	}
	// The launch of the last repetition left R0: the success disables the job.
	last := decodeOK(t, `{"name":"a","schedule":"R0/2024-03-10T10:00:00.000Z/PT1H"}`, Scheduled, Defaults{})
	if !last.RecordSuccess(at) || !last.Disabled {
		t.Error("R0 job not disabled after its last success")
	}
	if last.RecordSuccess(at) {
		t.Error("disabled twice")
	}
	r1 := decodeOK(t, `{"name":"a","schedule":"R1/2024-03-10T10:00:00.000Z/PT1H"}`, Scheduled, Defaults{})
	if r1.RecordSuccess(at) {
		t.Error("R1 job disabled before its run")
	}
	dep := decodeOK(t, `{"name":"c","parents":["a"]}`, Dependent, Defaults{})
	if dep.RecordSuccess(at) || dep.SuccessCount != 1 {
		t.Error("dependent job")
	}
}

func TestRecordFailure(t *testing.T) {
	t0 := time.Date(2024, 3, 10, 9, 0, 0, 0, time.UTC)
	type step struct {
		attempt int
		retry   bool
		errors  int64
	}
	tests := []struct {
		name         string
		body         string
		disableAfter int64
		steps        []step
		disabled     bool
	}{
		{"retries twice then counts", `{"name":"a"}`, 0,
			[]step{{0, true, 0}, {1, true, 0}, {2, false, 1}}, false},
		{"retries 0 counts at once", `{"name":"a","retries":0}`, 0,
			[]step{{0, false, 1}}, false},
		{"already failing: no retries", `{"name":"a","lastError":"2024-03-09T00:00:00Z","errorsSinceLastSuccess":1}`, 0,
			[]step{{0, false, 2}}, false},
		{"failed before but succeeded since: retries", `{"name":"a","lastError":"2024-03-09T00:00:00Z","lastSuccess":"2024-03-09T01:00:00Z"}`, 0,
			[]step{{0, true, 0}}, false},
		{"success at the same instant counts as recent", `{"name":"a","lastError":"2024-03-09T00:00:00Z","lastSuccess":"2024-03-09T00:00:00Z"}`, 0,
			[]step{{0, true, 0}}, false},
		{"disable after failures", `{"name":"a","retries":0}`, 3,
			[]step{{0, false, 1}, {0, false, 2}, {0, false, 3}}, true},
		{"disable counts errors since the last success", `{"name":"a","retries":0,"errorsSinceLastSuccess":4,"lastError":"2024-03-09T00:00:00Z"}`, 5,
			[]step{{0, false, 5}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := decodeOK(t, tt.body, Scheduled, Defaults{})
			errCount := j.ErrorCount
			for i, s := range tt.steps {
				at := t0.Add(time.Duration(i) * time.Minute)
				if retry := j.RecordFailure(at, s.attempt, tt.disableAfter); retry != s.retry {
					t.Fatalf("step %d: retry = %v, want %v", i, retry, s.retry)
				}
				if !s.retry {
					errCount++
					if !j.LastError.Equal(at) {
						t.Fatalf("step %d: lastError %v", i, j.LastError)
					}
				}
				if j.ErrorsSinceLastSuccess != s.errors || j.ErrorCount != errCount {
					t.Fatalf("step %d: errorsSinceLastSuccess %d errorCount %d", i, j.ErrorsSinceLastSuccess, j.ErrorCount)
				}
			}
			if j.Disabled != tt.disabled {
				t.Errorf("disabled = %v, want %v", j.Disabled, tt.disabled)
			}
		})
	}
}

func TestLastStateAndSummary(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	tests := []struct {
		success, failure time.Time
		want             State
	}{
		{time.Time{}, time.Time{}, StateFresh},
		{t1, time.Time{}, StateSuccess},
		{time.Time{}, t1, StateFailure},
		{t2, t1, StateSuccess},
		{t1, t2, StateFailure},
		{t1, t1, StateFailure},
	}
	for _, tt := range tests {
		j := &Job{LastSuccess: tt.success, LastError: tt.failure}
		if got := j.LastState(); got != tt.want {
			t.Errorf("LastState(%v, %v) = %s, want %s", tt.success, tt.failure, got, tt.want)
		}
	}
	sched := decodeOK(t, `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/P1D","disabled":true}`, Scheduled, Defaults{})
	dep := decodeOK(t, `{"name":"b","parents":["a"],"lastSuccess":"2024-01-01T00:00:00Z"}`, Dependent, Defaults{})
	got := string(mustJSON(t, SummaryList{Jobs: []Summary{Summarize(sched, StatusIdle), Summarize(dep, StatusRunning)}}))
	want := `{"jobs":[{"name":"a","status":"idle","state":"fresh","schedule":"R/2024-03-10T00:00:00Z/P1D","parents":[],"disabled":true},` +
		`{"name":"b","status":"running","state":"success","schedule":"","parents":["a"],"disabled":false}]}`
	if got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		want Histogram
	}{
		{nil, Histogram{}},
		{ms(100), Histogram{100, 100, 100, 100, 100, 100, 1}},
		{ms(4, 1, 3, 2), Histogram{P75: 3.75, P95: 4, P98: 4, P99: 4, Median: 2.5, Mean: 2.5, Count: 4}},
		// 1..100: q*(n+1) = 75.75 → 75 + 0.75
		{ms(seq(100)...), Histogram{P75: 75.75, P95: 95.95, P98: 98.98, P99: 99.99, Median: 50.5, Mean: 50.5, Count: 100}},
	}
	for _, tt := range tests {
		got := Percentiles(tt.in)
		if !close(got, tt.want) {
			t.Errorf("Percentiles(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	h := Percentiles(ms(seq(100)...))
	for name, want := range map[string]float64{"75thPercentile": h.P75, "95thPercentile": h.P95, "98thPercentile": h.P98, "99thPercentile": h.P99, "median": h.Median, "mean": h.Mean} {
		if got, ok := h.Get(name); !ok || got != want {
			t.Errorf("Get(%s) = %v %v", name, got, ok)
		}
	}
	if _, ok := h.Get("max"); ok {
		t.Error("Get(max)")
	}
	if got := string(mustJSON(t, Percentiles(ms(1)))); got != `{"75thPercentile":1,"95thPercentile":1,"98thPercentile":1,"99thPercentile":1,"median":1,"mean":1,"count":1}` {
		t.Errorf("JSON %s", got)
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func close(a, b Histogram) bool {
	eq := func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 }
	return eq(a.P75, b.P75) && eq(a.P95, b.P95) && eq(a.P98, b.P98) && eq(a.P99, b.P99) &&
		eq(a.Median, b.Median) && eq(a.Mean, b.Mean) && a.Count == b.Count
}
