package appliance_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestMshRunsUnmodified builds mesos-go v0.0.11's msh, an unmodified
// Mesos framework that speaks the protobuf encoding, and runs
// `msh -master HOST:PORT -- /bin/echo hi` against a node. It must exit 0,
// and the task's "hi" must be readable the way the Mesos UI and megos read
// it: the executor's directory from the agent's /state, then /files/read.
func TestMshRunsUnmodified(t *testing.T) {
	msh := filepath.Join(t.TempDir(), "msh")
	build := exec.Command("go", "build", "-o", msh, "github.com/mesos/mesos-go/api/v1/cmd/msh")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build msh: %v\n%s", err, out)
	}
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	agentURL := nodetest.URL(n, cfg.AgentPort)
	nodetest.WaitFor(t, 10*time.Second, "the agent to register", func() bool {
		_, body := nodetest.Get(t, nodetest.URL(n, cfg.MasterPort)+"/master/slaves")
		return strings.Contains(body, `"active":true`)
	})

	var out bytes.Buffer
	cmd := exec.Command(msh, "-master", "127.0.0.1:"+strconv.Itoa(cfg.MasterPort), "--", "/bin/echo", "hi")
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("msh failed: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("msh did not finish\n%s", out.String())
	}

	var state struct {
		Frameworks []struct {
			Name               string                       `json:"name"`
			Executors          []struct{ Directory string } `json:"executors"`
			CompletedExecutors []struct{ Directory string } `json:"completed_executors"`
		} `json:"frameworks"`
		CompletedFrameworks []struct {
			Name               string                       `json:"name"`
			CompletedExecutors []struct{ Directory string } `json:"completed_executors"`
		} `json:"completed_frameworks"`
	}
	resp, err := http.Get(agentURL + "/state")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	var dirs []string
	for _, f := range state.Frameworks {
		if f.Name == "msh" {
			for _, e := range append(f.Executors, f.CompletedExecutors...) {
				dirs = append(dirs, e.Directory)
			}
		}
	}
	for _, f := range state.CompletedFrameworks {
		if f.Name == "msh" {
			for _, e := range f.CompletedExecutors {
				dirs = append(dirs, e.Directory)
			}
		}
	}
	if len(dirs) != 1 {
		t.Fatalf("msh's task directories in /state: %v", dirs)
	}
	code, body := nodetest.Get(t, agentURL+"/files/read?offset=0&path="+url.QueryEscape(dirs[0]+"/stdout"))
	var read struct{ Data string }
	json.Unmarshal([]byte(body), &read)
	if code != 200 || read.Data != "hi\n" {
		t.Fatalf("stdout of msh's task: %d %q", code, body)
	}
}
