package app

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeScalarDefaults(t *testing.T) {
	a := decodeDefault(t, `{"id":"app","cmd":"sleep 1"}`)
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", a.ID, "/app"},
		{"cpus", a.Cpus, 1.0},
		{"mem", a.Mem, 128.0},
		{"disk", a.Disk, 0.0},
		{"gpus", a.Gpus, 0},
		{"instances", a.Instances, 1},
		{"executor", a.Executor, ""},
		{"backoffSeconds", a.BackoffSeconds, 1},
		{"backoffFactor", a.BackoffFactor, 1.15},
		{"maxLaunchDelaySeconds", a.MaxLaunchDelaySeconds, 300},
		{"killSelection", a.KillSelection, "YOUNGEST_FIRST"},
		{"role", a.Role, "*"},
		{"requirePorts", a.RequirePorts, false},
		{"labels", a.Labels, map[string]string{}},
		{"env", a.Env, map[string]EnvValue(nil)},
		{"networks", a.Networks, []Network{{Mode: "host"}}},
		{"portDefinitions", a.PortDefinitions, []PortDefinition{{Port: 0, Protocol: "tcp", Name: "default"}}},
		{"upgradeStrategy", *a.UpgradeStrategy, UpgradeStrategy{MinimumHealthCapacity: 1, MaximumOverCapacity: 1}},
		{"unreachableStrategy", *a.UnreachableStrategy, UnreachableStrategy{}},
		{"container", a.Container, (*Container)(nil)},
		{"taskKillGracePeriodSeconds", a.TaskKillGracePeriodSeconds, (*int)(nil)},
		{"version", a.Version.IsZero(), true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestDecodeNestedDefaults(t *testing.T) {
	a := decodeDefault(t, `{"id":"/a","cmd":"x y",
		"healthChecks":[{}],
		"readinessChecks":[{}],
		"fetch":[{"uri":"http://h/f"}],
		"portDefinitions":[{}],
		"networks":[{"mode":"host"}],
		"check":{"tcp":{}},
		"upgradeStrategy":{"minimumHealthCapacity":0.5},
		"unreachableStrategy":{"inactiveAfterSeconds":10},
		"container":{"docker":{"image":"busybox"}}}`)
	wantHC := HealthCheck{Protocol: "HTTP", PortIndex: ptr(0), GracePeriodSeconds: 300, IntervalSeconds: 60,
		TimeoutSeconds: 20, MaxConsecutiveFailures: 3, DelaySeconds: 15, IPProtocol: "IPv4"}
	if !reflect.DeepEqual(a.HealthChecks, []HealthCheck{wantHC}) {
		t.Errorf("health check = %+v, want %+v", a.HealthChecks[0], wantHC)
	}
	wantRC := ReadinessCheck{Name: "readinessCheck", Protocol: "HTTP", Path: "/", PortName: "http-api",
		IntervalSeconds: 30, TimeoutSeconds: 10, HTTPStatusCodesForReady: []int{200}}
	if !reflect.DeepEqual(a.ReadinessChecks, []ReadinessCheck{wantRC}) {
		t.Errorf("readiness check = %+v, want %+v", a.ReadinessChecks[0], wantRC)
	}
	if want := []Fetch{{URI: "http://h/f", Extract: true}}; !reflect.DeepEqual(a.Fetch, want) {
		t.Errorf("fetch = %+v, want %+v", a.Fetch, want)
	}
	if want := []PortDefinition{{Port: 0, Protocol: "tcp"}}; !reflect.DeepEqual(a.PortDefinitions, want) {
		t.Errorf("portDefinitions = %+v, want %+v", a.PortDefinitions, want)
	}
	if want := (Check{TCP: &CheckTCP{}, IntervalSeconds: 60, TimeoutSeconds: 20, DelaySeconds: 15}); !reflect.DeepEqual(*a.Check, want) {
		t.Errorf("check = %+v, want %+v", *a.Check, want)
	}
	if want := (UpgradeStrategy{MinimumHealthCapacity: 0.5, MaximumOverCapacity: 1}); *a.UpgradeStrategy != want {
		t.Errorf("upgradeStrategy = %+v, want %+v", *a.UpgradeStrategy, want)
	}
	if want := (UnreachableStrategy{InactiveAfterSeconds: 10}); *a.UnreachableStrategy != want {
		t.Errorf("unreachableStrategy = %+v, want %+v", *a.UnreachableStrategy, want)
	}
	c := a.Container
	if c.Type != "DOCKER" || c.Docker.ForcePullImage || c.Docker.Privileged || c.Docker.Parameters == nil || c.Volumes == nil {
		t.Errorf("container defaults wrong: %+v %+v", c, c.Docker)
	}
}

func TestDecodeRelativeIDs(t *testing.T) {
	cases := []struct{ base, id, want string }{
		{"/", "app", "/app"},
		{"/", "/app", "/app"},
		{"", "app", "/app"},
		{"/group", "app", "/group/app"},
		{"/group/sub", "../app", "/group/app"},
		{"/group", "./a/./b", "/group/a/b"},
		{"/group", "/abs/app", "/abs/app"},
		{"/", "../../app", "/app"},
		{"/g", "a//b/", "/g/a/b"},
		{"/g", "/x/../y", "/y"},
	}
	for _, c := range cases {
		a, err := Decode([]byte(`{"id":"`+c.id+`","cmd":"xx","dependencies":["dep","../up"]}`), c.base)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != c.want {
			t.Errorf("base %q id %q: got %q, want %q", c.base, c.id, a.ID, c.want)
		}
		if want := CanonicalPath("dep", c.base); a.Dependencies[0] != want {
			t.Errorf("dependency resolved to %q, want %q", a.Dependencies[0], want)
		}
	}
}

func TestDecodeSyntaxErrors(t *testing.T) {
	for _, body := range []string{``, `{`, `{"id":}`, `{"id":"a"} x`, `[1,]`, "\xff"} {
		_, err := Decode([]byte(body), "/")
		e := asError(t, err)
		if e.Status != http.StatusBadRequest || e.Message != "Invalid JSON" || e.Syntax == "" || e.Details != nil {
			t.Errorf("%q: got %+v", body, e)
		}
		b, _ := e.MarshalJSON()
		if !strings.HasPrefix(string(b), `{"message":"Invalid JSON","details":"`) {
			t.Errorf("%q: body %s", body, b)
		}
	}
}

func TestDecodeTypeErrors(t *testing.T) {
	cases := []struct {
		name, body string
		details    string
	}{
		{"not an object", `[]`, `[{"path":"","errors":["error.expected.jsobject"]}]`},
		{"missing id", `{"cmd":"x"}`, `[{"path":"/id","errors":["error.path.missing"]}]`},
		{"null id", `{"id":null}`, `[{"path":"/id","errors":["error.expected.jsstring"]}]`},
		{"number id", `{"id":1}`, `[{"path":"/id","errors":["error.expected.jsstring"]}]`},
		{"string cpus", `{"id":"a","cpus":"1"}`, `[{"path":"/cpus","errors":["error.expected.jsnumber"]}]`},
		{"fraction instances", `{"id":"a","instances":1.5}`, `[{"path":"/instances","errors":["error.expected.int"]}]`},
		{"huge instances", `{"id":"a","instances":3000000000}`, `[{"path":"/instances","errors":["error.expected.int"]}]`},
		{"fraction inactive", `{"id":"a","unreachableStrategy":{"inactiveAfterSeconds":0.5}}`, `[{"path":"/unreachableStrategy/inactiveAfterSeconds","errors":["error.expected.long"]}]`},
		{"infinite mem", `{"id":"a","mem":1e400}`, `[{"path":"/mem","errors":["error.expected.jsnumber"]}]`},
		{"bool requirePorts", `{"id":"a","requirePorts":"yes"}`, `[{"path":"/requirePorts","errors":["error.expected.jsboolean"]}]`},
		{"args object", `{"id":"a","args":{}}`, `[{"path":"/args","errors":["error.expected.jsarray"]}]`},
		{"args element", `{"id":"a","args":["a",1]}`, `[{"path":"/args(1)","errors":["error.expected.jsstring"]}]`},
		{"labels array", `{"id":"a","labels":[]}`, `[{"path":"/labels","errors":["error.expected.jsobject"]}]`},
		{"label value", `{"id":"a","labels":{"k":1}}`, `[{"path":"/labels/k","errors":["error.expected.jsstring"]}]`},
		{"env value", `{"id":"a","env":{"K":true}}`, `[{"path":"/env/K","errors":["error.expected.jsstring"]}]`},
		{"env secret missing", `{"id":"a","env":{"K":{}}}`, `[{"path":"/env/K/secret","errors":["error.path.missing"]}]`},
		{"cpus too small", `{"id":"a","cpus":0}`, `[{"path":"/cpus","errors":["error.min"]}]`},
		{"negative mem, disk, gpus, instances", `{"id":"a","mem":-1,"disk":-1,"gpus":-1,"instances":-1}`,
			`[{"path":"/mem","errors":["error.min"]},{"path":"/disk","errors":["error.min"]},{"path":"/gpus","errors":["error.min"]},{"path":"/instances","errors":["error.min"]}]`},
		{"backoff", `{"id":"a","backoffFactor":0.5,"backoffSeconds":-1,"maxLaunchDelaySeconds":-1}`,
			`[{"path":"/backoffSeconds","errors":["error.min"]},{"path":"/backoffFactor","errors":["error.min"]},{"path":"/maxLaunchDelaySeconds","errors":["error.min"]}]`},
		{"upgrade strategy range", `{"id":"a","upgradeStrategy":{"minimumHealthCapacity":1.2,"maximumOverCapacity":-0.1}}`,
			`[{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["error.max"]},{"path":"/upgradeStrategy/maximumOverCapacity","errors":["error.min"]}]`},
		{"empty cmd", `{"id":"a","cmd":""}`, `[{"path":"/cmd","errors":["error.minLength"]}]`},
		{"kill selection", `{"id":"a","killSelection":"RANDOM"}`, `[{"path":"/killSelection","errors":["error.unknown.enum.literal"]}]`},
		{"container type", `{"id":"a","container":{"type":"APPC"}}`, `[{"path":"/container/type","errors":["error.unknown.enum.literal"]}]`},
		{"docker image missing", `{"id":"a","container":{"docker":{}}}`, `[{"path":"/container/docker/image","errors":["error.path.missing"]}]`},
		{"docker image empty", `{"id":"a","container":{"docker":{"image":""}}}`, `[{"path":"/container/docker/image","errors":["error.minLength"]}]`},
		{"network mode", `{"id":"a","networks":[{"mode":"overlay"}]}`, `[{"path":"/networks(0)/mode","errors":["error.unknown.enum.literal"]}]`},
		{"network name", `{"id":"a","networks":[{"mode":"container","name":"Bad_Name"}]}`, `[{"path":"/networks(0)/name","errors":["error.pattern"]}]`},
		{"port range", `{"id":"a","portDefinitions":[{"port":70000},{"port":-1}]}`,
			`[{"path":"/portDefinitions(0)/port","errors":["error.max"]},{"path":"/portDefinitions(1)/port","errors":["error.min"]}]`},
		{"port name", `{"id":"a","portDefinitions":[{"name":"HTTP"}]}`, `[{"path":"/portDefinitions(0)/name","errors":["error.pattern"]}]`},
		{"port protocol", `{"id":"a","portDefinitions":[{"protocol":"sctp"}]}`, `[{"path":"/portDefinitions(0)/protocol","errors":["error.unknown.enum.literal"]}]`},
		{"health protocol", `{"id":"a","healthChecks":[{"protocol":"UDP"}]}`, `[{"path":"/healthChecks(0)/protocol","errors":["error.unknown.enum.literal"]}]`},
		{"health grace", `{"id":"a","healthChecks":[{"gracePeriodSeconds":-5}]}`, `[{"path":"/healthChecks(0)/gracePeriodSeconds","errors":["error.min"]}]`},
		{"health command", `{"id":"a","healthChecks":[{"command":{}}]}`, `[{"path":"/healthChecks(0)/command/value","errors":["error.path.missing"]}]`},
		{"constraint not array", `{"id":"a","constraints":["hostname"]}`, `[{"path":"/constraints(0)","errors":["error.expected.jsarray"]}]`},
		{"constraint element", `{"id":"a","constraints":[["hostname",true]]}`, `[{"path":"/constraints(0)(1)","errors":["error.expected.jsstring"]}]`},
		{"fetch uri", `{"id":"a","fetch":[{}]}`, `[{"path":"/fetch(0)/uri","errors":["error.path.missing"]}]`},
		{"unreachable string", `{"id":"a","unreachableStrategy":"never"}`, `[{"path":"/unreachableStrategy","errors":["error.expected.jsobject"]}]`},
		{"unreachable negative", `{"id":"a","unreachableStrategy":{"expungeAfterSeconds":-1}}`, `[{"path":"/unreachableStrategy/expungeAfterSeconds","errors":["error.min"]}]`},
		{"secret source", `{"id":"a","secrets":{"s":{"source":""}}}`, `[{"path":"/secrets/s/source","errors":["error.minLength"]}]`},
		{"version", `{"id":"a","version":"yesterday"}`, `[{"path":"/version","errors":["error.expected.date.isoformat"]}]`},
		{"resource limit", `{"id":"a","resourceLimits":{"cpus":"lots"}}`, `[{"path":"/resourceLimits/cpus","errors":["error.expected.jsnumber"]}]`},
		{"readiness codes", `{"id":"a","readinessChecks":[{"httpStatusCodesForReady":[99,1000]}]}`,
			`[{"path":"/readinessChecks(0)/httpStatusCodesForReady(0)","errors":["error.min"]},{"path":"/readinessChecks(0)/httpStatusCodesForReady(1)","errors":["error.max"]}]`},
		{"deprecated ports", `{"id":"a","ports":[1,"2",70000]}`, `[{"path":"/ports(1)","errors":["error.expected.jsnumber"]},{"path":"/ports(2)","errors":["error.max"]}]`},
		{"deprecated uris", `{"id":"a","uris":[""]}`, `[{"path":"/uris(0)","errors":["error.minLength"]}]`},
		{"docker network", `{"id":"a","container":{"docker":{"image":"x","network":"OVERLAY"}}}`, `[{"path":"/container/docker/network","errors":["error.unknown.enum.literal"]}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.body), "/")
			wantBody(t, err, http.StatusUnprocessableEntity, `{"message":"Invalid JSON","details":`+c.details+`}`)
		})
	}
}

func TestDecodeLenientInputs(t *testing.T) {
	a := decodeDefault(t, `{
		"id": "a", "cmd": null, "args": ["x"], "instances": 2.0, "cpus": 1e-1,
		"killSelection": "oldest_first", "unknownField": {"anything": [1, 2]},
		"container": {"type": "mesos", "docker": {"image": "busybox"}},
		"networks": [{"mode": "Container/Bridge"}],
		"portDefinitions": null, "dependencies": null, "ports": null,
		"healthChecks": [{"protocol": "mesos_tcp"}],
		"unreachableStrategy": "DISABLED",
		"tasksRunning": 3, "deployments": [{"id": "x"}]}`)
	if a.Cmd != "" || a.Instances != 2 || a.Cpus != 0.1 || a.KillSelection != KillOldestFirst {
		t.Errorf("scalars: %+v", a)
	}
	if a.Container.Type != ContainerMesos || a.Networks[0].Mode != NetworkBridge || a.HealthChecks[0].Protocol != ProtoMesosTCP {
		t.Errorf("enums not canonicalised: %+v %+v %+v", a.Container, a.Networks, a.HealthChecks)
	}
	if !a.UnreachableStrategy.Disabled {
		t.Errorf("unreachableStrategy = %+v", a.UnreachableStrategy)
	}
	if err := Validate(a); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestDecodeConstraints(t *testing.T) {
	a := decodeDefault(t, `{"id":"a","cmd":"xx","constraints":[
		["hostname","unique"], ["rack","GROUP_BY",3], ["disk","MAX_PER",1.5], ["zone","cluster","a"], ["x","BOGUS","y"]]}`)
	want := []Constraint{
		{Field: "hostname", Operator: "UNIQUE"},
		{Field: "rack", Operator: "GROUP_BY", Value: ptr("3")},
		{Field: "disk", Operator: "MAX_PER", Value: ptr("1.5")},
		{Field: "zone", Operator: "CLUSTER", Value: ptr("a")},
		{Field: "x", Operator: "BOGUS", Value: ptr("y")},
	}
	if !reflect.DeepEqual(a.Constraints, want) {
		t.Errorf("constraints = %+v", a.Constraints)
	}
	_, err := Decode([]byte(`{"id":"a","constraints":[["hostname"],["a","UNIQUE","b","c"],[]]}`), "/")
	wantBody(t, err, 422, `{"message":"Object is not valid","details":[
		{"path":"/constraints(0)","errors":["Each constraint must have either 2 or 3 fields"]},
		{"path":"/constraints(1)","errors":["Each constraint must have either 2 or 3 fields"]},
		{"path":"/constraints(2)","errors":["Each constraint must have either 2 or 3 fields"]}]}`)
}

func TestDecodeEnvAndSecrets(t *testing.T) {
	a := decodeDefault(t, `{"id":"a","cmd":"xx","env":{"PLAIN":"v","DB":{"secret":"db"}},"secrets":{"db":{"source":"/vault/db"}}}`)
	if a.Env["PLAIN"] != Literal("v") || a.Env["PLAIN"].IsSecret() {
		t.Errorf("PLAIN = %+v", a.Env["PLAIN"])
	}
	if !a.Env["DB"].IsSecret() || *a.Env["DB"].Secret != "db" {
		t.Errorf("DB = %+v", a.Env["DB"])
	}
	if a.Secrets["db"].Source != "/vault/db" {
		t.Errorf("secrets = %+v", a.Secrets)
	}
	m := encodeMap(t, a)
	if !reflect.DeepEqual(m["env"], map[string]any{"PLAIN": "v", "DB": map[string]any{"secret": "db"}}) {
		t.Errorf("encoded env = %v", m["env"])
	}
}
