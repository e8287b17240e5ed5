package marathon

import (
	"slices"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/services/app"
)

// A top-level group that enforces its role gives its apps that role by
// default and refuses any other; the framework then subscribes with the
// role, so the offers for it arrive and the app's tasks run under it.
func TestEnforceRole(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/groups", `{"id":"/dev"}`, nil); code != 201 {
		t.Fatalf("group: %d %s", code, body)
	}
	if code, _, body := e.do("PATCH", "/v2/groups/dev", `{"enforceRole":true}`, nil); code != 200 {
		t.Fatalf("patch: %d %s", code, body)
	}
	var created struct {
		Role string `json:"role"`
	}
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/dev/web","cmd":"sleep 1000","cpus":0.1,"mem":16}`, &created); code != 201 || created.Role != "dev" {
		t.Fatalf("create under /dev: %d %s", code, body)
	}
	cases := []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"other role under an enforcing group", "POST", "/v2/apps", `{"id":"/dev/x","cmd":"sleep 1","role":"prod"}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/role","errors":["got prod, expected one of: [dev]"]}]}`},
		{"default role under an enforcing group", "POST", "/v2/apps", `{"id":"/dev/y","cmd":"sleep 1","role":"*"}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/role","errors":["got *, expected one of: [dev]"]}]}`},
		{"accepted roles under an enforcing group", "POST", "/v2/apps", `{"id":"/dev/z","cmd":"sleep 1","acceptedResourceRoles":["prod"]}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/acceptedResourceRoles(0)","errors":["acceptedResourceRoles can only contain * and dev"]}]}`},
		{"group role in the root group", "POST", "/v2/apps", `{"id":"/top","cmd":"sleep 1","role":"dev"}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/role","errors":["got dev, expected one of: [*]"]}]}`},
		{"foreign role in a free group", "POST", "/v2/apps", `{"id":"/qa/a","cmd":"sleep 1","role":"dev"}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/role","errors":["got dev, expected one of: [*, qa]"]}]}`},
		{"group update with a foreign role", "PUT", "/v2/groups/dev", `{"apps":[{"id":"web","cmd":"sleep 1000","role":"ops"}]}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/apps(0)/role","errors":["got ops, expected one of: [dev]"]}]}`},
		{"patch to a foreign role", "PATCH", "/v2/apps/dev/web", `{"role":"ops"}`, 422,
			`{"message":"Object is not valid","details":[{"path":"/role","errors":["got ops, expected one of: [dev]"]}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := e.do(c.method, c.path, c.body, nil)
			if code != c.code || !jsonEqual(string(body), c.want) {
				t.Fatalf("%d %s\nwant %d %s", code, body, c.code, c.want)
			}
		})
	}
	// A group that does not enforce: "*" by default, its own name allowed.
	var free struct {
		Role string `json:"role"`
	}
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/qa/b","cmd":"sleep 1000","cpus":0.1,"mem":16}`, &free); code != 201 || free.Role != "*" {
		t.Fatalf("create under /qa: %d %s", code, body)
	}
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/qa/c","cmd":"sleep 1000","cpus":0.1,"mem":16,"role":"qa"}`, &free); code != 201 || free.Role != "qa" {
		t.Fatalf("create under /qa with its role: %d %s", code, body)
	}

	// A pod under the enforcing group gets its role too.
	var pod struct {
		Role string `json:"role"`
	}
	podBody := `{"id":"/dev/pod","containers":[{"name":"c","exec":{"command":{"shell":"sleep 1000"}},"resources":{"cpus":0.1,"mem":16}}],
		"executorResources":{"cpus":0.1,"mem":16,"disk":0}}`
	if code, _, body := e.do("POST", "/v2/pods", podBody, &pod); code != 201 || pod.Role != "dev" {
		t.Fatalf("pod under /dev: %d %s", code, body)
	}
	if code, _, body := e.do("POST", "/v2/pods", strings.Replace(podBody, `"id":"/dev/pod"`, `"id":"/dev/pod2","role":"ops"`, 1), nil); code != 422 ||
		!jsonEqual(string(body), `{"message":"Object is not valid","details":[{"path":"/role","errors":["got ops, expected one of: [dev]"]}]}`) {
		t.Fatalf("pod with a foreign role: %d %s", code, body)
	}

	// The tasks run on offers of their own roles.
	waitFor(t, "all three apps and the pod running", func() bool {
		return e.running("/dev/web") == 1 && e.running("/qa/b") == 1 && e.running("/qa/c") == 1 && e.running("/dev/pod") == 1
	})
	for id, want := range map[string]string{"/dev/web": "dev", "/qa/b": "*", "/qa/c": "qa", "/dev/pod": "dev"} {
		if got := e.tasks(id)[0].Role; got != want {
			t.Fatalf("task of %s runs under role %q, want %q", id, got, want)
		}
	}
	e.svc.mu.Lock()
	roles := e.svc.roles
	e.svc.mu.Unlock()
	if len(roles) != 3 || roles[0] != "*" || roles[1] != "dev" || roles[2] != "qa" {
		t.Fatalf("framework roles %v", roles)
	}
}

// The roles of pods count for the subscription as those of apps do.
func TestFrameworkRolesIncludePods(t *testing.T) {
	st := newState()
	st.apps["/a"] = &app.App{ID: "/a", Role: "*"}
	st.pods["/ops/p"] = &podRecord{Spec: &app.Pod{ID: "/ops/p", Role: "ops"}}
	if got := st.frameworkRoles(); !slices.Equal(got, []string{"*", "ops"}) {
		t.Fatalf("framework roles %v", got)
	}
}
