package marathon

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

const testPod = `{"id":"/web/pod","labels":{"tier":"front"},"scaling":{"kind":"fixed","instances":1},
 "containers":[
  {"name":"app","exec":{"command":{"shell":"sleep 1000"}},"resources":{"cpus":0.1,"mem":16},
   "endpoints":[{"name":"http","hostPort":0}]},
  {"name":"sidecar","exec":{"command":{"argv":["sleep","1000"]}},"resources":{"cpus":0.1,"mem":16}}]}`

type podStatusT struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Instances []struct {
		ID            string `json:"id"`
		Status        string `json:"status"`
		AgentHostname string `json:"agentHostname"`
		Containers    []struct {
			Name        string `json:"name"`
			ContainerID string `json:"containerId"`
			Status      string `json:"status"`
			Endpoints   []struct {
				Name              string `json:"name"`
				AllocatedHostPort int    `json:"allocatedHostPort"`
			} `json:"endpoints"`
		} `json:"containers"`
	} `json:"instances"`
}

func (e *env) podStatus(id string) podStatusT {
	e.t.Helper()
	var st podStatusT
	if code, _, body := e.do("GET", "/v2/pods"+id+"::status", nil, &st); code != 200 {
		e.t.Fatalf("status: %d %s", code, body)
	}
	return st
}

// stableInstances are the ids of the pod's STABLE instances.
func (e *env) stableInstances(id string) []string {
	var out []string
	for _, in := range e.podStatus(id).Instances {
		if in.Status == podStable {
			out = append(out, in.ID)
		}
	}
	return out
}

func TestPodsAPILifecycle(t *testing.T) {
	e := newEnv(t)
	// The executor's 10 MiB of disk count, as in Marathon.
	e.addAgent("host-a", "cpus:8;mem:8192;disk:1000;ports:[31000-31100]")
	if code, _, _ := e.do("HEAD", "/v2/pods", nil, nil); code != 200 {
		t.Fatalf("HEAD /v2/pods: %d", code)
	}
	var created map[string]any
	code, hdr, body := e.do("POST", "/v2/pods", testPod, &created)
	if code != 201 || hdr.Get("Location") != e.srv.URL+"/v2/pods/web/pod" || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("create: %d %v %s", code, hdr, body)
	}
	for _, want := range []string{`"executorResources":{"cpus":0.1,"mem":32,"disk":10,"gpus":0}`, `"networks":[{"mode":"host"}]`,
		`"killSelection":"YOUNGEST_FIRST"`, `"protocol":["tcp"]`, `"role":"*"`, `"version":"2026-03-01T12:00:00.000Z"`} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("created pod lacks %s: %s", want, body)
		}
	}
	waitFor(t, "one stable instance", func() bool { return len(e.stableInstances("/web/pod")) == 1 })
	waitFor(t, "deployment done", func() bool { return e.deployments() == 0 })
	st := e.podStatus("/web/pod")
	in := st.Instances[0]
	if st.Status != podStable || in.AgentHostname != "host-a" || len(in.Containers) != 2 ||
		!strings.HasPrefix(in.ID, "web_pod.instance-") || in.Containers[0].ContainerID != in.ID+".app" {
		t.Fatalf("status %+v", st)
	}
	if ep := in.Containers[0].Endpoints; len(ep) != 1 || ep[0].Name != "http" || ep[0].AllocatedHostPort < 31000 {
		t.Fatalf("endpoints %+v", ep)
	}
	// Each container ran as its own task with the pod's environment.
	launched := e.agents[0].launchedTask(in.ID + ".app")
	env := map[string]string{}
	for _, v := range launched.GetCommand().GetEnvironment().GetVariables() {
		env[v.Name] = v.GetValue()
	}
	if env["MARATHON_APP_ID"] != "/web/pod" || env["MESOS_TASK_ID"] != in.ID+".app" ||
		env["ENDPOINT_HTTP"] == "" || env["MARATHON_CONTAINER_ID"] != "app" || env["MARATHON_APP_LABEL_TIER"] != "front" {
		t.Fatalf("environment %v", env)
	}

	// List, get, versions, groups.
	var list []map[string]any
	e.do("GET", "/v2/pods", nil, &list)
	if len(list) != 1 || list[0]["id"] != "/web/pod" {
		t.Fatalf("list %v", list)
	}
	var versions []string
	e.do("GET", "/v2/pods/web/pod::versions", nil, &versions)
	if len(versions) != 1 {
		t.Fatalf("versions %v", versions)
	}
	if code, _, body := e.do("GET", "/v2/pods/web/pod::versions/"+versions[0], nil, nil); code != 200 || !strings.Contains(string(body), `"id":"/web/pod"`) {
		t.Fatalf("version: %d %s", code, body)
	}
	var group struct {
		Pods []struct {
			ID string `json:"id"`
		} `json:"pods"`
	}
	e.do("GET", "/v2/groups/web", nil, &group)
	if len(group.Pods) != 1 || group.Pods[0].ID != "/web/pod" {
		t.Fatalf("group pods %+v", group)
	}

	// Scale to 2 with PUT.
	scaled := strings.Replace(testPod, `"instances":1`, `"instances":2`, 1)
	if code, hdr, body := e.do("PUT", "/v2/pods/web/pod", scaled, nil); code != 200 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("scale: %d %s", code, body)
	}
	waitFor(t, "two stable instances", func() bool { return len(e.stableInstances("/web/pod")) == 2 })
	first := e.stableInstances("/web/pod")
	if !slices.Contains(first, in.ID) {
		t.Fatalf("scaling replaced the running instance: %v", first)
	}

	// Kill one instance: it is replaced.
	if code, _, body := e.do("DELETE", "/v2/pods/web/pod::instances/"+in.ID, nil, nil); code != 200 || !strings.Contains(string(body), in.ID) {
		t.Fatalf("kill instance: %d %s", code, body)
	}
	waitFor(t, "the killed instance replaced", func() bool {
		ids := e.stableInstances("/web/pod")
		return len(ids) == 2 && !slices.Contains(ids, in.ID)
	})
	// A failed container takes its instance down; the instance is replaced.
	victim := e.stableInstances("/web/pod")[0]
	e.agents[0].fail(e.frameworkID(), victim+".sidecar")
	waitFor(t, "the failed instance's other container killed", func() bool { return !e.agents[0].isRunning(victim + ".app") })
	e.clk.Advance(2 * time.Second) // the pod's launch backoff after a failure
	waitFor(t, "the failed instance replaced", func() bool {
		ids := e.stableInstances("/web/pod")
		return len(ids) == 2 && !slices.Contains(ids, victim)
	})
	// Kill both instances at once.
	both := e.stableInstances("/web/pod")
	ids, _ := json.Marshal(both)
	if code, _, body := e.do("DELETE", "/v2/pods/web/pod::instances", string(ids), nil); code != 200 {
		t.Fatalf("kill instances: %d %s", code, body)
	}
	waitFor(t, "both replaced", func() bool {
		now := e.stableInstances("/web/pod")
		return len(now) == 2 && !slices.Contains(now, both[0]) && !slices.Contains(now, both[1])
	})

	// Delete.
	code, hdr, _ = e.do("DELETE", "/v2/pods/web/pod", nil, nil)
	if code != 202 || hdr.Get("Marathon-Deployment-Id") == "" || hdr.Get("Location") == "" {
		t.Fatalf("delete: %d %v", code, hdr)
	}
	waitFor(t, "no task left", func() bool { return e.agents[0].runningCount() == 0 && e.deployments() == 0 })
	if code, _, _ := e.do("GET", "/v2/pods/web/pod", nil, nil); code != 404 {
		t.Fatalf("deleted pod: %d", code)
	}
}

func TestPodsAPIErrors(t *testing.T) {
	e := newEnv(t)
	if code, _, body := e.do("POST", "/v2/pods", testPod, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	// No agent: the instance waits in the queue, as a pod.
	var queue struct {
		Queue []struct {
			Count int `json:"count"`
			Pod   struct {
				ID string `json:"id"`
			} `json:"pod"`
		} `json:"queue"`
	}
	waitFor(t, "the pod queued", func() bool {
		e.do("GET", "/v2/queue", nil, &queue)
		return len(queue.Queue) == 1 && queue.Queue[0].Pod.ID == "/web/pod" && queue.Queue[0].Count == 1
	})
	e.do("POST", "/v2/apps", `{"id":"/solo","cmd":"sleep 1","instances":0}`, nil)
	cases := []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"malformed", "POST", "/v2/pods", `{"id":`, 400, `{"message":"Invalid JSON","details":*`},
		{"type error", "POST", "/v2/pods", `{"id":"/p","containers":[{"name":5}]}`, 422,
			`{"message":"Invalid JSON","details":[{"path":"/containers(0)/name","errors":["error.expected.jsstring"]}]}`},
		{"no id", "POST", "/v2/pods", `{"containers":[]}`, 422, `{"message":"Invalid JSON","details":[{"path":"/id","errors":["error.path.missing"]}]}`},
		{"no containers", "POST", "/v2/pods", `{"id":"/p"}`, 422, `{"message":"Object is not valid","details":[{"path":"/containers","errors":["must not be empty"]}]}`},
		{"bad container name", "POST", "/v2/pods", `{"id":"/p","containers":[{"name":"Bad_Name","exec":{"command":{"shell":"x"}},"resources":{"cpus":1,"mem":1}}]}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/containers(0)/name","errors":["must fully match regular expression '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'"]}]}`},
		{"negative instances", "POST", "/v2/pods", `{"id":"/p","scaling":{"kind":"fixed","instances":-1},"containers":[{"name":"c","exec":{"command":{"shell":"x"}},"resources":{"cpus":1,"mem":1}}]}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/scaling/instances","errors":["got -1, expected 0 or more"]}]}`},
		{"duplicate endpoint", "POST", "/v2/pods", `{"id":"/p","containers":[{"name":"c","exec":{"command":{"shell":"x"}},"resources":{"cpus":1,"mem":1},"endpoints":[{"name":"e","hostPort":0},{"name":"e","hostPort":0}]}]}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/containers(0)/endpoints(1)/name","errors":["endpoint names are not unique"]}]}`},
		{"duplicate pod", "POST", "/v2/pods", testPod, 409, `{"message":"A pod with id [/web/pod] already exists."}`},
		{"pod where an app is", "POST", "/v2/pods", strings.Replace(testPod, "/web/pod", "/solo", 1), 409, `{"message":"An app with id [/solo] already exists."}`},
		{"app where a pod is", "POST", "/v2/apps", `{"id":"/web/pod","cmd":"sleep 1"}`, 409, `{"message":"A pod with id [/web/pod] already exists."}`},
		{"unknown pod", "GET", "/v2/pods/nope", "", 404, `{"message":"Pod '/nope' does not exist"}`},
		{"unknown status", "GET", "/v2/pods/nope::status", "", 404, `{"message":"Pod '/nope' does not exist"}`},
		{"unknown delete", "DELETE", "/v2/pods/nope", "", 404, `{"message":"Pod '/nope' does not exist"}`},
		{"unknown version", "GET", "/v2/pods/web/pod::versions/2020-01-01T00:00:00.000Z", "", 404, `{"message":"Pod '/web/pod' does not exist in version 2020-01-01T00:00:00.000Z"}`},
		{"unknown instance", "DELETE", "/v2/pods/web/pod::instances/web_pod.instance-x", "", 404, `{"message":"Instance 'web_pod.instance-x' does not exist"}`},
		{"locked", "PUT", "/v2/pods/web/pod", strings.Replace(testPod, `"instances":1`, `"instances":3`, 1), 409, `{"deployments":[*`},
		{"id mismatch", "PUT", "/v2/pods/web/other", testPod, 422, `{"message":"Object is not valid","details":[{"path":"/id","errors":["Pod id in the body does not match the id of the URL"]}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := e.do(c.method, c.path, c.body, nil)
			got := strings.TrimSpace(string(body))
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, got)
			}
			if strings.HasSuffix(c.want, "*") {
				if !strings.HasPrefix(got, strings.TrimSuffix(c.want, "*")) {
					t.Fatalf("body %s, want prefix %s", got, c.want)
				}
			} else if !jsonEqual(got, c.want) {
				t.Fatalf("body %s\nwant %s", got, c.want)
			}
		})
	}
	// The pod's deployment prints the pod actions.
	var plans []struct {
		AffectedApps []string `json:"affectedApps"`
		AffectedPods []string `json:"affectedPods"`
		Steps        []struct {
			Actions []map[string]string `json:"actions"`
		} `json:"steps"`
	}
	e.do("GET", "/v2/deployments", nil, &plans)
	found := false
	for _, p := range plans {
		if len(p.AffectedPods) == 1 && p.AffectedPods[0] == "/web/pod" && len(p.AffectedApps) == 0 {
			found = p.Steps[0].Actions[0]["action"] == "StartPod" && p.Steps[0].Actions[0]["pod"] == "/web/pod"
		}
	}
	if !found {
		t.Fatalf("pod deployment plan %+v", plans)
	}

	// DELETE /v2/deployments/{id} rolls a pod update back: the pod is as
	// it was before.
	// (No agent: the deployment of the update cannot finish.)
	if code, _, body := e.do("PUT", "/v2/pods/web/pod?force=true", strings.Replace(testPod, `"tier":"front"`, `"tier":"back"`, 1), nil); code != 200 {
		t.Fatalf("update: %d %s", code, body)
	}
	var pending []struct {
		ID string `json:"id"`
	}
	e.do("GET", "/v2/deployments", nil, &pending)
	if len(pending) != 1 {
		t.Fatalf("deployments %+v", pending)
	}
	if code, hdr, body := e.do("DELETE", "/v2/deployments/"+pending[0].ID, nil, nil); code != 200 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("rollback: %d %s", code, body)
	}
	var back struct {
		Labels  map[string]string `json:"labels"`
		Scaling struct {
			Instances int `json:"instances"`
		} `json:"scaling"`
	}
	e.do("GET", "/v2/pods/web/pod", nil, &back)
	if back.Labels["tier"] != "front" || back.Scaling.Instances != 1 {
		t.Fatalf("rolled back to %+v", back)
	}
}

func (a *fakeAgent) launchedTask(id string) mesos.TaskInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.launched[id]
}

func (a *fakeAgent) isRunning(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.running[id]
}

// A new leader loads the pods and their instances from the store and
// adopts the running instances: none is relaunched, and a later scale-up
// launches only the missing instance.
func TestPodsSurviveLeaderChange(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:8;mem:8192;disk:1000;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/pods", strings.Replace(testPod, `"instances":1`, `"instances":2`, 1), nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "two stable instances", func() bool { return len(e.stableInstances("/web/pod")) == 2 && e.deployments() == 0 })
	before := e.stableInstances("/web/pod")
	fw := e.frameworkID()
	if err := e.svc.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.start()
	waitFor(t, "re-subscribed", func() bool { return e.svc.drv != nil && e.svc.drv.FrameworkID() == fw })
	if got := e.stableInstances("/web/pod"); !slices.Equal(got, before) {
		t.Fatalf("instances after the leader change %v, want %v", got, before)
	}
	if code, _, body := e.do("PUT", "/v2/pods/web/pod", strings.Replace(testPod, `"instances":1`, `"instances":3`, 1), nil); code != 200 {
		t.Fatalf("scale: %d %s", code, body)
	}
	waitFor(t, "three stable instances", func() bool { return len(e.stableInstances("/web/pod")) == 3 && e.deployments() == 0 })
	after := e.stableInstances("/web/pod")
	if !slices.Contains(after, before[0]) || !slices.Contains(after, before[1]) || ag.launchedCount() != 6 {
		t.Fatalf("instances %v (before %v), %d container tasks launched, want 6", after, before, ag.launchedCount())
	}
}

// Deleting a group deletes the pods in it, and their instances stop.
func TestPodsGoWithTheirGroup(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;disk:1000;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/pods", testPod, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "one stable instance", func() bool { return len(e.stableInstances("/web/pod")) == 1 && e.deployments() == 0 })
	if code, _, body := e.do("DELETE", "/v2/groups/web", nil, nil); code != 200 {
		t.Fatalf("delete group: %d %s", code, body)
	}
	if code, _, _ := e.do("GET", "/v2/pods/web/pod", nil, nil); code != 404 {
		t.Fatalf("pod of a deleted group: %d", code)
	}
	waitFor(t, "its instance stopped", func() bool { return e.agents[0].runningCount() == 0 && e.deployments() == 0 })
}

// A container's health check goes to Mesos with the endpoint's host
// port; the instance is STABLE, and its deployment done, only once Mesos
// reports the container healthy.
func TestPodHealthCheck(t *testing.T) {
	e := newEnv(t)
	ag := e.addAgent("host-a", "cpus:8;mem:8192;disk:1000;ports:[31000-31100]")
	pod := strings.Replace(testPod, `"endpoints":[{"name":"http","hostPort":0}]}`,
		`"endpoints":[{"name":"http","hostPort":0}],"healthCheck":{"tcp":{"endpoint":"http"},"intervalSeconds":1}}`, 1)
	var created struct {
		Containers []struct {
			HealthCheck map[string]any `json:"healthCheck"`
		} `json:"containers"`
	}
	if code, _, body := e.do("POST", "/v2/pods", pod, &created); code != 201 || created.Containers[0].HealthCheck["gracePeriodSeconds"] != 300.0 {
		t.Fatalf("create: %d %s", code, body)
	}
	var st podStatusT
	waitFor(t, "the instance running, waiting for its check", func() bool {
		st = e.podStatus("/web/pod")
		return len(st.Instances) == 1 && st.Instances[0].Status == podDegraded
	})
	taskID := st.Instances[0].ID + ".app"
	launched := ag.launchedTask(taskID)
	hc := launched.GetHealthCheck()
	if hc == nil || hc.Type != mesos.HealthCheck_TCP || int(hc.GetTCP().Port) != st.Instances[0].Containers[0].Endpoints[0].AllocatedHostPort ||
		hc.GetIntervalSeconds() != 1 || hc.GetGracePeriodSeconds() != 300 {
		t.Fatalf("health check sent to Mesos: %+v", hc)
	}
	if e.deployments() != 1 {
		t.Fatalf("deployment done before the instance is healthy")
	}
	healthy := true
	running := mesos.TASK_RUNNING
	u := uuid.New()
	_ = e.m.AgentUpdate(agentapi.Update{AgentID: ag.id, FrameworkID: e.frameworkID(), Status: mesos.TaskStatus{
		TaskID: mesos.TaskID{Value: taskID}, State: &running, Healthy: &healthy, UUID: u[:], AgentID: &mesos.AgentID{Value: ag.id}}})
	waitFor(t, "stable and deployed", func() bool { return len(e.stableInstances("/web/pod")) == 1 && e.deployments() == 0 })
	bad := strings.Replace(pod, `"tcp":{"endpoint":"http"}`, `"tcp":{"endpoint":"nope"}`, 1)
	if code, _, body := e.do("PUT", "/v2/pods/web/pod", bad, nil); code != 422 ||
		!jsonEqual(string(body), `{"message":"Object is not valid","details":[{"path":"/containers(0)/healthCheck/tcp/endpoint","errors":["is not an endpoint of the pod"]}]}`) {
		t.Fatalf("bad endpoint: %d %s", code, body)
	}
}
