package job

import (
	"bytes"
	"encoding/json"
	"time"
)

// jobJSON is the field set and order of Chronos' JobSerializer: the 2.x
// order (epsilon after shell, async after description), with 3.x's
// concurrent and maxCompletionTime added next to their neighbours. Fields
// that are nil pointers are the ones the mode or the job kind leaves out.
type jobJSON struct {
	Name                   string         `json:"name"`
	Command                string         `json:"command"`
	Shell                  bool           `json:"shell"`
	Epsilon                *string        `json:"epsilon,omitempty"`
	Executor               string         `json:"executor"`
	ExecutorFlags          string         `json:"executorFlags"`
	TaskInfoData           string         `json:"taskInfoData"`
	Retries                int            `json:"retries"`
	Owner                  string         `json:"owner"`
	OwnerName              string         `json:"ownerName"`
	Description            string         `json:"description"`
	Async                  *bool          `json:"async,omitempty"`
	SuccessCount           int64          `json:"successCount"`
	ErrorCount             int64          `json:"errorCount"`
	LastSuccess            string         `json:"lastSuccess"`
	LastError              string         `json:"lastError"`
	CPUs                   float64        `json:"cpus"`
	Disk                   float64        `json:"disk"`
	Mem                    float64        `json:"mem"`
	Disabled               bool           `json:"disabled"`
	Concurrent             bool           `json:"concurrent"`
	SoftError              bool           `json:"softError"`
	DataProcessingJobType  bool           `json:"dataProcessingJobType"`
	ErrorsSinceLastSuccess int64          `json:"errorsSinceLastSuccess"`
	MaxCompletionTime      int64          `json:"maxCompletionTime"`
	Fetch                  []fetchJSON    `json:"fetch"`
	URIs                   []string       `json:"uris"`
	EnvironmentVariables   []EnvVar       `json:"environmentVariables"`
	Arguments              []string       `json:"arguments"`
	HighPriority           bool           `json:"highPriority"`
	RunAsUser              string         `json:"runAsUser"`
	Container              *containerJSON `json:"container,omitempty"`
	Constraints            [][]string     `json:"constraints"`
	Parents                []string       `json:"parents,omitempty"`
	Schedule               *string        `json:"schedule,omitempty"`
	ScheduleTimeZone       *string        `json:"scheduleTimeZone,omitempty"`
}

type fetchJSON struct {
	URI        string `json:"uri"`
	OutputFile string `json:"output_file"`
	Executable bool   `json:"executable"`
	Cache      bool   `json:"cache"`
	Extract    bool   `json:"extract"`
}

type containerJSON struct {
	Type           string        `json:"type"`
	Image          string        `json:"image"`
	Network        string        `json:"network"`
	NetworkName    string        `json:"networkName,omitempty"`
	NetworkInfos   []NetworkInfo `json:"networkInfos"`
	Volumes        []Volume      `json:"volumes"`
	ForcePullImage bool          `json:"forcePullImage"`
	Parameters     []KeyValue    `json:"parameters"`
}

// Encode prints a job as GET /jobs and GET /job/{name} do. Both "fetch" and
// the deprecated "uris" are filled in, so old and new clients each find
// theirs; lastSuccess/lastError are UTC with milliseconds, or "" for never.
// Mode V2 adds epsilon and async.
func Encode(j *Job, mode Mode) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(toJSON(j, mode)) // only strings, numbers and slices: cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// EncodeList prints jobs as the bare array GET /jobs returns.
func EncodeList(jobs []*Job, mode Mode) []byte {
	out := []byte{'['}
	for i, j := range jobs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, Encode(j, mode)...)
	}
	return append(out, ']')
}

func toJSON(j *Job, mode Mode) jobJSON {
	out := jobJSON{
		Name: j.Name, Command: j.Command, Shell: j.Shell,
		Executor: j.Executor, ExecutorFlags: j.ExecutorFlags, TaskInfoData: j.TaskInfoData,
		Retries: j.Retries, Owner: j.Owner, OwnerName: j.OwnerName, Description: j.Description,
		SuccessCount: j.SuccessCount, ErrorCount: j.ErrorCount,
		LastSuccess: formatStamp(j.LastSuccess), LastError: formatStamp(j.LastError),
		CPUs: j.CPUs, Disk: j.Disk, Mem: j.Mem,
		Disabled: j.Disabled, Concurrent: j.Concurrent, SoftError: j.SoftError,
		DataProcessingJobType:  j.DataProcessingJobType,
		ErrorsSinceLastSuccess: j.ErrorsSinceLastSuccess, MaxCompletionTime: j.MaxCompletionTime,
		Fetch: make([]fetchJSON, 0, len(j.Fetch)), URIs: fetchURIs(j.Fetch),
		EnvironmentVariables: nonNil(j.EnvironmentVariables), Arguments: nonNil(j.Arguments),
		HighPriority: j.HighPriority, RunAsUser: j.RunAsUser,
		Constraints: make([][]string, 0, len(j.Constraints)),
	}
	if mode == V2 {
		eps, async := j.Epsilon.String(), j.Async
		out.Epsilon, out.Async = &eps, &async
	}
	for _, f := range j.Fetch {
		out.Fetch = append(out.Fetch, fetchJSON{f.URI, f.OutputFile, f.Executable, f.Cache, f.Extract})
	}
	for _, c := range j.Constraints {
		out.Constraints = append(out.Constraints, []string{c.Attribute, c.Operator, c.Value})
	}
	if c := j.Container; c != nil {
		out.Container = &containerJSON{
			Type: c.Type, Image: c.Image, Network: c.Network, NetworkName: c.NetworkName,
			NetworkInfos: nonNil(c.NetworkInfos), Volumes: nonNil(c.Volumes),
			ForcePullImage: c.ForcePullImage, Parameters: nonNil(c.Parameters),
		}
		for i, n := range out.Container.NetworkInfos {
			out.Container.NetworkInfos[i].Labels = nonNil(n.Labels)
			out.Container.NetworkInfos[i].PortMappings = nonNil(n.PortMappings)
		}
		for i, v := range out.Container.Volumes {
			if v.External != nil {
				x := *v.External
				x.Options = nonNil(x.Options)
				out.Container.Volumes[i].External = &x
			}
		}
	}
	if j.Kind() == Dependent {
		out.Parents = j.Parents
	} else {
		sched, tz := j.Schedule, j.ScheduleTimeZone
		out.Schedule, out.ScheduleTimeZone = &sched, &tz
	}
	return out
}

// formatStamp prints a counter time as Joda's DateTime.toString in UTC did.
func formatStamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// nonNil makes empty lists print as [] rather than null.
// It copies, so the caller may change the result.
func nonNil[T any](s []T) []T {
	return append(make([]T, 0, len(s)), s...)
}
