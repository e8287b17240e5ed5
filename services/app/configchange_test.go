package app

import (
	"testing"
	"time"
)

func TestIsConfigChange(t *testing.T) {
	base := decodeDefault(t, `{"id":"/a","cmd":"sleep 1","instances":2,
		"constraints":[["hostname","UNIQUE"],["rack","GROUP_BY"]],"dependencies":["/x","/y"],
		"acceptedResourceRoles":["*","web"],
		"healthChecks":[{"protocol":"TCP"},{"protocol":"HTTP","path":"/"}],"labels":{"a":"b"}}`)
	Stamp(nil, base, time.Unix(0, 0))
	cases := []struct {
		name   string
		mutate func(a *App)
		want   bool
	}{
		{"nothing", func(a *App) {}, false},
		{"instances", func(a *App) { a.Instances = 10 }, false},
		{"version stamps", func(a *App) { a.Version = time.Unix(100, 0); a.VersionInfo = nil }, false},
		{"set order", func(a *App) {
			a.Constraints[0], a.Constraints[1] = a.Constraints[1], a.Constraints[0]
			a.Dependencies[0], a.Dependencies[1] = a.Dependencies[1], a.Dependencies[0]
			a.AcceptedResourceRoles[0], a.AcceptedResourceRoles[1] = a.AcceptedResourceRoles[1], a.AcceptedResourceRoles[0]
			a.HealthChecks[0], a.HealthChecks[1] = a.HealthChecks[1], a.HealthChecks[0]
		}, false},
		{"empty env nil or not", func(a *App) { a.Env = map[string]EnvValue{} }, false},
		{"cmd", func(a *App) { a.Cmd = "sleep 2" }, true},
		{"cpus", func(a *App) { a.Cpus = 2 }, true},
		{"label", func(a *App) { a.Labels["a"] = "c" }, true},
		{"env", func(a *App) { a.Env = map[string]EnvValue{"A": Literal("1")} }, true},
		{"constraint value", func(a *App) { a.Constraints[1].Value = ptr("2") }, true},
		{"health check", func(a *App) { a.HealthChecks[0].IntervalSeconds = 5 }, true},
		{"container", func(a *App) { a.Container = &Container{Type: ContainerMesos} }, true},
		{"upgrade strategy", func(a *App) { a.UpgradeStrategy = &UpgradeStrategy{} }, true},
		{"both instances and cmd", func(a *App) { a.Instances = 0; a.Cmd = "x y" }, true},
	}
	for _, c := range cases {
		next := base.Clone()
		c.mutate(next)
		if got := IsConfigChange(base, next); got != c.want {
			t.Errorf("%s: IsConfigChange = %v, want %v", c.name, got, c.want)
		}
	}
}
