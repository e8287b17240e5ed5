package job

import (
	"regexp"
	"slices"
	"time"

	"github.com/mesosbox/mesosbox/jobs/schedule"
)

// Kind says which Chronos endpoint a job came through, and so what it is: a
// scheduled job (POST /iso8601) or a dependent job (POST /dependency).
type Kind int

const (
	// Scheduled jobs run on their schedule.
	Scheduled Kind = iota
	// Dependent jobs run after their parents succeed.
	Dependent
)

func (k Kind) String() string {
	if k == Dependent {
		return "dependent"
	}
	return "scheduled"
}

// namePattern is Chronos 3's JobUtils.jobNamePattern. (2.x also allowed
// spaces and '#', which made names that could not be put in a URL path.)
var namePattern = regexp.MustCompile(`^[\w.-]+$`)

// Job is a Chronos job definition (API-COMPAT §2.3) with its counters.
// A job with parents is dependent; otherwise it is scheduled.
type Job struct {
	Name        string
	Command     string
	Shell       bool // true: sh -c command; false: command is argv[0], Arguments the rest
	Arguments   []string
	Description string
	Owner       string // comma-separated e-mail addresses
	OwnerName   string

	Executor      string
	ExecutorFlags string
	TaskInfoData  string

	Retries               int
	Disabled              bool
	Concurrent            bool
	SoftError             bool // failures fire the children too
	DataProcessingJobType bool
	HighPriority          bool
	MaxCompletionTime     int64 // seconds; 0 is no limit

	CPUs, Mem, Disk float64
	RunAsUser       string

	// Fetch holds the files to download. The deprecated "uris" field is
	// folded into it on input (a bare URI is a Fetch with the defaults) and
	// printed back from it on output.
	Fetch                []Fetch
	EnvironmentVariables []EnvVar
	Container            *Container
	Constraints          []Constraint

	Schedule         string // as posted, or as rewritten by a launch
	ScheduleTimeZone string
	Parents          []string // a set, in the order first given

	// Epsilon and Async are Chronos 2.x fields: 3.x ignores them and does not
	// print them. They are kept so a 2.x mode can honour and print them.
	Epsilon schedule.Period
	Async   bool

	SuccessCount           int64
	ErrorCount             int64
	LastSuccess            time.Time // zero: never
	LastError              time.Time // zero: never
	ErrorsSinceLastSuccess int64
}

// Kind is Dependent when the job has parents.
func (j *Job) Kind() Kind {
	if len(j.Parents) > 0 {
		return Dependent
	}
	return Scheduled
}

// ParsedSchedule parses the job's schedule in its time zone; now is Parse's
// reference time (see schedule.Parse).
func (j *Job) ParsedSchedule(now time.Time) (schedule.Schedule, error) {
	return schedule.Parse(j.Schedule, j.ScheduleTimeZone, now)
}

// State names the outcome of the job's last finished run, as Chronos' graph
// exporter and jobs/summary do.
type State string

// The states of LastState.
const (
	StateFresh   State = "fresh"
	StateSuccess State = "success"
	StateFailure State = "failure"
)

// LastState is fresh before the first run, else success or failure by which
// of lastSuccess and lastError is later (a tie is a failure, as in Chronos).
func (j *Job) LastState() State {
	switch {
	case j.LastSuccess.IsZero() && j.LastError.IsZero():
		return StateFresh
	case j.LastSuccess.IsZero():
		return StateFailure
	case j.LastError.IsZero() || j.LastSuccess.After(j.LastError):
		return StateSuccess
	}
	return StateFailure
}

// Clone returns a deep copy.
func (j *Job) Clone() *Job {
	c := *j
	c.Arguments = slices.Clone(j.Arguments)
	c.Fetch = slices.Clone(j.Fetch)
	c.EnvironmentVariables = slices.Clone(j.EnvironmentVariables)
	c.Constraints = slices.Clone(j.Constraints)
	c.Parents = slices.Clone(j.Parents)
	if j.Container != nil {
		c.Container = j.Container.clone()
	}
	return &c
}
