package marathon

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

type groupOut struct {
	ID           string   `json:"id"`
	Dependencies []string `json:"dependencies"`
	Version      string   `json:"version"`
	EnforceRole  bool     `json:"enforceRole"`
	Apps         []struct {
		ID           string `json:"id"`
		Instances    int    `json:"instances"`
		TasksRunning *int   `json:"tasksRunning"`
	} `json:"apps"`
	Groups []groupOut `json:"groups"`
	Pods   []any      `json:"pods"`
}

const prodGroup = `{"id":"/prod","apps":[{"id":"db","cmd":"sleep 1000","cpus":0.1,"mem":16}],
	"groups":[{"id":"web","dependencies":["/prod/db"],"apps":[{"id":"front","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":2}]}]}`

// TestGroupDependenciesOrderSteps: a group's dependencies order the steps
// of its deployment (no agent, so the plan stays visible).
func TestGroupDependenciesOrderSteps(t *testing.T) {
	e := newEnv(t)
	code, hdr, body := e.do("POST", "/v2/groups", prodGroup, nil)
	if code != 201 || hdr.Get("Location") != e.srv.URL+"/v2/groups/prod" || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("create: %d %v %s", code, hdr, body)
	}
	var res struct{ DeploymentID, Version string }
	json.Unmarshal(body, &res)
	if res.DeploymentID != hdr.Get("Marathon-Deployment-Id") || res.Version == "" {
		t.Fatalf("result %s", body)
	}
	var plans []planJSONT
	e.do("GET", "/v2/deployments", nil, &plans)
	if len(plans) != 1 {
		t.Fatalf("deployments %+v", plans)
	}
	want := "StartApplication /prod/db+StartApplication /prod/web/front|ScaleApplication /prod/db|ScaleApplication /prod/web/front"
	if got := stepsString(plans[0].Steps); got != want {
		t.Fatalf("steps %s\nwant  %s", got, want)
	}
	code, _, body = e.do("POST", "/v2/groups/prod", `{"id":""}`, nil)
	if code != 409 || !jsonEqual(string(body), `{"message":"Group /prod is already created. Use PUT to change this group."}`) {
		t.Fatalf("duplicate: %d %s", code, body)
	}
	// Apps of a group are locked by its deployment like any app.
	if code, _, body := e.do("PUT", "/v2/groups/prod", `{"scaleBy":2}`, nil); code != 409 || !strings.Contains(string(body), `"deployments"`) {
		t.Fatalf("locked: %d %s", code, body)
	}
}

func stepsString(steps []stepJSONT) string {
	var out []string
	for _, s := range steps {
		var acts []string
		for _, a := range s.Actions {
			acts = append(acts, a.Action+" "+a.App)
		}
		out = append(out, strings.Join(acts, "+"))
	}
	return strings.Join(out, "|")
}

func TestGroupsAPI(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	if code, _, body := e.do("POST", "/v2/groups", prodGroup, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, "group deployed", func() bool { return e.deployments() == 0 && e.running("/prod/web/front") == 2 })

	var g groupOut
	if code, _, body := e.do("GET", "/v2/groups/prod", nil, &g); code != 200 || g.ID != "/prod" || len(g.Apps) != 1 ||
		g.Apps[0].ID != "/prod/db" || len(g.Groups) != 1 || g.Groups[0].ID != "/prod/web" ||
		strings.Join(g.Groups[0].Dependencies, ",") != "/prod/db" || g.Pods == nil || g.Apps[0].TasksRunning != nil {
		t.Fatalf("group: %d %s", code, body)
	}
	var root groupOut
	e.do("GET", "/v2/groups", nil, &root)
	if root.ID != "/" || len(root.Groups) != 1 || root.Groups[0].Groups[0].Apps[0].ID != "/prod/web/front" {
		t.Fatalf("root %+v", root)
	}
	// Embeds: only counts of apps, no subgroups.
	var counted groupOut
	_, _, body := e.do("GET", "/v2/groups/prod?embed=group.apps.counts", nil, &counted)
	if counted.Groups != nil || len(counted.Apps) != 1 || counted.Apps[0].TasksRunning == nil || *counted.Apps[0].TasksRunning != 1 {
		t.Fatalf("embed counts: %s", body)
	}
	var apps struct {
		Apps []struct{ ID string } `json:"apps"`
	}
	if code, _, body := e.do("GET", "/v2/groups/prod/apps", nil, &apps); code != 200 || len(apps.Apps) != 2 {
		t.Fatalf("group apps: %d %s", code, body)
	}

	// A dry run shows the steps, dependencies first, and changes nothing.
	change := `{"apps":[{"id":"db","cmd":"sleep 2000","cpus":0.1,"mem":16}],
		"groups":[{"id":"web","dependencies":["/prod/db"],"apps":[{"id":"front","cmd":"sleep 2000","cpus":0.1,"mem":16,"instances":2}]}]}`
	var dry struct{ Steps []stepJSONT }
	if code, _, body := e.do("PUT", "/v2/groups/prod?dryRun=true", change, &dry); code != 200 ||
		stepsString(dry.Steps) != "RestartApplication /prod/db|RestartApplication /prod/web/front" {
		t.Fatalf("dry run: %d %s", code, body)
	}
	if e.deployments() != 0 {
		t.Fatal("dry run deployed")
	}

	// scaleBy scales every app inside, rounding up.
	if code, hdr, body := e.do("PUT", "/v2/groups/prod", `{"scaleBy":1.5}`, nil); code != 200 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("scaleBy: %d %s", code, body)
	}
	waitFor(t, "scaled", func() bool {
		return e.deployments() == 0 && e.running("/prod/db") == 2 && e.running("/prod/web/front") == 3
	})

	// Versions, newest first; rolling back to the first one.
	var versions []string
	if code, _, body := e.do("GET", "/v2/groups/prod/versions", nil, &versions); code != 200 || len(versions) != 2 {
		t.Fatalf("versions: %d %s", code, body)
	}
	var old groupOut
	if code, _, body := e.do("GET", "/v2/groups/prod/versions/"+versions[1], nil, &old); code != 200 || old.Groups[0].Apps[0].Instances != 2 {
		t.Fatalf("version: %d %s", code, body)
	}
	if code, _, body := e.do("PUT", "/v2/groups/prod", `{"version":"`+versions[1]+`"}`, nil); code != 200 {
		t.Fatalf("rollback: %d %s", code, body)
	}
	waitFor(t, "rolled back", func() bool {
		return e.deployments() == 0 && e.running("/prod/db") == 1 && e.running("/prod/web/front") == 2
	})

	// PATCH: enforceRole of a top-level group only.
	if code, _, body := e.do("PATCH", "/v2/groups/prod", `{"enforceRole":true}`, nil); code != 200 || len(body) != 0 {
		t.Fatalf("patch: %d %s", code, body)
	}
	var patched groupOut
	e.do("GET", "/v2/groups/prod", nil, &patched)
	if !patched.EnforceRole {
		t.Fatalf("enforceRole not set: %+v", g)
	}
	if code, _, _ := e.do("PATCH", "/v2/groups/prod/web", `{"enforceRole":true}`, nil); code != 422 {
		t.Fatalf("patch of a subgroup: %d", code)
	}
	if code, _, body := e.do("PATCH", "/v2/groups/nope", `{"enforceRole":true}`, nil); code != 404 || !jsonEqual(string(body), `{"message":"Group '/nope' does not exist"}`) {
		t.Fatalf("patch missing: %d %s", code, body)
	}

	// PUT creates a missing group; apps left out of a PUT are removed.
	if code, _, body := e.do("PUT", "/v2/groups/prod/web", `{"apps":[]}`, nil); code != 200 {
		t.Fatalf("empty apps: %d %s", code, body)
	}
	waitFor(t, "front removed", func() bool { return e.deployments() == 0 && len(e.tasks("/prod/web/front")) == 0 })
	if code, _, body := e.do("PUT", "/v2/groups/staging", `{"apps":[{"id":"x","cmd":"sleep 1000","cpus":0.1,"mem":16}]}`, nil); code != 200 {
		t.Fatalf("put creates: %d %s", code, body)
	}
	waitFor(t, "staging up", func() bool { return e.deployments() == 0 && e.running("/staging/x") == 1 })

	// Validation: errors of an app carry its place in the group.
	code, _, body := e.do("POST", "/v2/groups", `{"id":"bad","apps":[{"id":"a","cpus":-1,"cmd":"x"}]}`, nil)
	if code != 422 || !strings.Contains(string(body), `"path":"/apps(0)/cpus"`) {
		t.Fatalf("invalid app: %d %s", code, body)
	}
	if code, _, body := e.do("POST", "/v2/groups", `{"id":"bad","apps":[{"id":"/elsewhere/a","cmd":"x"}]}`, nil); code != 422 || !strings.Contains(string(body), `/apps(0)/id`) {
		t.Fatalf("foreign app: %d %s", code, body)
	}
	if code, _, _ := e.do("POST", "/v2/groups", `{"id":`, nil); code != 400 {
		t.Fatalf("malformed: %d", code)
	}
	if code, _, body := e.do("PUT", "/v2/groups/prod", `{"scaleBy":"x"}`, nil); code != 422 || !strings.Contains(string(body), `/scaleBy`) {
		t.Fatalf("type error: %d %s", code, body)
	}
	if code, _, _ := e.do("GET", "/v2/groups/nope", nil, nil); code != 404 {
		t.Fatalf("missing group: %d", code)
	}
	// An app id cannot be a group's.
	if code, _, _ := e.do("POST", "/v2/apps", `{"id":"/prod/web","cmd":"sleep 1"}`, nil); code != 422 {
		t.Fatalf("app over a group: %d", code)
	}

	// DELETE removes everything inside.
	code, hdr, body := e.do("DELETE", "/v2/groups/prod", nil, nil)
	if code != 200 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("delete: %d %s", code, body)
	}
	waitFor(t, "prod gone", func() bool { return e.deployments() == 0 && len(e.tasks("/prod/db")) == 0 })
	if code, _, _ := e.do("GET", "/v2/groups/prod", nil, nil); code != 404 {
		t.Fatalf("deleted group: %d", code)
	}
	var after groupOut
	e.do("GET", "/v2/groups", nil, &after)
	if len(after.Groups) != 1 || after.Groups[0].ID != "/staging" {
		t.Fatalf("root after delete %+v", after)
	}
}

// TestGoMarathonGroups drives the groups API with go-marathon v0.7.1.
func TestGoMarathonGroups(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	cfg := marathon.NewDefaultConfig()
	cfg.URL = e.srv.URL
	cfg.PollingWaitTime = 20 * time.Millisecond
	client, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id string, n int) *marathon.Application {
		a := marathon.NewDockerApplication()
		a.Container = nil
		a.Name(id).Command("sleep 1000").CPU(0.1).Memory(16).Count(n)
		return a
	}
	g := marathon.NewApplicationGroup("/shop")
	g.App(mk("/shop/api", 2)).App(mk("/shop/worker", 1))
	if err := client.CreateGroup(g); err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnGroup("/shop", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if ok, err := client.HasGroup("/shop"); err != nil || !ok {
		t.Fatalf("HasGroup %v %v", ok, err)
	}
	got, err := client.Group("/shop")
	if err != nil || got.ID != "/shop" || len(got.Apps) != 2 {
		t.Fatalf("Group %+v %v", got, err)
	}
	all, err := client.Groups()
	if err != nil || len(all.Groups) != 1 || all.Groups[0].ID != "/shop" {
		t.Fatalf("Groups %+v %v", all, err)
	}
	if err := client.CreateGroup(g); err == nil {
		t.Fatal("a second CreateGroup succeeded")
	}
	g2 := marathon.NewApplicationGroup("/shop")
	g2.App(mk("/shop/api", 3))
	dep, err := client.UpdateGroup("/shop", g2, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if e.running("/shop/api") != 3 || len(e.tasks("/shop/worker")) != 0 {
		t.Fatalf("after update: api %d, worker %d", e.running("/shop/api"), len(e.tasks("/shop/worker")))
	}
	dep, err = client.DeleteGroup("/shop", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if ok, err := client.HasGroup("/shop"); err != nil || ok {
		t.Fatalf("HasGroup after delete %v %v", ok, err)
	}
}
