package marathon

import (
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

// TestGoMarathonClient drives the service with go-marathon v0.7.1, the
// client Traefik and many tools use.
func TestGoMarathonClient(t *testing.T) {
	e := newEnv(t)
	e.addAgent("host-a", "cpus:4;mem:4096;ports:[31000-31100]")
	cfg := marathon.NewDefaultConfig()
	cfg.URL = e.srv.URL
	client, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.Info()
	if err != nil || info.Name != "marathon" || info.Leader == "" {
		t.Fatalf("info %+v %v", info, err)
	}
	a := marathon.NewDockerApplication()
	a.Container = nil
	a.Name("/gm/app").Command("sleep 1000").CPU(0.1).Memory(32).Count(2).AddLabel("team", "core")
	created, err := client.CreateApplication(a)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != "/gm/app" || len(created.Deployments) != 1 {
		t.Fatalf("created %+v", created)
	}
	if err := client.WaitOnDeployment(created.Deployments[0]["id"], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	ok, err := client.ApplicationOK("/gm/app")
	if err != nil || !ok {
		t.Fatalf("ApplicationOK = %v, %v", ok, err)
	}
	got, err := client.Application("/gm/app")
	if err != nil || got.TasksRunning != 2 || len(got.Tasks) != 2 || (*got.Labels)["team"] != "core" {
		t.Fatalf("application %+v %v", got, err)
	}
	dep, err := client.ScaleApplicationInstances("/gm/app", 3, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, _ := client.Application("/gm/app"); got.TasksRunning != 3 {
		t.Fatalf("after scale: %d running", got.TasksRunning)
	}
	versions, err := client.ApplicationVersions("/gm/app")
	if err != nil || len(versions.Versions) != 2 {
		t.Fatalf("versions %+v %v", versions, err)
	}
	dep, err = client.SetApplicationVersion("/gm/app", &marathon.ApplicationVersion{Version: versions.Versions[1]})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, _ := client.Application("/gm/app"); got.TasksRunning != 2 {
		t.Fatalf("after rollback: %d running", got.TasksRunning)
	}
	dep, err = client.RestartApplication("/gm/app", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	tasks, err := client.Tasks("/gm/app")
	if err != nil || len(tasks.Tasks) != 2 {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
	if _, err := client.KillTask(tasks.Tasks[0].ID, &marathon.KillTaskOpts{Scale: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "scaled down by kill", func() bool { return len(e.tasks("/gm/app")) == 1 && e.deployments() == 0 })
	apps, err := client.Applications(nil)
	if err != nil || len(apps.Apps) != 1 {
		t.Fatalf("applications %+v %v", apps, err)
	}
	if _, err := client.CreateApplication(a); err == nil {
		t.Fatal("duplicate create succeeded")
	} else if apiErr, ok := err.(*marathon.APIError); !ok || apiErr.ErrCode != marathon.ErrCodeAppLocked && apiErr.ErrCode != marathon.ErrCodeDuplicateID {
		t.Fatalf("duplicate: %v", err)
	} else if apiErr.ErrCode != marathon.ErrCodeDuplicateID {
		t.Fatalf("duplicate reported as %v", err)
	}
	dep, err = client.DeleteApplication("/gm/app", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Application("/gm/app"); err == nil {
		t.Fatal("deleted app still readable")
	} else if apiErr, ok := err.(*marathon.APIError); !ok || apiErr.ErrCode != marathon.ErrCodeNotFound {
		t.Fatalf("deleted app: %v", err)
	}
}
