package embedui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// startNode starts a real one-node cluster whose tasks run as processes.
func startNode(t *testing.T) (*appliance.Node, appliance.Config) {
	t.Helper()
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	nodetest.WaitFor(t, 10*time.Second, "the agent to register", func() bool {
		_, body := nodetest.Get(t, nodetest.URL(n, cfg.MasterPort)+"/master/slaves")
		return strings.Contains(body, `"pid"`)
	})
	return n, cfg
}

// waitNoTasks waits until the master knows no live task, so a test does
// not leave task processes behind (they outlive the node by design).
func waitNoTasks(t *testing.T, n *appliance.Node, cfg appliance.Config) {
	t.Helper()
	nodetest.WaitFor(t, 20*time.Second, "every task to end", func() bool {
		var m map[string]float64
		_, body := nodetest.Get(t, nodetest.URL(n, cfg.MasterPort)+"/metrics/snapshot")
		if json.Unmarshal([]byte(body), &m) != nil {
			return false
		}
		return m["master/tasks_running"]+m["master/tasks_staging"]+m["master/tasks_starting"]+m["master/tasks_killing"] == 0
	})
}

// call sends a JSON request to a node API and fails the test on an error
// status.
func call(t *testing.T, method, url, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: HTTP %d", method, url, resp.StatusCode)
	}
}

// TestMesosUI: the cluster overview shows the leader, the Raft members and
// the agent; a Marathon task shows up among the tasks, its sandbox lists
// stdout, the viewer follows stdout as the task writes it, and the killed
// task moves to the completed tasks.
func TestMesosUI(t *testing.T) {
	n, cfg := startNode(t)
	master := nodetest.URL(n, cfg.MasterPort)
	b := newBrowser(t, false)

	b.open(master + "/")
	b.waitText("td", "leader")
	b.waitJS("the agent's resource bars", `document.querySelectorAll("tr[data-agent] .meter").length === 3`)
	b.waitText(".status", "leader "+cfg.AdvertiseAddr(cfg.MasterPort))

	call(t, "POST", nodetest.URL(n, cfg.MarathonPort)+"/v2/apps",
		`{"id":"/hello","cmd":"while true; do echo hi; sleep 1; done","cpus":0.25,"mem":64,"instances":1}`)

	b.click(`header nav a[href="#/tasks"]`)
	b.waitJS("the running task", `[...document.querySelectorAll("tr[data-task]")].some(r => r.textContent.includes("hello") && r.textContent.includes("running"))`)
	b.click(`tr[data-task] td.id a`)
	b.waitJS("stdout in the sandbox", `document.querySelector('[data-file="stdout"]')`)
	b.waitJS("hi in stdout", `document.querySelector("pre.log")?.textContent.includes("hi\n")`)
	lines := b.eval("stdout lines", `document.querySelector("pre.log").textContent.split("\n").length`)
	b.waitJS("stdout to grow while followed", `document.querySelector("pre.log").textContent.split("\n").length > `+lines)
	b.screenshot("mesos-sandbox")

	b.click(`header nav a[href="#/"]`)
	b.waitJS("the framework's CPUs in use", `[...document.querySelectorAll("td")].some(td => td.textContent === "0.25")`)
	b.screenshot("mesos")

	call(t, "DELETE", nodetest.URL(n, cfg.MarathonPort)+"/v2/apps/hello", "")
	b.click(`header nav a[href="#/tasks"]`)
	b.waitText("section:last-of-type tr[data-task]", "killed")
	b.gone("section:first-of-type tr[data-task]", "hello")
	waitNoTasks(t, n, cfg)
}
