package appliance_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestDefaultTaskUser runs a node with --default-task-user daemon: a
// Marathon app that names no user and a Chronos job without runAsUser run
// as daemon, an app with "user": "nobody" as nobody.
func TestDefaultTaskUser(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	cfg.DefaultTaskUser = "daemon"
	n := nodetest.Start(t, cfg, nil)
	marathon, chronos := nodetest.URL(n, cfg.MarathonPort), nodetest.URL(n, cfg.ChronosPort)
	send := func(method, url, body string, want int) {
		t.Helper()
		var resp *http.Response
		nodetest.WaitFor(t, time.Minute, method+" "+url, func() bool {
			req, _ := http.NewRequest(method, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			var err error
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode != http.StatusServiceUnavailable // the framework still registering
		})
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, url, resp.StatusCode, want)
		}
	}
	send("POST", marathon+"/v2/apps", `{"id":"/as-default","cmd":"id -u; sleep 1000","cpus":0.1,"mem":32}`, http.StatusCreated)
	send("POST", marathon+"/v2/apps", `{"id":"/as-nobody","cmd":"id -u; sleep 1000","cpus":0.1,"mem":32,"user":"nobody"}`, http.StatusCreated)
	send("POST", chronos+"/v1/scheduler/iso8601", `{"name":"as-default-job","command":"id -u","schedule":"R1/2030-01-01T00:00:00Z/PT1H","cpus":0.1,"mem":32}`, http.StatusNoContent)
	send("PUT", chronos+"/v1/scheduler/job/as-default-job", "", http.StatusNoContent)

	// The first line of a task's stdout, from its sandbox on disk.
	output := func(executor string) func() string {
		return func() string {
			files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "agent", "slaves", "*", "frameworks", "*", "executors", executor, "runs", "latest", "stdout"))
			for _, f := range files {
				if b, err := os.ReadFile(f); err == nil && strings.HasSuffix(string(b), "\n") {
					return strings.SplitN(string(b), "\n", 2)[0]
				}
			}
			return ""
		}
	}
	for _, c := range []struct{ task, uid string }{
		{"as-default.*", "1"},
		{"as-nobody.*", "65534"},
		{"ct:*:as-default-job*", "1"},
	} {
		got := output(c.task)
		nodetest.WaitFor(t, time.Minute, c.task+" output", func() bool { return got() != "" })
		if got() != c.uid {
			t.Errorf("%s ran as uid %s, want %s", c.task, got(), c.uid)
		}
	}
}
