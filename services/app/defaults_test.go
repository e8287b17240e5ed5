package app

import (
	"reflect"
	"testing"
)

func TestDefaultsNetworking(t *testing.T) {
	cases := []struct {
		name, body string
		check      func(t *testing.T, a *App)
	}{
		{"host: default port definition", `{"id":"a","cmd":"xx"}`, func(t *testing.T, a *App) {
			if want := []PortDefinition{{Protocol: "tcp", Name: "default"}}; !reflect.DeepEqual(a.PortDefinitions, want) {
				t.Errorf("portDefinitions = %+v", a.PortDefinitions)
			}
		}},
		{"host: given port definitions kept", `{"id":"a","cmd":"xx","portDefinitions":[]}`, func(t *testing.T, a *App) {
			if a.PortDefinitions == nil || len(a.PortDefinitions) != 0 {
				t.Errorf("portDefinitions = %#v", a.PortDefinitions)
			}
		}},
		{"host: port mappings dropped", `{"id":"a","container":{"docker":{"image":"i"},"portMappings":[{"containerPort":80}]}}`, func(t *testing.T, a *App) {
			if a.Container.PortMappings != nil {
				t.Errorf("portMappings = %+v", a.Container.PortMappings)
			}
		}},
		{"bridge: default mapping with host port 0", `{"id":"a","networks":[{"mode":"container/bridge"}],"container":{"docker":{"image":"i"}}}`, func(t *testing.T, a *App) {
			want := []PortMapping{{Name: "default", Protocol: "tcp", HostPort: ptr(0), Labels: map[string]string{}}}
			if !reflect.DeepEqual(a.Container.PortMappings, want) {
				t.Errorf("portMappings = %+v", a.Container.PortMappings)
			}
			if a.PortDefinitions != nil || a.RequirePorts {
				t.Errorf("portDefinitions = %+v requirePorts = %v", a.PortDefinitions, a.RequirePorts)
			}
		}},
		{"bridge: explicit empty mappings kept", `{"id":"a","networks":[{"mode":"container/bridge"}],"container":{"docker":{"image":"i"},"portMappings":[]}}`, func(t *testing.T, a *App) {
			if a.Container.PortMappings == nil || len(a.Container.PortMappings) != 0 {
				t.Errorf("portMappings = %#v", a.Container.PortMappings)
			}
		}},
		{"bridge: one mapping per port definition", `{"id":"a","networks":[{"mode":"container/bridge"}],"requirePorts":true,"container":{"docker":{"image":"i"}},"portDefinitions":[{},{},{}]}`, func(t *testing.T, a *App) {
			if len(a.Container.PortMappings) != 3 || a.Container.PortMappings[0].Name != "default" || a.PortDefinitions != nil || a.RequirePorts {
				t.Errorf("portMappings = %+v portDefinitions = %+v", a.Container.PortMappings, a.PortDefinitions)
			}
		}},
		{"container network: Mesos container, no host port", `{"id":"a","cmd":"xx","networks":[{"name":"dcos"}]}`, func(t *testing.T, a *App) {
			if a.Networks[0].Mode != NetworkContainer || a.Container == nil || a.Container.Type != ContainerMesos {
				t.Errorf("networks = %+v container = %+v", a.Networks, a.Container)
			}
			if pm := a.Container.PortMappings; len(pm) != 1 || pm[0].HostPort != nil {
				t.Errorf("portMappings = %+v", pm)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := decodeDefault(t, c.body)
			c.check(t, a)
			if err := Validate(a); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestDefaultsHealthChecks(t *testing.T) {
	a := decodeDefault(t, `{"id":"a","cmd":"xx","portDefinitions":[{},{}],"healthChecks":[
		{"protocol":"HTTP","port":8080,"ipProtocol":"IPv6"},
		{"protocol":"TCP","path":"/x","ignoreHttp1xx":true},
		{"protocol":"MESOS_HTTP","ignoreHttp1xx":true,"ipProtocol":"IPv6"},
		{"protocol":"HTTP","command":{"value":"true"},"portIndex":1,"path":"/p"},
		{"protocol":"HTTPS","portIndex":1}]}`)
	h := a.HealthChecks
	if h[0].PortIndex != nil || *h[0].Port != 8080 || h[0].IPProtocol != "IPv4" {
		t.Errorf("HTTP with port: %+v", h[0])
	}
	if *h[1].PortIndex != 0 || h[1].Path != "" || h[1].IgnoreHTTP1xx {
		t.Errorf("TCP: %+v", h[1])
	}
	if h[2].IgnoreHTTP1xx || h[2].IPProtocol != "IPv6" || *h[2].PortIndex != 0 {
		t.Errorf("MESOS_HTTP: %+v", h[2])
	}
	if h[3].Protocol != ProtoCommand || h[3].PortIndex != nil || h[3].Path != "" || h[3].Command.Value != "true" {
		t.Errorf("command check: %+v", h[3])
	}
	if *h[4].PortIndex != 1 {
		t.Errorf("HTTPS: %+v", h[4])
	}
}

func TestDefaultsResident(t *testing.T) {
	body := `{"id":"db","cmd":"xx","container":{"type":"MESOS","volumes":[{"containerPath":"data","mode":"RW","persistent":{"size":100}}]}}`
	a := decodeDefault(t, body)
	if !a.IsResident() {
		t.Fatal("not resident")
	}
	if *a.UpgradeStrategy != (UpgradeStrategy{MinimumHealthCapacity: 0.5}) || !a.UnreachableStrategy.Disabled {
		t.Errorf("strategies = %+v %+v", a.UpgradeStrategy, a.UnreachableStrategy)
	}
	if a.Container.Volumes[0].Persistent.Type != "root" {
		t.Errorf("persistent type = %q", a.Container.Volumes[0].Persistent.Type)
	}
	if err := Validate(a); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestDefaultsNormalizeSetsAndEmpties(t *testing.T) {
	a := decodeDefault(t, `{"id":"a","cmd":"xx","env":{},"args":[],"fetch":[],"healthChecks":[],"secrets":{},
		"constraints":[["a","UNIQUE"],["a","unique"],["b","LIKE","x"]],
		"dependencies":["/x","/x","/y"],"acceptedResourceRoles":["*","*"],
		"container":{"type":"MESOS","docker":{"image":"i","privileged":true}},
		"readinessChecks":[{"portName":"default"}]}`)
	if a.Env != nil || a.Args != nil || a.Fetch != nil || a.HealthChecks != nil || a.Secrets != nil {
		t.Errorf("empty collections not nil: %+v", a)
	}
	if len(a.Constraints) != 2 || len(a.Dependencies) != 2 || len(a.AcceptedResourceRoles) != 1 {
		t.Errorf("duplicates kept: %+v %+v %+v", a.Constraints, a.Dependencies, a.AcceptedResourceRoles)
	}
	if a.Container.Docker.Privileged {
		t.Error("privileged kept on a MESOS container")
	}
	if !reflect.DeepEqual(a.ReadinessChecks[0].HTTPStatusCodesForReady, []int{200}) {
		t.Errorf("httpStatusCodesForReady = %v", a.ReadinessChecks[0].HTTPStatusCodesForReady)
	}
}

func TestDefaultsIdempotent(t *testing.T) {
	for _, body := range []string{
		`{"id":"a","cmd":"xx"}`,
		`{"id":"a","networks":[{"mode":"container/bridge"}],"container":{"docker":{"image":"i"}},"portDefinitions":[{},{}]}`,
		`{"id":"a","cmd":"xx","healthChecks":[{"command":{"value":"x"}},{}],"constraints":[["a","UNIQUE"],["a","UNIQUE"]]}`,
	} {
		a := decodeDefault(t, body)
		b := a.Clone()
		Defaults(b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("Defaults not idempotent for %s:\n%+v\n%+v", body, a, b)
		}
	}
}

func TestDefaultsProgrammaticApp(t *testing.T) {
	a := &App{ID: "/p", Cmd: "run it", Cpus: 1, Mem: 64, BackoffFactor: 1.15}
	Defaults(a)
	if a.KillSelection != KillYoungestFirst || a.Role != "*" || a.Labels == nil || len(a.Networks) != 1 || a.UpgradeStrategy == nil || a.UnreachableStrategy == nil {
		t.Errorf("defaults missing: %+v", a)
	}
	if err := Validate(a); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
