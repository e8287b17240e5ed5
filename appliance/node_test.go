package appliance_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestNodeAnswersHealthEndpoints(t *testing.T) {
	p := nodetest.FreePorts(t)
	n := nodetest.Start(t, nodetest.Config(t, "", p), nil)
	cfg := n.Config()
	checks := []struct {
		port       int
		path, body string
	}{
		{cfg.MasterPort, "/master/health", ""},
		{cfg.AgentPort, "/health", ""},
		{cfg.MarathonPort, "/ping", "pong\n"},
		{cfg.ChronosPort, "/ping", "pong\n"},
		{cfg.MarathonPort, "/v2/leader", `{"leader":"127.0.0.1:` + strconv.Itoa(p.Marathon) + `"}` + "\n"},
		{cfg.ChronosPort, "/v1/scheduler/leader", `{"leader":"127.0.0.1:` + strconv.Itoa(p.Chronos) + `"}` + "\n"},
		{cfg.ChronosPort, "/scheduler/leader", `{"leader":"127.0.0.1:` + strconv.Itoa(p.Chronos) + `"}` + "\n"},
	}
	for _, c := range checks {
		// The leader endpoints answer once the election is seen by the node.
		var code int
		var body string
		nodetest.WaitFor(t, 5*time.Second, c.path, func() bool {
			code, body = nodetest.Get(t, nodetest.URL(n, c.port)+c.path)
			return code == 200 && strings.TrimSpace(body) == strings.TrimSpace(c.body)
		})
		if code != 200 || strings.TrimSpace(body) != strings.TrimSpace(c.body) {
			t.Errorf("GET %s = %d %q, want 200 %q", c.path, code, body, c.body)
		}
	}
}

type recorder struct {
	name          string
	starts, stops *atomic.Int32
	failStart     bool
}

func (r recorder) Name() string { return r.name }
func (r recorder) Start(context.Context) error {
	if r.failStart {
		return errors.New("boom")
	}
	r.starts.Add(1)
	return nil
}
func (r recorder) Stop(context.Context) error { r.stops.Add(1); return nil }

func TestLeaderOnlyComponentsFollowLeadership(t *testing.T) {
	var starts, stops atomic.Int32
	n := nodetest.Start(t, nodetest.Config(t, "", nodetest.FreePorts(t)), func(n *appliance.Node) {
		n.AddLeaderOnly(recorder{name: "master", starts: &starts, stops: &stops})
	})
	nodetest.WaitFor(t, 5*time.Second, "leader services", func() bool { return starts.Load() == 1 })
	if err := n.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if stops.Load() != 1 {
		t.Fatalf("leader-only component stopped %d times, want 1", stops.Load())
	}
}

func TestFailingComponentFailsStart(t *testing.T) {
	var starts, stops atomic.Int32
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n, err := appliance.New(cfg, appliance.Options{Logger: nodetest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop(context.Background())
	n.AddEveryNode(recorder{name: "ok", starts: &starts, stops: &stops})
	n.AddEveryNode(recorder{name: "agent", starts: &starts, stops: &stops, failStart: true})
	err = n.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "start agent: boom") {
		t.Fatalf("want start agent error, got %v", err)
	}
	if stops.Load() != 1 {
		t.Fatalf("the started component was not stopped again")
	}
}

func TestConfigErrors(t *testing.T) {
	base := func() appliance.Config {
		c := appliance.DefaultConfig()
		c.DataDir = t.TempDir()
		return c
	}
	cases := map[string]func(*appliance.Config){
		"--bind \"nope\" is not an IP address":         func(c *appliance.Config) { c.Bind = "nope" },
		"--master-port 0 is not a port":                func(c *appliance.Config) { c.MasterPort = 0 },
		"--master-port and --agent-port are both 5050": func(c *appliance.Config) { c.AgentPort = 5050 },
		"data directory /proc/nope is not usable":      func(c *appliance.Config) { c.DataDir = "/proc/nope" },
		"--log-level \"loud\" is not one of":           func(c *appliance.Config) { c.LogLevel = "loud" },
	}
	for want, mutate := range cases {
		c := base()
		mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	cfg := appliance.DefaultConfig()
	fs := appliance.NewServeFlags(&cfg)
	env := map[string]string{"MESOSBOX_DATA_DIR": "/srv/mb", "MESOSBOX_MASTER_PORT": "6060", "MESOSBOX_BIND": "127.0.0.9"}
	if err := appliance.ParseServeFlags(fs, []string{"--bind", "127.0.0.1"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/mb" || cfg.MasterPort != 6060 || cfg.Bind != "127.0.0.1" {
		t.Fatalf("env or flag precedence wrong: %+v", cfg)
	}
}
