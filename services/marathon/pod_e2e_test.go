package marathon_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

type e2ePodStatus struct {
	Status    string `json:"status"`
	Instances []struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		Containers []struct {
			Name      string `json:"name"`
			Status    string `json:"status"`
			Endpoints []struct {
				AllocatedHostPort int `json:"allocatedHostPort"`
			} `json:"endpoints"`
		} `json:"containers"`
	} `json:"instances"`
}

func podStatusOf(t *testing.T, base string) e2ePodStatus { return podStatusAt(t, base, "/e2e/pod") }

func podStatusAt(t *testing.T, base, id string) e2ePodStatus {
	var st e2ePodStatus
	_, out := nodetest.Get(t, base+"/v2/pods"+id+"::status")
	_ = json.Unmarshal([]byte(out), &st)
	return st
}

// stableIDs are the ids of the STABLE instances.
func stableIDs(st e2ePodStatus) []string {
	var out []string
	for _, in := range st.Instances {
		if in.Status == "STABLE" {
			out = append(out, in.ID)
		}
	}
	return out
}

func call(t *testing.T, method, url, body string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// TestNodeRunsRealPod runs a pod of two command containers as real
// processes on a node: an HTTP server on the host port of its endpoint
// (from ENDPOINT_HTTP) and a sidecar. The pod is scaled 1→2, one
// instance is killed and replaced, and the pod is deleted: its processes
// stop.
func TestNodeRunsRealPod(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	base := startMarathon(t, cfg)
	stopOnFailure(t, base, "/e2e/pod")
	pod := `{"id":"/e2e/pod","scaling":{"kind":"fixed","instances":%d},"containers":[
		{"name":"web","exec":{"command":{"shell":"exec python3 -m http.server $ENDPOINT_HTTP"}},
		 "resources":{"cpus":0.1,"mem":64},"endpoints":[{"name":"http","hostPort":0}]},
		{"name":"sidecar","exec":{"command":{"argv":["sleep","1000"]}},"resources":{"cpus":0.1,"mem":32}}]}`
	start := time.Now() // for the log only
	if code, _ := call(t, "POST", base+"/v2/pods", fmt.Sprintf(pod, 1)); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var port int
	nodetest.WaitFor(t, 30*time.Second, "one stable instance serving", func() bool {
		st := podStatusOf(t, base)
		if len(stableIDs(st)) != 1 || st.Status != "STABLE" {
			return false
		}
		port = st.Instances[0].Containers[0].Endpoints[0].AllocatedHostPort
		return answers(port)
	})
	t.Logf("created → serving: %v", time.Since(start))
	start = time.Now()
	if code, _ := call(t, "PUT", base+"/v2/pods/e2e/pod", fmt.Sprintf(pod, 2)); code != 200 {
		t.Fatalf("scale: %d", code)
	}
	nodetest.WaitFor(t, 30*time.Second, "two stable instances", func() bool {
		return len(stableIDs(podStatusOf(t, base))) == 2
	})
	t.Logf("scaled 1 → 2 stable: %v", time.Since(start))
	start = time.Now()
	victim := stableIDs(podStatusOf(t, base))[0]
	if code, _ := call(t, "DELETE", base+"/v2/pods/e2e/pod::instances/"+victim, ""); code != 200 {
		t.Fatalf("kill instance: %d", code)
	}
	nodetest.WaitFor(t, 30*time.Second, "the killed instance replaced", func() bool {
		ids := stableIDs(podStatusOf(t, base))
		return len(ids) == 2 && ids[0] != victim && ids[1] != victim
	})
	t.Logf("instance killed → replaced and stable: %v", time.Since(start))
	start = time.Now()
	code, hdr := call(t, "DELETE", base+"/v2/pods/e2e/pod", "")
	if code != 202 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("delete: %d", code)
	}
	nodetest.WaitFor(t, 30*time.Second, "pod gone and its processes stopped", func() bool {
		c, _ := nodetest.Get(t, base+"/v2/pods/e2e/pod")
		d, out := nodetest.Get(t, base+"/v2/deployments")
		return c == 404 && !answers(port) && d == 200 && out == "[]"
	})
	t.Logf("deleted → processes stopped: %v", time.Since(start))
}

// answers reports whether an HTTP server answers 200 on the port.
func answers(port int) bool {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// stopOnFailure logs the pod's status and deletes it when the test
// fails: task processes outlive their node by design.
func stopOnFailure(t *testing.T, base, id string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		_, st := nodetest.Get(t, base+"/v2/pods"+id+"::status")
		_, q := nodetest.Get(t, base+"/v2/queue")
		t.Logf("pod status: %s\nqueue: %s", st, q)
		call(t, "DELETE", base+"/v2/pods"+id+"?force=true", "")
		nodetest.WaitFor(t, 30*time.Second, "pod stopped", func() bool {
			_, out := nodetest.Get(t, base+"/v2/deployments")
			return out == "[]"
		})
	})
}

// TestContainerdPodOnBusybox runs a pod of two busybox containers through
// a real containerd: httpd on the endpoint's host port and a sidecar,
// both STABLE, then the pod is deleted.
func TestContainerdPodOnBusybox(t *testing.T) {
	cfg := nodetest.WithContainerd(t, nodetest.Config(t, "", nodetest.FreePorts(t)))
	base := startMarathon(t, cfg)
	stopOnFailure(t, base, "/docker/pod")
	pod := `{"id":"/docker/pod","containers":[
		{"name":"httpd","image":{"kind":"DOCKER","id":"busybox"},"exec":{"command":{"shell":"exec httpd -f -p $ENDPOINT_HTTP"}},
		 "resources":{"cpus":0.1,"mem":32},"endpoints":[{"name":"http","hostPort":0}]},
		{"name":"sidecar","image":{"kind":"DOCKER","id":"busybox"},"exec":{"command":{"argv":["sleep","1000"]}},
		 "resources":{"cpus":0.1,"mem":16}}]}`
	if code, _ := call(t, "POST", base+"/v2/pods", pod); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var port int
	nodetest.WaitFor(t, 60*time.Second, "both containers running", func() bool {
		st := podStatusAt(t, base, "/docker/pod")
		if len(stableIDs(st)) != 1 {
			return false
		}
		port = st.Instances[0].Containers[0].Endpoints[0].AllocatedHostPort
		return true
	})
	// RUNNING means the container started, not that httpd listens yet
	// (the pod has no health check), so give it a moment to bind.
	nodetest.WaitFor(t, 20*time.Second, fmt.Sprintf("busybox httpd answering on port %d", port), func() bool {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 2*time.Second)
		if err != nil {
			return false
		}
		conn.Close()
		return true
	})
	if code, _ := call(t, "DELETE", base+"/v2/pods/docker/pod", ""); code != 202 {
		t.Fatalf("delete: %d", code)
	}
	nodetest.WaitFor(t, 30*time.Second, "containers stopped", func() bool {
		_, out := nodetest.Get(t, base+"/v2/deployments")
		c, _ := nodetest.Get(t, base+"/v2/pods/docker/pod")
		return out == "[]" && c == 404
	})
}
