package agent

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

func testConfig(t *testing.T) Config {
	e, err := executor.New(context.Background(), executor.Options{Mode: executor.ModeProcess, StateDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return Config{
		MasterURL: func() string { return "" },
		Address:   "127.0.0.1:5051",
		WorkDir:   t.TempDir(),
		Executor:  e,
	}
}

// TestBadFlags gives clear one-line errors for bad --resources and
// --attributes.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		resources, attributes, want string
	}{
		{"cpus:abc", "", `--resources: invalid resource "cpus:abc": "abc" is not a number`},
		{"ports:31000", "", `--resources: invalid resource "ports:31000"`},
		{"cpus(web):2", "", `reservations are not supported`},
		{"mem", "", `expected "name:value"`},
		{"", "rack", `--attributes: invalid attribute "rack": expected "name:value"`},
		{"", ":x", `empty attribute name`},
		{"", "slots:[5-1]", `begin is greater than end`},
		{"", "tags:{a,}", `empty item in set`},
		{"", "zone:", `empty value`},
		{"", "a:[1-2", `unterminated ranges`},
		{"", "a:b,c", `contains one of`},
	} {
		cfg := testConfig(t)
		cfg.Resources, cfg.Attributes = tc.resources, tc.attributes
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("resources %q attributes %q: %v, want %q", tc.resources, tc.attributes, err, tc.want)
		}
	}
	cfg := testConfig(t)
	cfg.Address = "no-port"
	if _, err := New(cfg); err == nil {
		t.Error("an address without a port was accepted")
	}
}

func TestParseAttributes(t *testing.T) {
	attrs, err := ParseAttributes("rack:a; zone:z1;cores:8;load:0.5;slots:[1-4,10-12];tags:{ssd,gpu};;")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		typ  mesos.Value_Type
	}{{"rack", mesos.TEXT}, {"zone", mesos.TEXT}, {"cores", mesos.SCALAR}, {"load", mesos.SCALAR}, {"slots", mesos.RANGES}, {"tags", mesos.SET}}
	if len(attrs) != len(want) {
		t.Fatalf("%d attributes: %+v", len(attrs), attrs)
	}
	for i, w := range want {
		if attrs[i].Name != w.name || attrs[i].Type != w.typ {
			t.Errorf("attribute %d: %s %s, want %s %s", i, attrs[i].Name, attrs[i].Type, w.name, w.typ)
		}
	}
	v0 := attributesV0(attrs)
	if v0["rack"] != "a" || v0["cores"] != 8.0 || v0["slots"] != "[1-4, 10-12]" || v0["tags"] != "{ssd,gpu}" {
		t.Fatalf("v0 %v", v0)
	}
	if attrs, err := ParseAttributes(""); err != nil || len(attrs) != 0 {
		t.Fatalf("empty: %v %v", attrs, err)
	}
}

// TestResourceDetection fills what --resources leaves out from the
// machine and keeps what it gives.
func TestResourceDetection(t *testing.T) {
	dir := t.TempDir()
	r, err := machineResources("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.CPUs != resources.ScalarOf(float64(runtime.NumCPU())) || r.Mem <= 0 || r.Disk <= 0 ||
		r.Ports.String() != "[31000-32000]" {
		t.Fatalf("detected %s", r)
	}
	r2, err := machineResources("cpus:1.5;disk:0;ports:[5000-5001];bandwidth:100", dir)
	if err != nil {
		t.Fatal(err)
	}
	if r2.CPUs != resources.ScalarOf(1.5) || r2.Disk != 0 || r2.Mem != r.Mem ||
		r2.Ports.String() != "[5000-5001]" || r2.Scalar("bandwidth") != resources.ScalarOf(100) {
		t.Fatalf("overridden %s", r2)
	}
}
