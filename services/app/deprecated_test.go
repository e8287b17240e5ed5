package app

import (
	"reflect"
	"testing"
)

func TestDeprecatedTranslations(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, a *App)
	}{
		{"uris become fetch, archives extracted", `{"id":"a","cmd":"xx","uris":["http://h/a.tgz","http://h/b.tar.gz","http://h/c.zip","http://h/run.sh"]}`,
			func(t *testing.T, a *App) {
				want := []Fetch{{URI: "http://h/a.tgz", Extract: true}, {URI: "http://h/b.tar.gz", Extract: true},
					{URI: "http://h/c.zip", Extract: true}, {URI: "http://h/run.sh"}}
				if !reflect.DeepEqual(a.Fetch, want) {
					t.Errorf("fetch = %+v", a.Fetch)
				}
			}},
		{"ports become unnamed port definitions", `{"id":"a","cmd":"xx","ports":[0,8080]}`,
			func(t *testing.T, a *App) {
				want := []PortDefinition{{Port: 0, Protocol: "tcp"}, {Port: 8080, Protocol: "tcp"}}
				if !reflect.DeepEqual(a.PortDefinitions, want) {
					t.Errorf("portDefinitions = %+v", a.PortDefinitions)
				}
			}},
		{"empty ports mean no ports", `{"id":"a","cmd":"xx","ports":[]}`,
			func(t *testing.T, a *App) {
				if a.PortDefinitions == nil || len(a.PortDefinitions) != 0 {
					t.Errorf("portDefinitions = %#v", a.PortDefinitions)
				}
			}},
		{"ports equal to port definitions", `{"id":"a","cmd":"xx","ports":[80],"portDefinitions":[{"port":80,"name":"http"}]}`,
			func(t *testing.T, a *App) {
				if len(a.PortDefinitions) != 1 || a.PortDefinitions[0].Name != "http" {
					t.Errorf("portDefinitions = %+v", a.PortDefinitions)
				}
			}},
		{"docker BRIDGE and docker port mappings", `{"id":"a","container":{"docker":{"image":"i","network":"BRIDGE","portMappings":[{"containerPort":80}]}}}`,
			func(t *testing.T, a *App) {
				if !reflect.DeepEqual(a.Networks, []Network{{Mode: NetworkBridge}}) {
					t.Errorf("networks = %+v", a.Networks)
				}
				want := []PortMapping{{ContainerPort: 80, HostPort: ptr(0), Protocol: "tcp", Labels: map[string]string{}}}
				if !reflect.DeepEqual(a.Container.PortMappings, want) {
					t.Errorf("portMappings = %+v", a.Container.PortMappings)
				}
				if a.PortDefinitions != nil {
					t.Errorf("portDefinitions = %+v", a.PortDefinitions)
				}
			}},
		{"docker HOST", `{"id":"a","container":{"docker":{"image":"i","network":"HOST"}}}`,
			func(t *testing.T, a *App) {
				if !reflect.DeepEqual(a.Networks, []Network{{Mode: NetworkHost}}) || len(a.PortDefinitions) != 1 {
					t.Errorf("networks = %+v ports = %+v", a.Networks, a.PortDefinitions)
				}
			}},
		{"docker USER with ipAddress", `{"id":"a","container":{"docker":{"image":"i","network":"USER"}},"ipAddress":{"networkName":"dcos","labels":{"k":"v"}}}`,
			func(t *testing.T, a *App) {
				want := []Network{{Mode: NetworkContainer, Name: "dcos", Labels: map[string]string{"k": "v"}}}
				if !reflect.DeepEqual(a.Networks, want) {
					t.Errorf("networks = %+v", a.Networks)
				}
			}},
		{"ipAddress alone gives a Mesos container on a named network", `{"id":"a","cmd":"xx","ipAddress":{"networkName":"dcos"}}`,
			func(t *testing.T, a *App) {
				if !reflect.DeepEqual(a.Networks, []Network{{Mode: NetworkContainer, Name: "dcos"}}) {
					t.Errorf("networks = %+v", a.Networks)
				}
				if a.Container == nil || a.Container.Type != ContainerMesos || len(a.Container.PortMappings) != 1 {
					t.Errorf("container = %+v", a.Container)
				}
			}},
		{"ipAddress on the mesos bridge", `{"id":"a","cmd":"xx","ipAddress":{"networkName":"mesos-bridge"}}`,
			func(t *testing.T, a *App) {
				if !reflect.DeepEqual(a.Networks, []Network{{Mode: NetworkBridge}}) {
					t.Errorf("networks = %+v", a.Networks)
				}
			}},
		{"ipAddress discovery ports become port mappings", `{"id":"a","cmd":"xx","ipAddress":{"networkName":"n1","discovery":{"ports":[{"number":8080,"name":"rest","protocol":"tcp"}]}}}`,
			func(t *testing.T, a *App) {
				want := []PortMapping{{ContainerPort: 8080, Name: "rest", Protocol: "tcp", Labels: map[string]string{}}}
				if !reflect.DeepEqual(a.Container.PortMappings, want) {
					t.Errorf("portMappings = %+v", a.Container.PortMappings)
				}
			}},
		{"container port mappings kept when docker ones are empty", `{"id":"a","networks":[{"mode":"container/bridge"}],"container":{"portMappings":[{"containerPort":1}],"docker":{"image":"i","portMappings":[]}}}`,
			func(t *testing.T, a *App) {
				if len(a.Container.PortMappings) != 1 || a.Container.PortMappings[0].ContainerPort != 1 {
					t.Errorf("portMappings = %+v", a.Container.PortMappings)
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
			m := encodeMap(t, a)
			for _, k := range []string{"uris", "ports", "ipAddress"} {
				if _, ok := m[k]; ok {
					t.Errorf("encoded app has deprecated %q", k)
				}
			}
			if ct, ok := m["container"].(map[string]any); ok {
				if d, ok := ct["docker"].(map[string]any); ok {
					if _, ok := d["network"]; ok {
						t.Error("encoded app has container.docker.network")
					}
					if _, ok := d["portMappings"]; ok {
						t.Error("encoded app has container.docker.portMappings")
					}
				}
			}
		})
	}
}

func TestDeprecatedConflicts(t *testing.T) {
	cases := []struct {
		name, body, details string
	}{
		{"uris and fetch", `{"id":"a","uris":["http://x"],"fetch":[{"uri":"http://y"}]}`,
			`[{"path":"/uris","errors":["may not be set in conjunction with fetch"]}]`},
		{"bad uri", `{"id":"a","uris":["http://a b"]}`, `[{"path":"/uris(0)","errors":["URI has invalid syntax."]}]`},
		{"docker network and networks", `{"id":"a","networks":[{"mode":"host"}],"container":{"docker":{"image":"i","network":"HOST"}}}`,
			`[{"path":"/","errors":["must not specify both container.docker.network and networks"]}]`},
		{"ipAddress and networks", `{"id":"a","networks":[{"mode":"host"}],"ipAddress":{}}`,
			`[{"path":"/","errors":["must not specify both networks and ipAddress"]}]`},
		{"duplicate ports", `{"id":"a","ports":[80,80,0,0]}`, `[{"path":"/","errors":["ports must be unique"]}]`},
		{"ipAddress and ports", `{"id":"a","ports":[80],"ipAddress":{}}`, `[{"path":"/","errors":["cannot specify both an IP address and port"]}]`},
		{"ipAddress and port definitions", `{"id":"a","portDefinitions":[{"port":80}],"ipAddress":{}}`, `[{"path":"/","errors":["cannot specify both an IP address and port"]}]`},
		{"ports differ from port definitions", `{"id":"a","ports":[80],"portDefinitions":[{"port":81}]}`,
			`[{"path":"/","errors":["cannot specify both ports and port definitions"]}]`},
		{"discovery with docker", `{"id":"a","container":{"type":"DOCKER","docker":{"image":"i"}},"ipAddress":{"discovery":{"ports":[]}}}`,
			`[{"path":"/ipAddress","errors":["ipAddress/discovery is not allowed for Docker containers"]}]`},
		{"mesos with docker network", `{"id":"a","container":{"type":"MESOS","docker":{"image":"i","network":"BRIDGE","portMappings":[{"containerPort":1}]}}}`,
			`[{"path":"/container/docker/network","errors":["must be empty"]},{"path":"/container/docker/portMappings","errors":["must be empty"]}]`},
		{"duplicate docker port names", `{"id":"a","container":{"docker":{"image":"i","portMappings":[{"name":"p"},{"name":"p"}]}}}`,
			`[{"path":"/container/docker/portMappings","errors":["Port names must be unique."]}]`},
		{"both port mapping fields", `{"id":"a","container":{"portMappings":[{"containerPort":1}],"docker":{"image":"i","portMappings":[{"containerPort":2}]}}}`,
			`[{"path":"/","errors":["cannot specify both portMappings and docker.portMappings"]}]`},
		{"docker NONE", `{"id":"a","container":{"docker":{"image":"i","network":"NONE"}}}`,
			`[{"path":"/container/docker/network","errors":["unsupported docker network type NONE"]}]`},
		{"discovery with port mappings", `{"id":"a","container":{"type":"MESOS","portMappings":[]},"ipAddress":{"discovery":{"ports":[{"name":"p","number":1}]}}}`,
			`[{"path":"/","errors":["container.portMappings and ipAddress.discovery.ports must not both be set"]}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.body), "/")
			wantBody(t, err, 422, `{"message":"Object is not valid","details":`+c.details+`}`)
		})
	}
}
