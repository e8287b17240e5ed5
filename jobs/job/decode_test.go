package job

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/jobs/schedule"
)

var now = time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)

func decodeOK(t *testing.T, body string, kind Kind, opts Defaults) *Job {
	t.Helper()
	j, err := Decode([]byte(body), kind, opts, now)
	if err != nil {
		t.Fatalf("Decode(%s): %v", body, err)
	}
	return j
}

// TestDecodeDefaults: a job with only a name and a schedule gets every one
// of Chronos 3's deserializer defaults.
func TestDecodeDefaults(t *testing.T) {
	j := decodeOK(t, `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/PT1H"}`, Scheduled, Defaults{})
	want := &Job{
		Name: "a", Shell: true, Retries: 2, CPUs: 0.1, Mem: 128, Disk: 256, RunAsUser: "root",
		Schedule: "R/2024-03-10T00:00:00Z/PT1H", Arguments: []string{},
		Epsilon: schedule.Period{Seconds: 60},
	}
	if !reflect.DeepEqual(j, want) {
		t.Errorf("got  %+v\nwant %+v", j, want)
	}
}

func TestDecodeFields(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		opts  Defaults
		check func(*Job) bool
	}{
		{"scheduler defaults from flags", `{}`, Defaults{CPUs: 2, Mem: 64, Disk: 10, User: "nobody"},
			func(j *Job) bool { return j.CPUs == 2 && j.Mem == 64 && j.Disk == 10 && j.RunAsUser == "nobody" }},
		{"zero resources take the defaults", `{"cpus":0,"mem":"0","disk":0.0}`, Defaults{},
			func(j *Job) bool { return j.CPUs == 0.1 && j.Mem == 128 && j.Disk == 256 }},
		{"resources as strings (Chronos docs)", `{"cpus":"0.5","mem":"512","disk":" 1024 "}`, Defaults{},
			func(j *Job) bool { return j.CPUs == 0.5 && j.Mem == 512 && j.Disk == 1024 }},
		{"shell false", `{"shell":false}`, Defaults{}, func(j *Job) bool { return !j.Shell }},
		{"shell null is absent", `{"shell":null}`, Defaults{}, func(j *Job) bool { return j.Shell }},
		{"booleans as strings", `{"disabled":"true","concurrent":"TRUE","softError":"false"}`, Defaults{},
			func(j *Job) bool { return j.Disabled && j.Concurrent && !j.SoftError }},
		{"booleans as numbers", `{"highPriority":1,"dataProcessingJobType":0}`, Defaults{},
			func(j *Job) bool { return j.HighPriority && !j.DataProcessingJobType }},
		{"retries 0", `{"retries":0}`, Defaults{}, func(j *Job) bool { return j.Retries == 0 }},
		{"retries as string, fraction truncated", `{"retries":"3.9"}`, Defaults{}, func(j *Job) bool { return j.Retries == 3 }},
		{"maxCompletionTime", `{"maxCompletionTime":3600}`, Defaults{}, func(j *Job) bool { return j.MaxCompletionTime == 3600 }},
		{"text fields", `{"command":"ls","description":"d","owner":"a@b,c@d","ownerName":"A","executor":"e","executorFlags":"f","taskInfoData":"t","runAsUser":"u"}`, Defaults{},
			func(j *Job) bool {
				return j.Command == "ls" && j.Description == "d" && j.Owner == "a@b,c@d" && j.OwnerName == "A" &&
					j.Executor == "e" && j.ExecutorFlags == "f" && j.TaskInfoData == "t" && j.RunAsUser == "u"
			}},
		{"numbers as text", `{"command":42,"arguments":[1,true,"x"]}`, Defaults{},
			func(j *Job) bool {
				return j.Command == "42" && reflect.DeepEqual(j.Arguments, []string{"1", "true", "x"})
			}},
		{"counters kept", `{"successCount":5,"errorCount":2,"errorsSinceLastSuccess":1,"lastSuccess":"2024-01-01T00:00:00.123456Z","lastError":"2024-01-02T01:00:00+01:00"}`, Defaults{},
			func(j *Job) bool {
				return j.SuccessCount == 5 && j.ErrorCount == 2 && j.ErrorsSinceLastSuccess == 1 &&
					j.LastSuccess.Equal(time.Date(2024, 1, 1, 0, 0, 0, 123e6, time.UTC)) &&
					j.LastError.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
			}},
		{"empty times are never", `{"lastSuccess":"","lastError":null}`, Defaults{},
			func(j *Job) bool { return j.LastSuccess.IsZero() && j.LastError.IsZero() }},
		{"empty lastSuccess, set lastError", `{"lastSuccess":"","lastError":"2024-01-02T00:00:00Z"}`, Defaults{},
			func(j *Job) bool {
				return j.LastSuccess.IsZero() && j.LastError.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
			}},
		{"environment", `{"environmentVariables":[{"name":"A","value":"1"},{"name":"B"}]}`, Defaults{},
			func(j *Job) bool {
				return reflect.DeepEqual(j.EnvironmentVariables, []EnvVar{{"A", "1"}, {"B", ""}})
			}},
		{"fetch defaults: extract true", `{"fetch":[{"uri":"http://x/a.tgz"}]}`, Defaults{},
			func(j *Job) bool { return reflect.DeepEqual(j.Fetch, []Fetch{{URI: "http://x/a.tgz", Extract: true}}) }},
		{"fetch fields", `{"fetch":[{"uri":"u","executable":true,"cache":true,"extract":false,"output_file":"o"}]}`, Defaults{},
			func(j *Job) bool {
				return reflect.DeepEqual(j.Fetch, []Fetch{{URI: "u", Executable: true, Cache: true, OutputFile: "o"}})
			}},
		{"uris become fetch", `{"uris":["a","b"]}`, Defaults{},
			func(j *Job) bool {
				return reflect.DeepEqual(j.Fetch, []Fetch{{URI: "a", Extract: true}, {URI: "b", Extract: true}})
			}},
		{"uris and fetch that agree", `{"uris":["a"],"fetch":[{"uri":"a","cache":true}]}`, Defaults{},
			func(j *Job) bool { return reflect.DeepEqual(j.Fetch, []Fetch{{URI: "a", Cache: true, Extract: true}}) }},
		{"container defaults", `{"container":{"image":"busybox"}}`, Defaults{},
			func(j *Job) bool {
				c := j.Container
				return c != nil && c.Type == "DOCKER" && c.Network == "HOST" && c.Image == "busybox" && !c.ForcePullImage
			}},
		{"container without image is ignored", `{"container":{"type":"DOCKER","network":"BRIDGE"}}`, Defaults{},
			func(j *Job) bool { return j.Container == nil }},
		{"container enums in any case", `{"container":{"image":"i","type":"mesos","network":"user","networkName":"dcos","forcePullImage":"true"}}`, Defaults{},
			func(j *Job) bool {
				c := j.Container
				return c.Type == "MESOS" && c.Network == "USER" && c.NetworkName == "dcos" && c.ForcePullImage
			}},
		{"volumes", `{"container":{"image":"i","volumes":[{"containerPath":"/c","hostPath":"/h","mode":"ro"},{"containerPath":"/e","external":{"name":"v","provider":"dvdi","options":[{"key":"dvdi/driver","value":"rexray"}]}}]}}`, Defaults{},
			func(j *Job) bool {
				v := j.Container.Volumes
				return len(v) == 2 && v[0] == Volume{ContainerPath: "/c", HostPath: "/h", Mode: "RO"} &&
					v[1].External != nil && v[1].External.Provider == "dvdi" && v[1].External.Options[0].Value == "rexray"
			}},
		{"network infos", `{"container":{"image":"i","networkInfos":[{"name":"n","protocol":"ipv4","labels":[{"key":"k","value":"v"}],"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"TCP"}]}]}}`, Defaults{},
			func(j *Job) bool {
				n := j.Container.NetworkInfos
				return len(n) == 1 && n[0].Protocol == "IPv4" && n[0].Labels[0].Key == "k" &&
					n[0].PortMappings[0] == PortMapping{8080, 80, "tcp"}
			}},
		{"constraints: other operators dropped", `{"constraints":[["rack","EQUALS","r1"],["host","UNIQUE"],["zone","GROUP_BY","3"],["h","LIKE","a.*"],["h","UNLIKE","b"]]}`, Defaults{},
			func(j *Job) bool {
				return reflect.DeepEqual(j.Constraints, []Constraint{{"rack", "EQUALS", "r1"}, {"h", "LIKE", "a.*"}, {"h", "UNLIKE", "b"}})
			}},
		{"epsilon kept in 3.x", `{"epsilon":"PT10M","async":true}`, Defaults{},
			func(j *Job) bool { return j.Epsilon == schedule.Period{Minutes: 10} && j.Async }},
		{"bad epsilon ignored in 3.x", `{"epsilon":"ten minutes"}`, Defaults{},
			func(j *Job) bool { return j.Epsilon == schedule.Period{Seconds: 60} }},
		{"task epsilon flag", `{}`, Defaults{TaskEpsilon: 5 * time.Minute},
			func(j *Job) bool { return j.Epsilon == schedule.Period{Seconds: 300} }},
		{"unknown fields ignored", `{"dataJob":true,"whatever":{"a":[1]}}`, Defaults{},
			func(j *Job) bool { return j.Name == "x" }},
		{"duplicate keys: last wins", `{"command":"a","command":"b"}`, Defaults{},
			func(j *Job) bool { return j.Command == "b" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body[:len(tt.body)-1]
			if body != "{" {
				body += ","
			}
			body += `"name":"x"}`
			j := decodeOK(t, body, Scheduled, tt.opts)
			if !tt.check(j) {
				t.Errorf("unexpected job: %+v", j)
			}
		})
	}
}

func TestDecodeTrigger(t *testing.T) {
	tests := []struct {
		name, body  string
		kind        Kind
		schedule    string
		tz          string
		parents     []string
		wantKind    Kind
		errContains string
	}{
		{"scheduled", `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/P1D","scheduleTimeZone":"Europe/Berlin"}`, Scheduled,
			"R/2024-03-10T00:00:00Z/P1D", "Europe/Berlin", nil, Scheduled, ""},
		{"neither schedule nor parents runs once now", `{"name":"a"}`, Scheduled,
			"R1/2024-03-09T12:00:00.000Z/PT24H", "", nil, Scheduled, ""},
		{"empty parents on /iso8601", `{"name":"a","parents":[]}`, Scheduled,
			"R1/2024-03-09T12:00:00.000Z/PT24H", "", nil, Scheduled, ""},
		{"cron schedule", `{"name":"a","schedule":"0 2 * * *","scheduleTimeZone":"America/New_York"}`, Scheduled,
			"0 2 * * *", "America/New_York", nil, Scheduled, ""},
		{"dependent", `{"name":"c","parents":["a","b","a"]}`, Dependent, "", "", []string{"a", "b"}, Dependent, ""},
		{"dependent drops a schedule", `{"name":"c","parents":["a"],"schedule":"R/2024-03-10T00:00:00Z/P1D"}`, Dependent,
			"", "", []string{"a"}, Dependent, ""},
		{"dependent without parents", `{"name":"c"}`, Dependent, "", "", nil, 0, "Error, parent does not exist"},
		{"dependent with empty parents", `{"name":"c","parents":[]}`, Dependent, "", "", nil, 0, "non-empty \"parents\""},
		{"parents on /iso8601", `{"name":"c","parents":["a"]}`, Scheduled, "", "", nil, 0, "post it to /dependency"},
		{"both on /iso8601", `{"name":"c","parents":["a"],"schedule":"R/2024-03-10T00:00:00Z/P1D"}`, Scheduled, "", "", nil, 0, "both a schedule and parents"},
		{"bad schedule", `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/P1Q"}`, Scheduled, "", "", nil, 0,
			`Cannot parse schedule 'R/2024-03-10T00:00:00Z/P1Q': duration "P1Q"`},
		{"bad zone", `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/P1D","scheduleTimeZone":"Mars/Base"}`, Scheduled, "", "", nil, 0,
			`in time zone 'Mars/Base': unknown time zone "Mars/Base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Decode([]byte(tt.body), tt.kind, Defaults{}, now)
			if tt.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("err = %v, want %q", err, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if j.Schedule != tt.schedule || j.ScheduleTimeZone != tt.tz || !reflect.DeepEqual(j.Parents, tt.parents) || j.Kind() != tt.wantKind {
				t.Errorf("schedule %q tz %q parents %v kind %v", j.Schedule, j.ScheduleTimeZone, j.Parents, j.Kind())
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		body string
		mode Mode
		msg  string
	}{
		{``, V3, "malformed JSON"},
		{`{"name":"a",}`, V3, "malformed JSON"},
		{`{"name":"a"} {}`, V3, "malformed JSON"},
		{`[]`, V3, "the job must be a JSON object"},
		{`"job"`, V3, "the job must be a JSON object"},
		{`null`, V3, "the job must be a JSON object"},
		{`{}`, V3, "the job's name is missing"},
		{`{"name":""}`, V3, "the job's name is missing"},
		{`{"name":"my job"}`, V3, `the job's name "my job" is invalid. Allowed names: '([\w\.-]+)'`},
		{`{"name":"a/b"}`, V3, "is invalid"},
		{`{"name":"a#1"}`, V3, "is invalid"},
		{`{"name":"jöb"}`, V3, "is invalid"},
		{`{"name":{"x":1}}`, V3, `"name" must be a string`},
		{`{"name":"a","command":["ls"]}`, V3, `"command" must be a string`},
		{`{"name":"a","shell":"yes"}`, V3, `"shell" must be true or false`},
		{`{"name":"a","retries":-1}`, V3, `"retries" must be between 0 and`},
		{`{"name":"a","retries":"many"}`, V3, `"retries" must be a number`},
		{`{"name":"a","retries":true}`, V3, `"retries" must be a number`},
		{`{"name":"a","cpus":-0.5}`, V3, `"cpus" must not be negative`},
		{`{"name":"a","mem":"NaN"}`, V3, `"mem" must be a number`},
		{`{"name":"a","disk":1e999}`, V3, `"disk" must be a number`},
		{`{"name":"a","successCount":-1}`, V3, `"successCount" must be between`},
		{`{"name":"a","lastSuccess":"yesterday"}`, V3, `"lastSuccess" must be an ISO 8601 time`},
		{`{"name":"a","lastError":"9999-12-31T23:00:00-05:00"}`, V3, `"lastError" must be an ISO 8601 time`},
		{`{"name":"a","lastError":"1969-12-31T23:00:00Z"}`, V3, `"lastError" must be an ISO 8601 time`},
		{`{"name":"a","arguments":"-v"}`, V3, `"arguments" must be an array`},
		{`{"name":"a","arguments":[["-v"]]}`, V3, `arguments[0] must be a string`},
		{`{"name":"a","parents":"b"}`, V3, `"parents" must be an array`},
		{`{"name":"a","environmentVariables":[{"value":"1"}]}`, V3, `"environmentVariables[0].name" is required`},
		{`{"name":"a","environmentVariables":["A=1"]}`, V3, `environmentVariables[0] must be a JSON object`},
		{`{"name":"a","fetch":[{"cache":true}]}`, V3, `"fetch[0].uri" is required`},
		{`{"name":"a","fetch":{"uri":"x"}}`, V3, `"fetch" must be an array`},
		{`{"name":"a","uris":["a"],"fetch":[{"uri":"b"}]}`, V3, "Tried to add both uri (deprecated) and fetch parameters on a"},
		{`{"name":"a","uris":[""]}`, V3, "empty URI"},
		{`{"name":"a","container":"busybox"}`, V3, "container must be a JSON object"},
		{`{"name":"a","container":{"image":""}}`, V3, `"container.image" is required`},
		{`{"name":"a","container":{"image":"i","type":"RKT"}}`, V3, `"container.type" is "RKT"; expected DOCKER, MESOS`},
		{`{"name":"a","container":{"image":"i","network":"NONE"}}`, V3, `expected HOST, BRIDGE, USER`},
		{`{"name":"a","container":{"image":"i","volumes":[{"hostPath":"/h"}]}}`, V3, `"container.volumes[0].containerPath" is required`},
		{`{"name":"a","container":{"image":"i","volumes":[{"containerPath":"/c","mode":"RWX"}]}}`, V3, `expected RO, RW`},
		{`{"name":"a","container":{"image":"i","volumes":[{"containerPath":"/c","external":{"name":"v"}}]}}`, V3, `external.provider" is required`},
		{`{"name":"a","container":{"image":"i","parameters":[{"value":"v"}]}}`, V3, `"container.parameters[0].key" is required`},
		{`{"name":"a","container":{"image":"i","networkInfos":[{"name":"n","portMappings":[{"hostPort":70000,"containerPort":1}]}]}}`, V3, `hostPort" must be between 0 and 65535`},
		{`{"name":"a","container":{"image":"i","networkInfos":[{"name":"n","portMappings":[{"hostPort":1}]}]}}`, V3, `containerPort" is required`},
		{`{"name":"a","constraints":["rack"]}`, V3, "constraints[0] must be [attribute, operator, value]"},
		{`{"name":"a","constraints":[["rack"]]}`, V3, "constraints[0] must be [attribute, operator, value]"},
		{`{"name":"a","constraints":[["rack","EQUALS"]]}`, V3, "constraints[0]: EQUALS needs a value"},
		{`{"name":"a","constraints":[["rack",{"op":1},"x"]]}`, V3, "constraints[0] must be an array of strings"},
		{`{"name":"a","constraints":[["rack","LIKE","(r"]]}`, V3, `constraints[0]: LIKE regex "(r" is invalid`},
		{`{"name":"a","constraints":[["rack","UNLIKE","(?=x)"]]}`, V3, `UNLIKE regex "(?=x)" is invalid`},
		{`{"name":"a","epsilon":"ten minutes"}`, V2, `"epsilon": duration "ten minutes" must start with P`},
		{`{"name":"a","epsilon":["PT1M"]}`, V2, `"epsilon" must be a string`},
		{`{"name":"a","schedule":"wtf bro"}`, V3, "Cannot parse schedule 'wtf bro'"},
		{`{"name":"a","schedule":{"iso":"R/x/P1D"}}`, V3, `"schedule" must be a string`},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.body), Scheduled, Defaults{Mode: tt.mode}, now)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Decode(%s) = %v, want %q", tt.body, err, tt.msg)
			continue
		}
		var bad *Error
		if !errors.As(err, &bad) {
			t.Errorf("Decode(%s) error is a %T, not an *Error", tt.body, err)
		}
	}
}

func TestErrorBody(t *testing.T) {
	_, err := Decode([]byte(`{"name":"my job"}`), Scheduled, Defaults{}, now)
	var body struct{ Message, Status string }
	if e := json.Unmarshal(ErrorBody(err), &body); e != nil {
		t.Fatal(e)
	}
	if body.Status != "Bad Request" || !strings.Contains(body.Message, `"my job" is invalid`) {
		t.Errorf("ErrorBody = %+v", body)
	}
	if got := string(ErrorBody(errors.New(`a "quoted" <b>`))); got != `{"message":"a \"quoted\" \u003cb\u003e","status":"Bad Request"}` {
		t.Errorf("ErrorBody = %s", got)
	}
}

func TestValidateNew(t *testing.T) {
	tests := []struct {
		body string
		kind Kind
		msg  string
	}{
		{`{"name":"a","schedule":"R/2023-03-10T00:00:00Z/P1D"}`, Scheduled, ""},
		{`{"name":"a","schedule":"R/2023-03-09T11:59:59Z/P1D"}`, Scheduled, "Scheduled start date '2023-03-09T11:59:59.000Z' is more than 1 year in the past!"},
		{`{"name":"a","schedule":"R/2012-10-01T05:52:00Z/PT2S"}`, Scheduled, "more than 1 year in the past"},
		{`{"name":"a","schedule":"0 2 * * *"}`, Scheduled, ""},
		{`{"name":"a"}`, Scheduled, ""},
		{`{"name":"c","parents":["a"]}`, Dependent, ""},
	}
	for _, tt := range tests {
		j := decodeOK(t, tt.body, tt.kind, Defaults{})
		err := j.ValidateNew(now)
		if (err == nil) != (tt.msg == "") || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("ValidateNew(%s) = %v, want %q", tt.body, err, tt.msg)
		}
	}
}
