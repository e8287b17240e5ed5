package marathon_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestDockerAppOnBusybox runs a DOCKER app on the busybox image through a
// real containerd: busybox's httpd on the task's host port, healthy by
// Marathon's TCP check, then deleted.
func TestDockerAppOnBusybox(t *testing.T) {
	cfg := nodetest.WithContainerd(t, nodetest.Config(t, "", nodetest.FreePorts(t)))
	base := startMarathon(t, cfg)
	body := `{"id":"/docker/httpd","cmd":"exec httpd -f -p $PORT0","cpus":0.1,"mem":32,
		"container":{"type":"DOCKER","docker":{"image":"busybox"}},
		"healthChecks":[{"protocol":"TCP","gracePeriodSeconds":30,"intervalSeconds":1,"timeoutSeconds":2}]}`
	resp, err := http.Post(base+"/v2/apps", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	var port uint64
	nodetest.WaitFor(t, 60*time.Second, "container running and healthy", func() bool {
		_, out := nodetest.Get(t, base+"/v2/apps/docker/httpd")
		var a struct {
			App struct {
				TasksHealthy int `json:"tasksHealthy"`
				Tasks        []struct {
					State string
					Ports []uint64
				}
			}
		}
		if json.Unmarshal([]byte(out), &a) != nil || a.App.TasksHealthy != 1 || len(a.App.Tasks) != 1 {
			return false
		}
		port = a.App.Tasks[0].Ports[0]
		return a.App.Tasks[0].State == "TASK_RUNNING"
	})
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.FormatUint(port, 10)), 2*time.Second)
	if err != nil {
		t.Fatalf("busybox httpd does not answer: %v", err)
	}
	conn.Close()
	req, _ := http.NewRequest("DELETE", base+"/v2/apps/docker/httpd", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	nodetest.WaitFor(t, 30*time.Second, "container stopped", func() bool {
		code, out := nodetest.Get(t, base+"/v2/tasks")
		return code == 200 && out == `{"tasks":[]}`
	})
}
