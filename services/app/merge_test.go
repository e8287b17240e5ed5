package app

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

var (
	t0 = time.Date(2020, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	t1 = t0.Add(time.Hour)
)

// existingApp is a stored, stamped app to update.
func existingApp(t *testing.T, body string) *App {
	t.Helper()
	a := decodeDefault(t, body)
	if err := Validate(a); err != nil {
		t.Fatal(err)
	}
	Stamp(nil, a, t0)
	return a
}

// applyUpdate merges body into prev, defaults, validates and stamps at t1.
func applyUpdate(t *testing.T, prev *App, body string) *App {
	t.Helper()
	next, err := Merge(prev, []byte(body))
	if err != nil {
		t.Fatalf("Merge(%s): %v", body, err)
	}
	Defaults(next)
	if err := Validate(next); err != nil {
		t.Fatalf("Validate after Merge(%s): %v", body, err)
	}
	Stamp(prev, next, t1)
	return next
}

func TestInspect(t *testing.T) {
	cases := []struct {
		body string
		kind UpdateKind
		ver  time.Time
		err  string
	}{
		{`{"instances":3}`, UpdateScale, time.Time{}, ""},
		{`{"id":"/a","instances":3}`, UpdateScale, time.Time{}, ""},
		{`{"instances":3,"tasksRunning":1}`, UpdateScale, time.Time{}, ""},
		{`{"instances":3,"cpus":1}`, UpdatePatch, time.Time{}, ""},
		{`{"cmd":"x"}`, UpdatePatch, time.Time{}, ""},
		{`{}`, UpdatePatch, time.Time{}, ""},
		{`{"version":"2020-01-02T03:04:05.678Z"}`, UpdateRollback, t0, ""},
		{`{"id":"/a","version":"2020-01-02T04:04:05.678+01:00","deployments":[]}`, UpdateRollback, t0, ""},
		{`{"version":null,"cmd":"xx"}`, UpdatePatch, time.Time{}, ""},
		{`{"version":"2020-01-02T03:04:05.678Z","cmd":"x"}`, UpdatePatch, time.Time{},
			`{"message":"Object is not valid","details":[{"path":"/","errors":["The 'version' field may only be combined with the 'id' field."]}]}`},
		{`{"version":"soon"}`, UpdatePatch, time.Time{},
			`{"message":"Invalid JSON","details":[{"path":"/version","errors":["error.expected.date.isoformat"]}]}`},
		{`"x"`, UpdatePatch, time.Time{}, `{"message":"Invalid JSON","details":[{"path":"","errors":["error.expected.jsobject"]}]}`},
	}
	for _, c := range cases {
		kind, ver, err := Inspect([]byte(c.body))
		if c.err != "" {
			wantBody(t, err, 422, c.err)
			continue
		}
		if err != nil || kind != c.kind || !ver.Equal(c.ver) {
			t.Errorf("Inspect(%s) = %v %v %v, want %v %v", c.body, kind, ver, err, c.kind, c.ver)
		}
	}
	if _, _, err := Inspect([]byte(`{`)); asError(t, err).Status != 400 {
		t.Errorf("syntax error status = %d", asError(t, err).Status)
	}
}

func TestMergeKeepsAbsentFields(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1","cpus":0.5,"mem":64,"instances":2,"env":{"A":"1"},"labels":{"l":"v"},
		"constraints":[["hostname","UNIQUE"]],"healthChecks":[{"protocol":"TCP"}]}`)
	next := applyUpdate(t, prev, `{"mem":128,"env":{"B":"2"},"id":"/ignored"}`)
	if next.ID != "/a" || next.Cmd != "sleep 1" || next.Cpus != 0.5 || next.Instances != 2 {
		t.Errorf("kept fields changed: %+v", next)
	}
	if next.Mem != 128 || !reflect.DeepEqual(next.Env, map[string]EnvValue{"B": Literal("2")}) {
		t.Errorf("patched fields: mem %v env %v", next.Mem, next.Env)
	}
	if !reflect.DeepEqual(next.Labels, prev.Labels) || !reflect.DeepEqual(next.Constraints, prev.Constraints) || !reflect.DeepEqual(next.HealthChecks, prev.HealthChecks) {
		t.Errorf("untouched collections changed")
	}
	if !next.VersionInfo.LastConfigChangeAt.Equal(t1) || !next.Version.Equal(t1) {
		t.Errorf("config change not stamped: %v %+v", next.Version, next.VersionInfo)
	}
	if prev.Mem != 64 || prev.Env["A"] != Literal("1") || len(prev.Env) != 1 {
		t.Errorf("Merge modified the existing app: %+v", prev)
	}
}

func TestMergeNullKeepsField(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1","mem":64}`)
	next := applyUpdate(t, prev, `{"mem":null,"labels":null}`)
	if next.Mem != 64 {
		t.Errorf("mem = %v", next.Mem)
	}
}

func TestMergeScaleStampsOnlyScaling(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1","instances":1}`)
	kind, _, err := Inspect([]byte(`{"instances":5}`))
	if err != nil || kind != UpdateScale {
		t.Fatalf("Inspect = %v %v", kind, err)
	}
	next := applyUpdate(t, prev, `{"instances":5}`)
	if next.Instances != 5 {
		t.Fatalf("instances = %d", next.Instances)
	}
	if IsConfigChange(prev, next) {
		t.Error("a scale counted as a config change")
	}
	if !next.VersionInfo.LastScalingAt.Equal(t1) || !next.VersionInfo.LastConfigChangeAt.Equal(t0) || !next.Version.Equal(t1) {
		t.Errorf("versionInfo = %v %+v", next.Version, next.VersionInfo)
	}
}

func TestMergeRollbackRefused(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1"}`)
	if _, err := Merge(prev, []byte(`{"version":"2020-01-02T03:04:05.678Z"}`)); !errors.Is(err, ErrRollback) {
		t.Errorf("Merge rollback: %v", err)
	}
	if _, err := Replace(prev, []byte(`{"id":"/a","version":"2020-01-02T03:04:05.678Z"}`)); !errors.Is(err, ErrRollback) {
		t.Errorf("Replace rollback: %v", err)
	}
	_, err := Merge(prev, []byte(`{"version":"2020-01-02T03:04:05.678Z","instances":2}`))
	wantBody(t, err, 422, `{"message":"Object is not valid","details":[{"path":"/","errors":["The 'version' field may only be combined with the 'id' field."]}]}`)
}

func TestMergeErrors(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1"}`)
	_, err := Merge(prev, []byte(`{"cpus":"lots"}`))
	wantBody(t, err, 422, `{"message":"Invalid JSON","details":[{"path":"/cpus","errors":["error.expected.jsnumber"]}]}`)
	_, err = Merge(prev, []byte(`{"cpus":`))
	if asError(t, err).Status != 400 {
		t.Errorf("syntax error: %v", err)
	}
	_, err = Merge(prev, []byte(`[]`))
	wantBody(t, err, 422, `{"message":"Invalid JSON","details":[{"path":"","errors":["error.expected.jsobject"]}]}`)
}

func TestMergeCmdArgsReplaceEachOther(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1"}`)
	next := applyUpdate(t, prev, `{"args":["sleep","2"]}`)
	if next.Cmd != "" || !reflect.DeepEqual(next.Args, []string{"sleep", "2"}) {
		t.Errorf("cmd %q args %v", next.Cmd, next.Args)
	}
	back := applyUpdate(t, next, `{"cmd":"sleep 3"}`)
	if back.Cmd != "sleep 3" || back.Args != nil {
		t.Errorf("cmd %q args %v", back.Cmd, back.Args)
	}
}

func TestMergeDeprecatedFields(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1","fetch":[{"uri":"http://h/old"}],"portDefinitions":[{"port":0,"name":"http"}]}`)
	next := applyUpdate(t, prev, `{"uris":["http://h/new.zip"],"ports":[0,0]}`)
	if len(next.Fetch) != 1 || next.Fetch[0].URI != "http://h/new.zip" || !next.Fetch[0].Extract {
		t.Errorf("fetch = %+v", next.Fetch)
	}
	if len(next.PortDefinitions) != 2 || next.PortDefinitions[0].Name != "" {
		t.Errorf("portDefinitions = %+v", next.PortDefinitions)
	}
}

func TestMergeNetworkSwitch(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","container":{"docker":{"image":"nginx"}},"portDefinitions":[{"port":0,"name":"http"}]}`)
	bridged := applyUpdate(t, prev, `{"networks":[{"mode":"container/bridge"}]}`)
	if bridged.PortDefinitions != nil || len(bridged.Container.PortMappings) != 1 || *bridged.Container.PortMappings[0].HostPort != 0 {
		t.Errorf("bridged: portDefinitions %+v mappings %+v", bridged.PortDefinitions, bridged.Container.PortMappings)
	}
	old := applyUpdate(t, prev, `{"container":{"docker":{"image":"nginx","network":"BRIDGE","portMappings":[{"containerPort":80}]}}}`)
	if old.Networks[0].Mode != NetworkBridge || old.Container.PortMappings[0].ContainerPort != 80 || old.PortDefinitions != nil {
		t.Errorf("deprecated bridge: %+v %+v %+v", old.Networks, old.Container.PortMappings, old.PortDefinitions)
	}
	host := applyUpdate(t, bridged, `{"networks":[{"mode":"host"}]}`)
	if host.Container.PortMappings != nil || len(host.PortDefinitions) != 1 {
		t.Errorf("back to host: mappings %+v portDefinitions %+v", host.Container.PortMappings, host.PortDefinitions)
	}
}

func TestMergeBecomingResident(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1"}`)
	next := applyUpdate(t, prev, `{"container":{"type":"MESOS","volumes":[{"containerPath":"data","persistent":{"size":10}}]}}`)
	if *next.UpgradeStrategy != (UpgradeStrategy{MinimumHealthCapacity: 0.5}) || !next.UnreachableStrategy.Disabled {
		t.Errorf("strategies = %+v %+v", next.UpgradeStrategy, next.UnreachableStrategy)
	}
}

func TestReplace(t *testing.T) {
	prev := existingApp(t, `{"id":"/a","cmd":"sleep 1","cpus":0.5,"labels":{"l":"v"}}`)
	next, err := Replace(prev, []byte(`{"cmd":"sleep 2"}`))
	if err != nil {
		t.Fatal(err)
	}
	Defaults(next)
	if err := Validate(next); err != nil {
		t.Fatal(err)
	}
	if next.ID != "/a" || next.Cmd != "sleep 2" || next.Cpus != DefaultCpus || len(next.Labels) != 0 {
		t.Errorf("replaced app = %+v", next)
	}
	if !next.Version.Equal(prev.Version) || !reflect.DeepEqual(next.VersionInfo, prev.VersionInfo) {
		t.Errorf("version stamps not carried: %v %+v", next.Version, next.VersionInfo)
	}
	Stamp(prev, next, t1)
	if !next.VersionInfo.LastConfigChangeAt.Equal(t1) {
		t.Errorf("versionInfo = %+v", next.VersionInfo)
	}
}

func TestUpdateKindString(t *testing.T) {
	for k, want := range map[UpdateKind]string{UpdatePatch: "patch", UpdateScale: "scale", UpdateRollback: "rollback"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q", k, k.String())
		}
	}
}

// TestInspectGoMarathonBodies: the bodies go-marathon v0.7.1 sends for
// ScaleApplicationInstances and SetApplicationVersion (it always writes
// "ports" and "dependencies", as null) are recognised.
func TestInspectGoMarathonBodies(t *testing.T) {
	n := 4
	scale, _ := json.Marshal(marathon.Application{ID: "/a", Instances: &n})
	if kind, _, err := Inspect(scale); err != nil || kind != UpdateScale {
		t.Errorf("scale body %s: %v %v", scale, kind, err)
	}
	rollback, _ := json.Marshal(marathon.ApplicationVersion{Version: "2020-01-02T03:04:05.678Z"})
	if kind, ver, err := Inspect(rollback); err != nil || kind != UpdateRollback || !ver.Equal(t0) {
		t.Errorf("rollback body %s: %v %v %v", rollback, kind, ver, err)
	}
}
