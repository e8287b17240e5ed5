package job

// The task states of a job in jobs/summary and graph/csv; the caller knows
// them from its queue and the running tasks.
const (
	StatusIdle    = "idle"
	StatusQueued  = "queued"
	StatusRunning = "running"
)

// Summary is one entry of GET jobs/summary ({"jobs":[...]}).
type Summary struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	State    State    `json:"state"`
	Schedule string   `json:"schedule"` // "" for a dependent job
	Parents  []string `json:"parents"`
	Disabled bool     `json:"disabled"`
}

// SummaryList is the body of GET jobs/summary.
type SummaryList struct {
	Jobs []Summary `json:"jobs"`
}

// Summarize makes a job's summary entry; status is StatusIdle, StatusQueued
// or StatusRunning.
func Summarize(j *Job, status string) Summary {
	s := Summary{Name: j.Name, Status: status, State: j.LastState(), Parents: nonNil(j.Parents), Disabled: j.Disabled}
	if j.Kind() == Scheduled {
		s.Schedule = j.Schedule
	}
	return s
}
