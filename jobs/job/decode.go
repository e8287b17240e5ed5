package job

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/mesosbox/mesosbox/jobs/schedule"
)

// maxNameLen leaves a task id room for "ct:", a 13-digit due time, the
// attempt and the separators within Mesos' 255 bytes.
const maxNameLen = 200

// maxCount bounds counters and seconds to what a JSON double holds exactly.
const maxCount = 1 << 53

// Decode reads a job posted to /iso8601 (kind Scheduled) or /dependency
// (kind Dependent) with the defaults of Chronos 3's JobDeserializer: shell
// true, retries 2, cpus/mem/disk and runAsUser from opts when missing or 0,
// fetch entries extracting by default. A scheduled job needs a schedule that
// parses (and a scheduleTimeZone that exists); one posted with neither
// schedule nor parents runs once now, as R1/<now>/PT24H. A dependent job
// needs a non-empty parents list; whether the parents exist is the Graph's
// business. Every error is an *Error, for a 400 with ErrorBody.
func Decode(body []byte, kind Kind, opts Defaults, now time.Time) (*Job, error) {
	j, err := decode(body, kind, opts.withFallbacks(), now)
	if err != nil {
		return nil, asBadRequest(err)
	}
	return j, nil
}

func decode(body []byte, kind Kind, opts Defaults, now time.Time) (*Job, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	o, err := parseObject("", raw)
	if err != nil {
		return nil, err
	}
	j := &Job{}
	if j.Name, err = o.text("name", ""); err != nil {
		return nil, err
	}
	switch {
	case j.Name == "":
		return nil, fmt.Errorf("the job's name is missing. Allowed names: '([\\w\\.-]+)'")
	case !namePattern.MatchString(j.Name):
		return nil, fmt.Errorf("the job's name %q is invalid. Allowed names: '([\\w\\.-]+)'", j.Name)
	case len(j.Name) > maxNameLen:
		// Chronos sets no bound, but the name goes into every task id
		// (ct:<due>:<attempt>:<name>:), which Mesos caps at 255 bytes.
		return nil, fmt.Errorf("the job's name is %d bytes long; at most %d fit in a Mesos task id", len(j.Name), maxNameLen)
	}
	for _, step := range []func(object, *Job, Defaults) error{
		decodeTexts, decodeFlags, decodeNumbers, decodeCounters, decodeEpsilon, decodeLists,
	} {
		if err := step(o, j, opts); err != nil {
			return nil, err
		}
	}
	if err := decodeTrigger(o, j, kind, now); err != nil {
		return nil, err
	}
	return j, nil
}

func decodeTexts(o object, j *Job, opts Defaults) error {
	for _, f := range []struct {
		field string
		dst   *string
		def   string
	}{
		{"command", &j.Command, ""},
		{"description", &j.Description, ""},
		{"owner", &j.Owner, ""},
		{"ownerName", &j.OwnerName, ""},
		{"executor", &j.Executor, ""},
		{"executorFlags", &j.ExecutorFlags, ""},
		{"taskInfoData", &j.TaskInfoData, ""},
		{"runAsUser", &j.RunAsUser, opts.User},
	} {
		var err error
		if *f.dst, err = o.text(f.field, f.def); err != nil {
			return err
		}
	}
	return nil
}

func decodeFlags(o object, j *Job, _ Defaults) error {
	for _, f := range []struct {
		field string
		dst   *bool
		def   bool
	}{
		{"shell", &j.Shell, true},
		{"disabled", &j.Disabled, false},
		{"concurrent", &j.Concurrent, false},
		{"softError", &j.SoftError, false},
		{"dataProcessingJobType", &j.DataProcessingJobType, false},
		{"highPriority", &j.HighPriority, false},
		{"async", &j.Async, false},
	} {
		var err error
		if *f.dst, err = o.boolean(f.field, f.def); err != nil {
			return err
		}
	}
	return nil
}

// decodeNumbers reads retries, maxCompletionTime and the resources; a
// resource of 0, like a missing one, takes the scheduler's default.
func decodeNumbers(o object, j *Job, opts Defaults) error {
	retries, err := o.integer("retries", 2, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	j.Retries = int(retries)
	if j.MaxCompletionTime, err = o.integer("maxCompletionTime", 0, 0, maxCount); err != nil {
		return err
	}
	for _, r := range []struct {
		field string
		dst   *float64
		def   float64
	}{{"cpus", &j.CPUs, opts.CPUs}, {"mem", &j.Mem, opts.Mem}, {"disk", &j.Disk, opts.Disk}} {
		v, err := o.number(r.field, 0)
		if err != nil {
			return err
		}
		if v < 0 {
			return fmt.Errorf("%q must not be negative", r.field)
		}
		if v == 0 {
			v = r.def
		}
		*r.dst = v
	}
	return nil
}

// decodeCounters reads the output-only fields, so that a job read back from
// GET and posted again keeps its history, as in Chronos.
func decodeCounters(o object, j *Job, _ Defaults) error {
	for _, c := range []struct {
		field string
		dst   *int64
	}{{"successCount", &j.SuccessCount}, {"errorCount", &j.ErrorCount}, {"errorsSinceLastSuccess", &j.ErrorsSinceLastSuccess}} {
		var err error
		if *c.dst, err = o.integer(c.field, 0, 0, maxCount); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		field string
		dst   *time.Time
	}{{"lastSuccess", &j.LastSuccess}, {"lastError", &j.LastError}} {
		s, err := o.text(t.field, "")
		if err != nil {
			return err
		}
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if y := v.UTC().Year(); err != nil || y < 1970 || y > 9999 {
			return fmt.Errorf("%q must be an ISO 8601 time like 2024-03-10T09:30:00.000Z or empty, not %q", t.field, s)
		}
		*t.dst = stamp(v)
	}
	return nil
}

// stamp is how times are kept in counters: UTC, to the millisecond, as
// Chronos printed them.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// decodeEpsilon: 2.x requires a valid ISO duration; 3.x ignores the field,
// so a bad value there falls back to the default instead of failing a post
// that Chronos 3 accepted.
func decodeEpsilon(o object, j *Job, opts Defaults) error {
	j.Epsilon = schedule.Period{Seconds: int(opts.TaskEpsilon / time.Second)}
	s, err := o.text("epsilon", "")
	if err == nil && s != "" {
		var p schedule.Period
		if p, err = schedule.ParseDuration(s); err == nil {
			j.Epsilon = p
		} else {
			err = fmt.Errorf("\"epsilon\": %v", err)
		}
	}
	if opts.Mode == V2 {
		return err
	}
	return nil
}

func decodeLists(o object, j *Job, _ Defaults) error {
	var err error
	if j.Arguments, err = o.texts("arguments"); err != nil {
		return err
	}
	if j.Fetch, err = decodeFetch(o, j.Name); err != nil {
		return err
	}
	if j.EnvironmentVariables, err = decodeEnv(o); err != nil {
		return err
	}
	if j.Container, err = decodeContainer(o); err != nil {
		return err
	}
	j.Constraints, err = decodeConstraints(o)
	return err
}

// decodeTrigger decides between schedule and parents. Chronos' deserializer
// made any job with a "parents" key dependent; here the endpoint decides, and
// a body that contradicts it is refused rather than silently reinterpreted.
func decodeTrigger(o object, j *Job, kind Kind, now time.Time) error {
	parents, err := o.texts("parents")
	if err != nil {
		return err
	}
	parents = dedupe(parents)
	sched, err := o.text("schedule", "")
	if err != nil {
		return err
	}
	tz, err := o.text("scheduleTimeZone", "")
	if err != nil {
		return err
	}
	if kind == Dependent {
		if len(parents) == 0 {
			return fmt.Errorf("Error, parent does not exist: a dependent job needs a non-empty \"parents\" list")
		}
		j.Parents = parents
		return nil
	}
	switch {
	case sched != "" && len(parents) > 0:
		return fmt.Errorf("job %q has both a schedule and parents; post a dependent job to /dependency without a schedule", j.Name)
	case len(parents) > 0:
		return fmt.Errorf("job %q has parents but no schedule; post it to /dependency", j.Name)
	case sched == "":
		// Chronos 3: run once, now.
		sched = "R1/" + now.UTC().Format("2006-01-02T15:04:05.000Z") + "/PT24H"
		tz = ""
	}
	if _, err := schedule.Parse(sched, tz, now); err != nil {
		return fmt.Errorf("Cannot parse schedule '%s'%s: %v", sched, inZone(tz), err)
	}
	j.Schedule, j.ScheduleTimeZone = sched, tz
	return nil
}

func inZone(tz string) string {
	if tz == "" {
		return ""
	}
	return " in time zone '" + tz + "'"
}

// dedupe keeps the first of each name: parents are a set.
func dedupe(names []string) []string {
	seen := make(map[string]bool, len(names))
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ValidateNew applies the check Chronos makes only when a scheduled job is
// created, not when it is replaced: a start more than a year in the past is
// refused (almost always a typo in the year).
func (j *Job) ValidateNew(now time.Time) error {
	if j.Kind() != Scheduled {
		return nil
	}
	s, err := j.ParsedSchedule(now)
	if err != nil {
		return badRequest("Cannot parse schedule '%s'%s: %v", j.Schedule, inZone(j.ScheduleTimeZone), err)
	}
	if s.IsCron() {
		return nil
	}
	if start := s.Start(); start.Before(now.AddDate(-1, 0, 0)) {
		return badRequest("Scheduled start date '%s' is more than 1 year in the past!", start.Format("2006-01-02T15:04:05.000Z07:00"))
	}
	return nil
}
