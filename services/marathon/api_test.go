package marathon

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

func TestAppsAPIErrors(t *testing.T) {
	e := newEnv(t)
	// No agent: deployments never finish, so the app stays locked.
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/locked","cmd":"sleep 1"}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var dep []struct {
		ID string `json:"id"`
	}
	e.do("GET", "/v2/deployments", nil, &dep)
	if len(dep) != 1 {
		t.Fatalf("deployments %v", dep)
	}
	lockedBody := `{"deployments":[{"id":"` + dep[0].ID + `"}],"message":"App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/\u003cDEPLOYMENT_ID\u003e'."}`
	cases := []struct {
		name, method, path, body string
		code                     int
		want                     string // exact body, or a prefix when it ends with "*"
	}{
		{"malformed json", "POST", "/v2/apps", `{"id":`, 400, `{"message":"Invalid JSON","details":*`},
		{"type error", "POST", "/v2/apps", `{"id":5}`, 422, `{"message":"Invalid JSON","details":[{"path":"/id","errors":["error.expected.jsstring"]}]}`},
		{"bad id", "POST", "/v2/apps", `{"id":"/Bad_Id","cmd":"x"}`, 422, `{"message":"Object is not valid","details":[{"path":"/id",*`},
		{"bad strategy", "POST", "/v2/apps", `{"id":"/s","cmd":"x","upgradeStrategy":{"minimumHealthCapacity":2}}`, 422, `{"message":"Invalid JSON","details":[{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["error.max"]}]}`},
		{"duplicate", "POST", "/v2/apps", `{"id":"/locked","cmd":"sleep 1"}`, 409, `{"message":"An app with id [/locked] already exists."}`},
		{"app under an app", "POST", "/v2/apps", `{"id":"/locked/child","cmd":"sleep 1"}`, 422, `{"message":"Object is not valid","details":[{"path":"/","errors":["Groups and Applications may not have the same identifier."]}]}`},
		{"unknown app", "GET", "/v2/apps/nope", "", 404, `{"message":"App '/nope' does not exist"}`},
		{"unknown nested app", "GET", "/v2/apps/a/b/c", "", 404, `{"message":"App '/a/b/c' does not exist"}`},
		{"patch unknown", "PATCH", "/v2/apps/nope", `{"instances":2}`, 404, `{"message":"App '/nope' does not exist"}`},
		{"delete unknown", "DELETE", "/v2/apps/nope", "", 404, `{"message":"App '/nope' does not exist"}`},
		{"restart unknown", "POST", "/v2/apps/nope/restart", "", 404, `{"message":"App '/nope' does not exist"}`},
		{"tasks of unknown", "GET", "/v2/apps/nope/tasks", "", 404, `{"message":"App '/nope' does not exist"}`},
		{"unknown task", "DELETE", "/v2/apps/locked/tasks/locked.instance-6a2c1f4e-7d8b-11ea-8e6b-0242ac110002._app.1", "", 404, `{"message":"Task 'locked.instance-6a2c1f4e-7d8b-11ea-8e6b-0242ac110002._app.1' does not exist"}`},
		{"locked update", "PUT", "/v2/apps/locked", `{"instances":3}`, 409, lockedBody},
		{"locked restart", "POST", "/v2/apps/locked/restart", "", 409, lockedBody},
		{"rollback to unknown version", "PUT", "/v2/apps/locked?force=true", `{"version":"2020-01-01T00:00:00.000Z"}`, 404, `{"message":"App '/locked' does not exist in version 2020-01-01T00:00:00.000Z"}`},
		{"version with other fields", "PUT", "/v2/apps/locked", `{"version":"2020-01-01T00:00:00.000Z","cmd":"x"}`, 422, `{"message":"Object is not valid","details":[{"path":"/","errors":["The 'version' field may only be combined with the 'id' field."]}]}`},
		{"unknown deployment", "DELETE", "/v2/deployments/nope", "", 404, `{"message":"DeploymentPlan nope does not exist"}`},
		{"scale and wipe", "POST", "/v2/tasks/delete?scale=true&wipe=true", `{"ids":[]}`, 400, `{"message":"You cannot use scale and wipe at the same time."}`},
		{"bad task id", "POST", "/v2/tasks/delete", `{"ids":["nonsense"]}`, 400, `{"message":"Invalid task id 'nonsense'."}`},
		{"unknown delay", "DELETE", "/v2/queue/nope/delay", "", 404, `{"message":"App '/nope' does not exist"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, hdr, body := e.do(c.method, c.path, c.body, nil)
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, body)
			}
			got := strings.TrimSpace(string(body))
			if strings.HasSuffix(c.want, "*") {
				if !strings.HasPrefix(got, strings.TrimSuffix(c.want, "*")) {
					t.Fatalf("body %s, want prefix %s", got, c.want)
				}
			} else if !jsonEqual(got, c.want) {
				t.Fatalf("body %s\nwant %s", got, c.want)
			}
			if hdr.Get("X-Marathon-Leader") != e.srv.URL {
				t.Fatalf("X-Marathon-Leader %q", hdr.Get("X-Marathon-Leader"))
			}
		})
	}
	// force overrides the lock and cancels the running deployment.
	code, _, body := e.do("PUT", "/v2/apps/locked?force=true", `{"instances":3}`, nil)
	if code != 200 {
		t.Fatalf("forced update: %d %s", code, body)
	}
	var after []struct {
		ID string `json:"id"`
	}
	e.do("GET", "/v2/deployments", nil, &after)
	if len(after) != 1 || after[0].ID == dep[0].ID {
		t.Fatalf("deployments after force: %v", after)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

type appInfoJSON struct {
	ID              string                `json:"id"`
	Cmd             string                `json:"cmd"`
	Instances       int                   `json:"instances"`
	Version         string                `json:"version"`
	Labels          map[string]string     `json:"labels"`
	TasksStaged     *int                  `json:"tasksStaged"`
	TasksRunning    *int                  `json:"tasksRunning"`
	Deployments     []struct{ ID string } `json:"deployments"`
	Tasks           []json.RawMessage     `json:"tasks"`
	PortDefinitions []struct {
		Port int `json:"port"`
	} `json:"portDefinitions"`
	VersionInfo struct {
		LastScalingAt      string `json:"lastScalingAt"`
		LastConfigChangeAt string `json:"lastConfigChangeAt"`
	} `json:"versionInfo"`
}

func TestAppsAPILifecycle(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:8;mem:8192;ports:[31000-31100]")
	var created appInfoJSON
	code, hdr, body := e.do("POST", "/v2/apps", `{"id":"prod/web","cmd":"sleep 1000","cpus":0.1,"mem":16,"labels":{"tier":"front"}}`, &created)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if hdr.Get("Location") != e.srv.URL+"/v2/apps/prod/web" || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("headers %v", hdr)
	}
	if created.ID != "/prod/web" || created.TasksStaged == nil || *created.TasksStaged != 0 || len(created.Deployments) != 1 ||
		created.Deployments[0].ID != hdr.Get("Marathon-Deployment-Id") || created.Tasks == nil {
		t.Fatalf("created %s", body)
	}
	if len(created.PortDefinitions) != 1 || created.PortDefinitions[0].Port != servicePortMin {
		t.Fatalf("service port not assigned: %s", body)
	}
	e.do("POST", "/v2/apps", `{"id":"/prod/db","cmd":"postgres","cpus":0.1,"mem":16,"labels":{"tier":"back"}}`, nil)
	waitFor(t, "deployments done", func() bool { return e.deployments() == 0 })

	// Filters.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"/prod/db", "/prod/web"}},
		{"?id=WEB", []string{"/prod/web"}},
		{"?cmd=postgres", []string{"/prod/db"}},
		{"?label=tier==front", []string{"/prod/web"}},
		{"?label=tier%20in%20(front,back)", []string{"/prod/db", "/prod/web"}},
		{"?label=tier!=front", []string{"/prod/db"}},
	} {
		var list struct {
			Apps []appInfoJSON `json:"apps"`
		}
		e.do("GET", "/v2/apps"+c.query, nil, &list)
		var ids []string
		for _, a := range list.Apps {
			ids = append(ids, a.ID)
		}
		if strings.Join(ids, ",") != strings.Join(c.want, ",") {
			t.Fatalf("GET /v2/apps%s = %v, want %v", c.query, ids, c.want)
		}
	}
	var embedded struct {
		Apps []appInfoJSON `json:"apps"`
	}
	e.do("GET", "/v2/apps?embed=apps.tasks&id=web", nil, &embedded)
	if len(embedded.Apps) != 1 || len(embedded.Apps[0].Tasks) != 1 {
		t.Fatalf("embed tasks: %+v", embedded)
	}
	var group map[string][]appInfoJSON
	if code, _, body := e.do("GET", "/v2/apps/prod/*", nil, &group); code != 200 || len(group["*"]) != 2 {
		t.Fatalf("group apps: %d %s", code, body)
	}

	// Scale, patch, replace, rollback.
	var v1 appInfoJSON
	e.do("GET", "/v2/apps/prod/web", nil, &struct{ App *appInfoJSON }{&v1})
	var res struct {
		DeploymentID string `json:"deploymentId"`
		Version      string `json:"version"`
	}
	if code, _, body := e.do("PUT", "/v2/apps/prod/web", `{"instances":2}`, &res); code != 200 || res.DeploymentID == "" {
		t.Fatalf("scale: %d %s", code, body)
	}
	waitFor(t, "scaled", func() bool { return e.running("/prod/web") == 2 && e.deployments() == 0 })
	var v2 appInfoJSON
	e.do("GET", "/v2/apps/prod/web", nil, &struct{ App *appInfoJSON }{&v2})
	if v2.VersionInfo.LastConfigChangeAt != v1.VersionInfo.LastConfigChangeAt || v2.VersionInfo.LastScalingAt == v1.VersionInfo.LastScalingAt {
		t.Fatalf("a scale changed the config version: %+v → %+v", v1.VersionInfo, v2.VersionInfo)
	}
	if code, _, body := e.do("PATCH", "/v2/apps/prod/web", `{"cmd":"sleep 2000"}`, nil); code != 200 {
		t.Fatalf("patch: %d %s", code, body)
	}
	waitFor(t, "patched", func() bool { return e.deployments() == 0 })
	var v3 appInfoJSON
	e.do("GET", "/v2/apps/prod/web", nil, &struct{ App *appInfoJSON }{&v3})
	if v3.Cmd != "sleep 2000" || v3.Instances != 2 || v3.Labels["tier"] != "front" {
		t.Fatalf("patch lost fields: %+v", v3)
	}
	if code, _, body := e.do("PUT", "/v2/apps/prod/web?partialUpdate=false", `{"cmd":"sleep 3000","cpus":0.1,"mem":16}`, nil); code != 200 {
		t.Fatalf("replace: %d %s", code, body)
	}
	waitFor(t, "replaced", func() bool { return e.deployments() == 0 })
	var v4 appInfoJSON
	e.do("GET", "/v2/apps/prod/web", nil, &struct{ App *appInfoJSON }{&v4})
	if v4.Instances != 1 || len(v4.Labels) != 0 {
		t.Fatalf("replace kept fields: %+v", v4)
	}
	var versions struct {
		Versions []string `json:"versions"`
	}
	e.do("GET", "/v2/apps/prod/web/versions", nil, &versions)
	if len(versions.Versions) != 4 || versions.Versions[0] != v4.Version || versions.Versions[3] != v1.Version {
		t.Fatalf("versions %v", versions.Versions)
	}
	var old appInfoJSON
	if code, _, body := e.do("GET", "/v2/apps/prod/web/versions/"+v1.Version, nil, &old); code != 200 || old.Cmd != "sleep 1000" || old.ID != "/prod/web" {
		t.Fatalf("version: %d %s", code, body)
	}
	if code, _, body := e.do("PUT", "/v2/apps/prod/web", `{"version":"`+v1.Version+`"}`, nil); code != 200 {
		t.Fatalf("rollback: %d %s", code, body)
	}
	waitFor(t, "rolled back", func() bool { return e.deployments() == 0 })
	var v5 appInfoJSON
	e.do("GET", "/v2/apps/prod/web", nil, &struct{ App *appInfoJSON }{&v5})
	if v5.Cmd != "sleep 1000" || v5.Labels["tier"] != "front" || v5.Version == v1.Version {
		t.Fatalf("rollback: %+v", v5)
	}

	// PUT creates a missing app with 201.
	code, hdr, body = e.do("PUT", "/v2/apps/prod/new", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`, nil)
	if code != 201 || hdr.Get("Location") == "" || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("put create: %d %s", code, body)
	}
	waitFor(t, "created", func() bool { return e.deployments() == 0 })
	// Batch update in one deployment.
	if code, _, body := e.do("PUT", "/v2/apps", `[{"id":"/prod/new","instances":2},{"id":"prod/db","instances":2}]`, &res); code != 200 {
		t.Fatalf("batch: %d %s", code, body)
	}
	waitFor(t, "batch done", func() bool { return e.running("/prod/new") == 2 && e.running("/prod/db") == 2 && e.deployments() == 0 })

	// Tasks.
	var tasks struct {
		Tasks []struct {
			ID           string `json:"id"`
			AppID        string `json:"appId"`
			Host         string `json:"host"`
			SlaveID      string `json:"slaveId"`
			Ports        []int  `json:"ports"`
			ServicePorts []int  `json:"servicePorts"`
			State        string `json:"state"`
			StagedAt     string `json:"stagedAt"`
			StartedAt    string `json:"startedAt"`
			Version      string `json:"version"`
		} `json:"tasks"`
	}
	e.do("GET", "/v2/apps/prod/db/tasks", nil, &tasks)
	if len(tasks.Tasks) != 2 {
		t.Fatalf("tasks %+v", tasks)
	}
	tk := tasks.Tasks[0]
	if tk.AppID != "/prod/db" || tk.Host != "host-a" || tk.SlaveID == "" || len(tk.Ports) != 1 || len(tk.ServicePorts) != 1 ||
		tk.State != "TASK_RUNNING" || tk.StagedAt == "" || tk.StartedAt == "" || !strings.HasPrefix(tk.ID, "prod_db.instance-") {
		t.Fatalf("task %+v", tk)
	}
	e.do("GET", "/v2/tasks?status=running", nil, &tasks)
	if len(tasks.Tasks) != 5 { // web rolled back to 1 instance, new and db 2 each
		t.Fatalf("running tasks: %d", len(tasks.Tasks))
	}
	e.do("GET", "/v2/tasks?status=staging", nil, &tasks)
	if len(tasks.Tasks) != 0 {
		t.Fatalf("staging tasks: %d", len(tasks.Tasks))
	}
	dbTasks := e.tasks("/prod/db")
	var killed struct {
		Task struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"task"`
	}
	if code, _, body := e.do("DELETE", "/v2/apps/prod/db/tasks/"+dbTasks[0].ID, nil, &killed); code != 200 || killed.Task.ID != dbTasks[0].ID {
		t.Fatalf("kill task: %d %s", code, body)
	}
	waitFor(t, "replacement", func() bool {
		ts := e.tasks("/prod/db")
		return len(ts) == 2 && ts[0].ID != dbTasks[0].ID && ts[1].ID != dbTasks[0].ID && e.running("/prod/db") == 2
	})
	if code, _, body := e.do("POST", "/v2/tasks/delete?scale=true", map[string]any{"ids": []string{e.tasks("/prod/db")[0].ID}}, &res); code != 200 || res.DeploymentID == "" {
		t.Fatalf("kill and scale: %d %s", code, body)
	}
	waitFor(t, "scaled down", func() bool { return len(e.tasks("/prod/db")) == 1 && e.deployments() == 0 })
	var db appInfoJSON
	e.do("GET", "/v2/apps/prod/db", nil, &struct{ App *appInfoJSON }{&db})
	if db.Instances != 1 {
		t.Fatalf("instances after kill+scale: %d", db.Instances)
	}

	// Delete.
	if code, hdr, body := e.do("DELETE", "/v2/apps/prod/web", nil, &res); code != 200 || hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _, _ := e.do("GET", "/v2/apps/prod/web", nil, nil); code != 404 {
		t.Fatalf("deleted app still served: %d", code)
	}
	waitFor(t, "tasks killed", func() bool { return len(e.tasks("/prod/web")) == 0 && e.deployments() == 0 })
}

func TestDeploymentsRollbackAndForce(t *testing.T) {
	e := newEnv(t)
	// No agent: the deployments stay.
	var res struct {
		DeploymentID string `json:"deploymentId"`
	}
	e.do("POST", "/v2/apps", `{"id":"/a","cmd":"sleep 1","instances":2}`, nil)
	var plans []struct {
		ID           string   `json:"id"`
		AffectedApps []string `json:"affectedApps"`
		Steps        []struct {
			Actions []struct{ Action, App string } `json:"actions"`
		} `json:"steps"`
		CurrentStep    int `json:"currentStep"`
		TotalSteps     int `json:"totalSteps"`
		CurrentActions []struct {
			Action string `json:"action"`
			App    string `json:"app"`
		} `json:"currentActions"`
	}
	e.do("GET", "/v2/deployments", nil, &plans)
	if len(plans) != 1 || plans[0].TotalSteps != 2 || plans[0].CurrentStep != 2 ||
		plans[0].Steps[0].Actions[0].Action != ActionStart || plans[0].Steps[1].Actions[0].Action != ActionScale ||
		len(plans[0].CurrentActions) != 1 || plans[0].CurrentActions[0].App != "/a" {
		t.Fatalf("plan %+v", plans)
	}
	// Rolling back the creation removes the app.
	code, _, body := e.do("DELETE", "/v2/deployments/"+plans[0].ID, nil, &res)
	if code != 200 || res.DeploymentID == "" {
		t.Fatalf("rollback: %d %s", code, body)
	}
	if code, _, _ := e.do("GET", "/v2/apps/a", nil, nil); code != 404 {
		t.Fatalf("rolled-back app still there: %d", code)
	}
	waitFor(t, "rollback done", func() bool { return e.deployments() == 0 })
	// force only stops tracking.
	e.do("POST", "/v2/apps", `{"id":"/b","cmd":"sleep 1"}`, nil)
	e.do("GET", "/v2/deployments", nil, &plans)
	code, _, body = e.do("DELETE", "/v2/deployments/"+plans[0].ID+"?force=true", nil, nil)
	if code != 202 || len(body) != 0 {
		t.Fatalf("forced delete: %d %q", code, body)
	}
	if code, _, _ := e.do("GET", "/v2/apps/b", nil, nil); code != 200 {
		t.Fatal("forced cancel removed the app")
	}
	e.do("GET", "/v2/deployments", nil, &plans)
	if len(plans) != 0 {
		t.Fatalf("deployments %+v", plans)
	}
}

func TestDependenciesOrderSteps(t *testing.T) {
	e := newEnv(t)
	code, _, body := e.do("PUT", "/v2/apps", `[{"id":"/web","cmd":"web","dependencies":["/db"]},{"id":"/db","cmd":"db"},{"id":"/lb","cmd":"lb","dependencies":["/web"]}]`, nil)
	if code != 200 {
		t.Fatalf("batch: %d %s", code, body)
	}
	var plans []struct {
		Steps []struct {
			Actions []struct{ Action, App string } `json:"actions"`
		} `json:"steps"`
	}
	e.do("GET", "/v2/deployments", nil, &plans)
	var got []string
	for _, s := range plans[0].Steps {
		var step []string
		for _, a := range s.Actions {
			step = append(step, a.Action+" "+a.App)
		}
		got = append(got, strings.Join(step, "+"))
	}
	want := "StartApplication /db+StartApplication /lb+StartApplication /web|ScaleApplication /db|ScaleApplication /web|ScaleApplication /lb"
	if strings.Join(got, "|") != want {
		t.Fatalf("steps\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestInfoRootAndProxy(t *testing.T) {
	e := newEnv(t)
	var info struct {
		Name        string `json:"name"`
		Elected     bool   `json:"elected"`
		Leader      string `json:"leader"`
		FrameworkID string `json:"frameworkId"`
		Config      struct {
			Master string `json:"master"`
		} `json:"marathon_config"`
		HTTP struct {
			Port int `json:"http_port"`
		} `json:"http_config"`
	}
	waitFor(t, "subscribed", func() bool { return e.frameworkID() != "" })
	e.do("GET", "/v2/info", nil, &info)
	if info.Name != "marathon" || !info.Elected || "http://"+info.Leader != e.srv.URL || info.FrameworkID != e.frameworkID() ||
		info.Config.Master != "http://127.0.0.1:5050" || info.HTTP.Port == 0 {
		t.Fatalf("info %+v", info)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A follower: its service is not running, it proxies to the leader.
	leaderURL := e.srv.URL
	follower := New(Config{Store: e.st, Master: e.m, Hostname: "127.0.0.9", Port: 8080, LeaderURL: func() string { return leaderURL }})
	fr := chi.NewRouter()
	follower.Mount(fr)
	fsrv := httptest.NewServer(fr)
	defer fsrv.Close()
	e.do("POST", "/v2/apps", `{"id":"/proxied","cmd":"sleep 1"}`, nil)
	resp, err = http.Get(fsrv.URL + "/v2/apps/proxied")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Marathon-Leader") != leaderURL {
		t.Fatalf("proxied GET: %d %v", resp.StatusCode, resp.Header)
	}
	// The hop is marked with X-Marathon-Via; a request that already went
	// through the follower is a loop.
	req, _ := http.NewRequest("GET", fsrv.URL+"/v2/apps", nil)
	req.Header.Set("X-Marathon-Via", "1.1 127.0.0.9:8080")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Fatalf("loop: %d", resp.StatusCode)
	}
	// The leader is told the client's address: its rate limit counts the
	// client, not the follower.
	forwardedFor := make(chan string, 1)
	capture := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		forwardedFor <- r.Header.Get("X-Forwarded-For")
	}))
	defer capture.Close()
	follower2 := New(Config{Store: e.st, Master: e.m, Hostname: "127.0.0.9", Port: 8080, LeaderURL: func() string { return capture.URL }})
	fr2 := chi.NewRouter()
	follower2.Mount(fr2)
	fsrv2 := httptest.NewServer(fr2)
	defer fsrv2.Close()
	resp, err = http.Get(fsrv2.URL + "/v2/apps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-forwardedFor; got != "127.0.0.1" {
		t.Fatalf("X-Forwarded-For at the leader %q, want the client's 127.0.0.1", got)
	}
	// Events are redirected, not proxied.
	resp, err = client.Get(fsrv.URL + "/v2/events?event_type=api_post_event")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != leaderURL+"/v2/events?event_type=api_post_event" {
		t.Fatalf("events on a follower: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Without a leader: 502.
	leaderURL = ""
	resp, err = http.Get(fsrv.URL + "/v2/apps")
	if err != nil {
		t.Fatal(err)
	}
	var msg struct{ Message string }
	json.NewDecoder(resp.Body).Decode(&msg)
	resp.Body.Close()
	if resp.StatusCode != 502 || msg.Message != "Could not determine the current leader" {
		t.Fatalf("no leader: %d %+v", resp.StatusCode, msg)
	}
}

func TestEventStream(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31010]")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v2/events?event_type=api_post_event&event_type=deployment_success&event_type=status_update_event", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	e.do("POST", "/v2/apps", `{"id":"/ev","cmd":"sleep 1000","cpus":0.1,"mem":16}`, nil)
	want := []string{"api_post_event", "status_update_event", "deployment_success"}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var got []string
	var event string
	for sc.Scan() && len(got) < len(want) {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var payload map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &payload); err != nil {
				t.Fatal(err)
			}
			if payload["eventType"] != event || payload["timestamp"] == nil {
				t.Fatalf("payload %v for %s", payload, event)
			}
			if event == "status_update_event" && payload["taskStatus"] != "TASK_RUNNING" {
				continue
			}
			got = append(got, event)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", got, want)
	}
}
