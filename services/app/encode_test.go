package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

var fixtures = []string{"plain_cmd", "docker_deprecated", "health_checks", "constraints_numeric", "unreachable_disabled"}

// stampFixture gives fixtures a fixed version so golden files are stable.
func stampFixture(a *App) {
	Stamp(nil, a, time.Date(2015, 8, 26, 20, 23, 39, 463_000_000, time.UTC))
}

func loadFixture(t *testing.T, name string) *App {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Decode(body, "/")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	Defaults(a)
	if err := Validate(a); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	stampFixture(a)
	return a
}

// TestFixturesGolden pins the exact canonical output of real app JSON.
func TestFixturesGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			a := loadFixture(t, name)
			out, err := Encode(a)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", name+".golden.json")
			if *updateGolden {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("output differs from %s:\n%s", golden, pretty.Bytes())
			}
		})
	}
}

// TestFixturesRoundTrip: canonical output decodes to the same value and
// re-encodes to the same bytes.
func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range fixtures {
		a := loadFixture(t, name)
		out, _ := Encode(a)
		b, err := Decode(out, "/")
		if err != nil {
			t.Fatalf("%s: decode own output: %v", name, err)
		}
		Defaults(b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", name, a, b)
		}
		again, _ := Encode(b)
		if !bytes.Equal(out, again) {
			t.Errorf("%s: re-encoding differs:\n%s\n%s", name, out, again)
		}
		var c App
		if err := json.Unmarshal(out, &c); err != nil || !reflect.DeepEqual(a, &c) {
			t.Errorf("%s: App.UnmarshalJSON: %v", name, err)
		}
	}
}

func TestEncodeShapes(t *testing.T) {
	a := loadFixture(t, "constraints_numeric")
	m := encodeMap(t, a)
	want := []any{
		[]any{"hostname", "UNIQUE"},
		[]any{"rack_id", "GROUP_BY", "3"},
		[]any{"@zone", "MAX_PER", "2"},
		[]any{"hostname", "LIKE", "srv[0-9]+"},
		[]any{"role", "IS", "1.5"},
	}
	if !reflect.DeepEqual(m["constraints"], want) {
		t.Errorf("constraints = %v", m["constraints"])
	}
	if m["version"] != "2015-08-26T20:23:39.463Z" {
		t.Errorf("version = %v", m["version"])
	}
	if m["versionInfo"].(map[string]any)["lastConfigChangeAt"] != "2015-08-26T20:23:39.463Z" {
		t.Errorf("versionInfo = %v", m["versionInfo"])
	}
	if !reflect.DeepEqual(m["labels"], map[string]any{}) {
		t.Errorf("labels = %v", m["labels"])
	}
	for _, k := range []string{"container", "env", "fetch", "healthChecks", "args", "dependencies", "secrets", "readinessChecks", "cmd "} {
		if _, ok := m[k]; ok {
			t.Errorf("empty %q printed", k)
		}
	}
	if got := m["unreachableStrategy"]; !reflect.DeepEqual(got, map[string]any{"inactiveAfterSeconds": 0.0, "expungeAfterSeconds": 0.0}) {
		t.Errorf("unreachableStrategy = %v", got)
	}

	d := encodeMap(t, loadFixture(t, "unreachable_disabled"))
	if d["unreachableStrategy"] != "disabled" {
		t.Errorf("unreachableStrategy = %v", d["unreachableStrategy"])
	}
}

func TestEncodeWith(t *testing.T) {
	a := loadFixture(t, "plain_cmd")
	out, err := EncodeWith(a, map[string]any{"tasksRunning": 2, "deployments": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if m["tasksRunning"] != 2.0 || m["id"] != "/sleeper" {
		t.Errorf("merged = %v", m)
	}
	if same, _ := EncodeWith(a, struct{}{}); !bytes.Equal(same, mustEncode(t, a)) {
		t.Error("empty extras changed the output")
	}
	if _, err := EncodeWith(a, []int{1}); err == nil {
		t.Error("non-object extras accepted")
	}
}

func mustEncode(t *testing.T, a *App) []byte {
	t.Helper()
	b, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoMarathonDecodesOutput: go-marathon v0.7.1 clients read our output
// and see the values they know about.
func TestGoMarathonDecodesOutput(t *testing.T) {
	for _, name := range fixtures {
		a := loadFixture(t, name)
		var got marathon.Application
		if err := json.Unmarshal(mustEncode(t, a), &got); err != nil {
			t.Fatalf("%s: go-marathon cannot decode: %v", name, err)
		}
		if got.ID != a.ID || got.CPUs != a.Cpus || *got.Mem != a.Mem || *got.Instances != a.Instances {
			t.Errorf("%s: id/cpus/mem/instances = %s %v %v %v", name, got.ID, got.CPUs, *got.Mem, *got.Instances)
		}
		if *got.BackoffFactor != a.BackoffFactor || *got.MaxLaunchDelaySeconds != float64(a.MaxLaunchDelaySeconds) {
			t.Errorf("%s: backoff = %v %v", name, *got.BackoffFactor, *got.MaxLaunchDelaySeconds)
		}
		if got.Version != FormatTimestamp(a.Version) || got.VersionInfo.LastConfigChangeAt != FormatTimestamp(a.Version) {
			t.Errorf("%s: version = %s %+v", name, got.Version, got.VersionInfo)
		}
		if !reflect.DeepEqual(*got.Labels, a.Labels) {
			t.Errorf("%s: labels = %v", name, *got.Labels)
		}
		if a.Cmd != "" && *got.Cmd != a.Cmd {
			t.Errorf("%s: cmd = %q", name, *got.Cmd)
		}
		if len(a.Constraints) > 0 && len(*got.Constraints) != len(a.Constraints) {
			t.Errorf("%s: constraints = %v", name, *got.Constraints)
		}
		if got.UpgradeStrategy == nil || *got.UpgradeStrategy.MinimumHealthCapacity != a.UpgradeStrategy.MinimumHealthCapacity {
			t.Errorf("%s: upgradeStrategy = %+v", name, got.UpgradeStrategy)
		}
		if len(a.HealthChecks) > 0 {
			if len(*got.HealthChecks) != len(a.HealthChecks) || (*got.HealthChecks)[0].Protocol != a.HealthChecks[0].Protocol {
				t.Errorf("%s: health checks = %+v", name, *got.HealthChecks)
			}
		}
		if len(a.PortDefinitions) > 0 && len(*got.PortDefinitions) != len(a.PortDefinitions) {
			t.Errorf("%s: portDefinitions = %+v", name, *got.PortDefinitions)
		}
		if a.Container != nil && (got.Container == nil || got.Container.Docker.Image != a.Container.Docker.Image) {
			t.Errorf("%s: container = %+v", name, got.Container)
		}
		if len(a.Fetch) > 0 && (*got.Fetch)[0].URI != a.Fetch[0].URI {
			t.Errorf("%s: fetch = %+v", name, *got.Fetch)
		}
		if len(a.Env) > 0 && len(*got.Env) != len(a.Env) {
			t.Errorf("%s: env = %v", name, *got.Env)
		}
	}
}

// TestGoMarathonRequestsDecode: what go-marathon v0.7.1 sends (it always
// writes "ports" and "dependencies", null when unset, and the old docker
// network fields) is accepted.
func TestGoMarathonRequestsDecode(t *testing.T) {
	app := marathon.NewDockerApplication().Name("/go/client").CPU(0.25).Memory(64).Count(2)
	app.Container.Docker.Container("nginx").Bridged().Expose(80, 443)
	app.AddEnv("A", "b").AddLabel("team", "x").AddConstraint("hostname", "UNIQUE")
	app.AddUris("http://example.com/x.tgz")
	hc := marathon.NewDefaultHealthCheck()
	app.AddHealthCheck(*hc)
	body, err := json.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"ports":null`) || !strings.Contains(string(body), `"network":"BRIDGE"`) {
		t.Fatalf("go-marathon no longer sends the deprecated fields this test is about: %s", body)
	}
	a, err := Decode(body, "/")
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	Defaults(a)
	if err := Validate(a); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if a.Networks[0].Mode != NetworkBridge || len(a.Container.PortMappings) != 2 || a.Container.PortMappings[1].ContainerPort != 443 {
		t.Errorf("networking = %+v %+v", a.Networks, a.Container.PortMappings)
	}
	if a.Cpus != 0.25 || a.Instances != 2 || a.Env["A"] != Literal("b") || len(a.Fetch) != 1 || !a.Fetch[0].Extract {
		t.Errorf("app = %+v", a)
	}
	if h := a.HealthChecks[0]; h.Protocol != ProtoHTTP || *h.PortIndex != 0 || h.GracePeriodSeconds != 30 || h.TimeoutSeconds != 5 {
		t.Errorf("health check = %+v", a.HealthChecks[0])
	}
}
