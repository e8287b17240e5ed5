package master

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/v0_views.golden")

// The v0 views are byte for byte what they were when they were generic
// maps encoded by encoding/json (the golden file was written by that
// code): labels, null labels, HTML escapes, container statuses, health,
// users, discovery, completed tasks. Ids are normalised (the master's id
// is a fresh uuid).
func TestV0ViewsGolden(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	ag := h.agent("host1", "cpus:8;mem:4096;ports:[31000-31100]")
	f := h.framework("compat <&>", nil)
	o := f.offer()
	user := "nobody"
	ti := taskInfo("t1", ag.id, "cpus:1;mem:128;ports:[31000-31001]")
	ti.Labels = &mesos.Labels{Labels: []mesos.Label{{Key: "a", Value: stringPtr("b<c>")}}}
	ti.Discovery = &mesos.DiscoveryInfo{Name: stringPtr("web")}
	ti.Command.User = &user
	ti.HealthCheck = &mesos.HealthCheck{Type: mesos.HealthCheck_TCP, TCP: &mesos.HealthCheck_TCPCheckInfo{Port: 31000}}
	ti.Container = &mesos.ContainerInfo{Type: mesos.ContainerInfo_MESOS.Enum()}
	t2 := taskInfo("t2", ag.id, "cpus:0.5;mem:64")
	t2.Labels = &mesos.Labels{}
	f.mustCall(launchCall([]mesos.OfferID{o.ID}, 3600, ti, t2, taskInfo("t3", ag.id, "cpus:0.25;mem:32")))
	healthy := true
	state := mesos.TASK_RUNNING
	id := uuid.New()
	ts := 1234567.25
	if err := h.m.AgentUpdate(agentapi.Update{AgentID: ag.id, FrameworkID: f.id, Status: mesos.TaskStatus{
		TaskID: mesos.TaskID{Value: "t1"}, State: &state, UUID: id[:], Healthy: &healthy, Timestamp: &ts,
		Labels:          &mesos.Labels{Labels: []mesos.Label{{Key: "x", Value: stringPtr("y")}}},
		ContainerStatus: &mesos.ContainerStatus{NetworkInfos: []mesos.NetworkInfo{{IPAddresses: []mesos.NetworkInfo_IPAddress{{IPAddress: stringPtr("10.0.0.1")}}}}}}}); err != nil {
		t.Fatal(err)
	}
	h.agentStatus(ag, f.id, "t3", mesos.TASK_FAILED)
	var got bytes.Buffer
	for _, p := range []string{"/master/state", "/master/tasks", "/master/tasks?order=asc&limit=2", "/master/frameworks", "/master/state-summary", "/master/slaves", "/master/roles"} {
		resp, err := http.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got.WriteString(p + "\n")
		got.Write(uuidRE.ReplaceAll(b, []byte("UUID")))
		got.WriteString("\n")
	}
	golden := filepath.Join("testdata", "v0_views.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("v0 views differ from %s:\n%s", golden, got.Bytes())
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
