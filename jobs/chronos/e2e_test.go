package chronos_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// TestMain lets the process executor re-execute this test binary as its
// task monitor, as the mesosbox binary does.
func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}

// TestEndToEndOnARealNode runs Chronos on a real node (store, master,
// agent, process executor): a job every 2 s runs real processes and its
// counters rise, a dependent job runs after it, a failing job retries and
// then counts an error, and run-now works.
func TestEndToEndOnARealNode(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	cfg.ChronosFailureRetry = 200 * time.Millisecond
	n := nodetest.Start(t, cfg, nil)
	base := nodetest.URL(n, cfg.ChronosPort)
	post := func(endpoint, body string) {
		t.Helper()
		resp, err := http.Post(base+endpoint, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST %s: %d %s", endpoint, resp.StatusCode, b)
		}
	}
	counter := func(name, field string) float64 {
		code, body := nodetest.Get(t, base+"/v1/scheduler/job/"+name)
		if code != http.StatusOK {
			return -1
		}
		var j map[string]any
		if json.Unmarshal([]byte(body), &j) != nil {
			return -1
		}
		v, _ := j[field].(float64)
		return v
	}
	nodetest.WaitFor(t, 10*time.Second, "chronos leader", func() bool {
		code, _ := nodetest.Get(t, base+"/scheduler/jobs")
		return code == http.StatusOK
	})
	start := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	post("/v1/scheduler/iso8601", `{"name":"tick","command":"test \"$CHRONOS_JOB_NAME\" = tick","schedule":"R/`+start+`/PT2S"}`)
	post("/scheduler/dependency", `{"name":"after-tick","command":"echo done","parents":["tick"]}`)
	post("/v1/scheduler/iso8601", `{"name":"broken","command":"exit 3","schedule":"R1/`+start+`/PT1H","retries":1}`)
	post("/v1/scheduler/iso8601", `{"name":"later","command":"echo \"$@\"","shell":true,"schedule":"R/2099-01-01T00:00:00Z/P1D"}`)

	nodetest.WaitFor(t, 20*time.Second, "tick succeeds twice", func() bool { return counter("tick", "successCount") >= 2 })
	nodetest.WaitFor(t, 10*time.Second, "after-tick runs", func() bool { return counter("after-tick", "successCount") >= 1 })
	nodetest.WaitFor(t, 10*time.Second, "broken counts an error", func() bool { return counter("broken", "errorCount") == 1 })
	if c := counter("broken", "successCount"); c != 0 {
		t.Fatalf("broken succeeded %v times", c)
	}
	req, _ := http.NewRequest("PUT", base+"/scheduler/job/later?arguments=now", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("run now: %d", resp.StatusCode)
	}
	nodetest.WaitFor(t, 10*time.Second, "run-now succeeds", func() bool { return counter("later", "successCount") == 1 })
	code, body := nodetest.Get(t, base+"/v1/scheduler/job/stat/broken")
	if code != http.StatusOK || strings.Count(body, `"status":"Fail"`) != 2 {
		t.Fatalf("job/stat: %d %s", code, body)
	}
}
