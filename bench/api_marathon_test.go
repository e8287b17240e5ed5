package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/master/mastertest"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/services/marathon"
	"github.com/mesosbox/mesosbox/store/storetest"
)

// marathonURL starts Marathon on a state of apps × perApp running tasks
// and returns its base URL. The state is what a Marathon leader that
// launched those tasks leaves behind, built through the real code paths
// but without launching anything: the apps and task records go into the
// store as one marathon.Write (the command Marathon persists with), the
// master learns the tasks from the agent that runs them, and the new
// Marathon loads its state from the store and reconciles with the master.
func marathonURL(b testing.TB, apps, perApp int) string {
	url, _ := marathonServer(b, apps, perApp)
	return url
}

// marathonServer is marathonURL with the handler, for requests in process.
func marathonServer(b testing.TB, apps, perApp int) (string, http.Handler) {
	st := storetest.Open(b)
	m := mastertest.Start(b, st, nil)
	const fwID = "bench-marathon"
	// The framework is known to the master, as after the subscription of
	// the Marathon that launched the tasks; this one reads its events.
	stream, err := m.Subscribe(&scheduler.Call_Subscribe{FrameworkInfo: &mesos.FrameworkInfo{
		ID: &mesos.FrameworkID{Value: fwID}, Name: "marathon", User: "bench"}})
	if err != nil {
		b.Fatal(err)
	}
	go drain(stream)
	tasks := apps * perApp
	res, err := resources.Parse(fmt.Sprintf("cpus:%d;mem:%d;ports:[31000-32000]", tasks, tasks*32))
	if err != nil {
		b.Fatal(err)
	}
	taskRes := resourcepb.ToProto(resources.Resources{CPUs: resources.ScalarOf(0.01), Mem: resources.ScalarOf(16)}, "*")
	sub := agentapi.Subscribe{Hostname: "bench", Address: "127.0.0.1:1", Resources: resourcepb.ToProto(res, "*")}
	taskID := func(a, i int) string { return fmt.Sprintf("bench_app-%04d.instance-%08d._app.1", a, i) }
	for a := range apps {
		for i := range perApp {
			id := mesos.TaskID{Value: taskID(a, i)}
			state := mesos.TASK_RUNNING
			sub.Tasks = append(sub.Tasks, agentapi.Task{FrameworkID: fwID,
				Info:   mesos.TaskInfo{Name: "app-" + fmt.Sprint(a), TaskID: id, Resources: taskRes},
				Status: mesos.TaskStatus{TaskID: id, State: &state}})
		}
	}
	_, _, agentID, err := m.RegisterAgent(sub)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	w := marathon.Write{FrameworkID: fwID}
	for n := range apps {
		a, err := app.Decode([]byte(fmt.Sprintf(`{"id":"/bench/app-%04d","cmd":"exec sleep 100000","cpus":0.01,"mem":16,"instances":%d,
			"labels":{"team":"bench"},"portDefinitions":[{"port":0,"name":"http"}]}`, n, perApp)), "/")
		if err != nil {
			b.Fatal(err)
		}
		app.Defaults(a)
		app.Stamp(nil, a, now)
		w.PutApps = append(w.PutApps, a)
		for i := range perApp {
			started := now
			w.PutTasks = append(w.PutTasks, &marathon.Task{ID: taskID(n, i), AppID: a.ID, AgentID: agentID, Host: "bench",
				Ports: []uint64{uint64(31000 + i)}, Role: "*", StagedAt: now, StartedAt: &started, State: "TASK_RUNNING",
				Version: a.Version, ConfigVersion: a.Version})
		}
	}
	if _, err := st.Apply(context.Background(), w); err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)
	svc := marathon.New(marathon.Config{Store: st, Master: m, Hostname: "127.0.0.1", Port: 8080, MasterURL: "http://127.0.0.1:5050",
		Logger: storetest.Quiet, LeaderURL: func() string { return srv.URL }})
	svc.Mount(r)
	if err := svc.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Stop(context.Background()) })
	// Ready when every task is listed running.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, body, err := fetch(newClient(), srv.URL+"/v2/apps", "")
		var list struct{ Apps []struct{ TasksRunning int } }
		if err == nil && json.Unmarshal(body, &list) == nil && len(list.Apps) == apps {
			running := 0
			for _, a := range list.Apps {
				running += a.TasksRunning
			}
			if running == tasks {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("Marathon did not list %d running tasks: %v %.300s", tasks, err, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	settle(b, m)
	return srv.URL, r
}

// settle waits until Marathon's subscription has held for a second. Its
// reconciliation of every task at subscription answers more events than a
// framework stream buffers, so the master may close the stream and
// Marathon subscribe again, a few times, before one holds.
func settle(b testing.TB, m *master.Master) {
	r := chi.NewRouter()
	m.Mount(r, func() string { return "" })
	srv := httptest.NewServer(r)
	defer srv.Close()
	var last float64
	stableSince := time.Now()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Since(stableSince) < time.Second {
		if time.Now().After(deadline) {
			b.Fatal("Marathon's subscription did not settle")
		}
		_, body, err := fetch(newClient(), srv.URL+"/master/frameworks", "")
		var fws struct {
			Frameworks []struct {
				Active           bool
				ReregisteredTime float64 `json:"reregistered_time"`
			}
		}
		if err != nil || json.Unmarshal(body, &fws) != nil || len(fws.Frameworks) != 1 || !fws.Frameworks[0].Active ||
			fws.Frameworks[0].ReregisteredTime != last {
			if len(fws.Frameworks) == 1 {
				last = fws.Frameworks[0].ReregisteredTime
			}
			stableSince = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// marathonApps is the GET /v2/apps figure: 1 000 apps of 10 running
// tasks, read by 50 clients at once that ask for gzip; query is "" or
// "?embed=apps.tasks" (what dashboards ask for).
func marathonApps(b testing.TB, base, query string, apps, perApp int) (subject, floor sample) {
	return apiFigure(b, fmt.Sprintf("GET /v2/apps%s, %d apps, %d tasks", query, apps, apps*perApp), base+"/v2/apps"+query, "gzip", apps*100)
}

// marathonRows are the Marathon API figures in both encodings.
func marathonRows(b testing.TB, apps, perApp int) []row {
	base := marathonURL(b, apps, perApp)
	var rows []row
	for _, q := range []string{"", "?embed=apps.tasks"} {
		rows = append(rows, apiRows(b, fmt.Sprintf("GET /v2/apps%s, %d apps, %d tasks", q, apps, apps*perApp), base+"/v2/apps"+q, apps*100)...)
	}
	return append(rows, apiRows(b, fmt.Sprintf("GET /v2/tasks, %d tasks", apps*perApp), base+"/v2/tasks", apps*perApp*100)...)
}

// marathonListRows are the Marathon rows of the report: GET /v2/apps and
// GET /v2/apps?embed=apps.tasks with tasks/10 apps of 10 tasks, gzip.
func marathonListRows(tb testing.TB, tasks int) []row {
	apps, perApp := max(tasks/10, 1), 10
	base := marathonURL(tb, apps, perApp)
	var rows []row
	for _, q := range []string{"", "?embed=apps.tasks"} {
		s, f := marathonApps(tb, base, q, apps, perApp)
		rows = append(rows, row{what: "API", subject: s, floor: f})
	}
	return rows
}

// BenchmarkMarathonApps prints the Marathon API rows on their own (b.N is
// ignored: run it with -benchtime 1x).
func BenchmarkMarathonApps(b *testing.B) {
	printTable(os.Stdout, marathonRows(b, 1000, 10))
}

// BenchmarkMarathonAppsRequest is one GET /v2/apps of 1 000 apps and
// 10 000 tasks served in process: unchanged (answered from the last
// rendering) and after a change (rendered anew).
func BenchmarkMarathonAppsRequest(b *testing.B) {
	_, h := marathonServer(b, 1000, 10)
	change := func() {
		// Resetting an app's launch delay is a write under the service's
		// lock, like any change of its state.
		req := httptest.NewRequest("DELETE", "/v2/queue/bench/app-0000/delay", nil)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for _, path := range []string{"/v2/apps", "/v2/apps?embed=apps.tasks"} {
		b.Run(path, func(b *testing.B) { requestFigures(b, h, path, change) })
	}
}

// TestMarathonAppsSmoke runs the Marathon API figures small (no timings
// asserted).
func TestMarathonAppsSmoke(t *testing.T) {
	for _, r := range marathonRows(t, 20, 2) {
		if len(r.subject.lat) != apiClients*apiRequests || len(r.floor.lat) != apiClients*apiRequests {
			t.Fatalf("%s: %d and %d answers, want %d each", r.subject.name, len(r.subject.lat), len(r.floor.lat), apiClients*apiRequests)
		}
	}
}
