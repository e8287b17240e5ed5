package app

import (
	"strings"
	"testing"
)

const idRegexMsg = `must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'`

func TestValidateAcceptsFixtures(t *testing.T) {
	for _, body := range []string{
		`{"id":"a","cmd":"sleep 1"}`,
		`{"id":"a","args":["sleep","1"]}`,
		`{"id":"a","container":{"docker":{"image":"busybox"}}}`,
		`{"id":"a","cmd":"sleep 1","container":{"type":"MESOS","docker":{"image":"busybox"}}}`,
		`{"id":"a.b-c/d","cmd":"xx","executor":"//cmd"}`,
		`{"id":"a","cmd":"xx","executor":"/opt/exec"}`,
		`{"id":"a","cmd":"xx","constraints":[["hostname","CLUSTER"],["rack","GROUP_BY"],["rack","GROUP_BY","+2"],["@zone","MAX_PER","1"],["h","UNLIKE","a|b"],["x","IS","1.5"]]}`,
		`{"id":"a","cmd":"xx","networks":[{"name":"n1"},{"name":"n2"}],"container":{"type":"MESOS","portMappings":[{"containerPort":80,"hostPort":0,"networkNames":["n1"]}]}}`,
		`{"id":"a","cmd":"xx","healthChecks":[{"command":{"value":"a"}},{"command":{"value":"b"}},{"protocol":"MESOS_TCP"}]}`,
		`{"id":"a","cmd":"xx","portDefinitions":[{"port":80},{"port":0},{"port":0}],"healthChecks":[{"portIndex":2},{"port":9000}]}`,
		`{"id":"a","cmd":"xx","resourceLimits":{"cpus":"unlimited","mem":256}}`,
	} {
		a := decodeDefault(t, body)
		if err := Validate(a); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestValidateRules(t *testing.T) {
	cases := []struct {
		name, body, details string
	}{
		{"no command", `{"id":"a"}`,
			`[{"path":"/","errors":["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}]`},
		{"cmd and args", `{"id":"a","cmd":"xx","args":["y"]}`,
			`[{"path":"/","errors":["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}]`},
		{"imageless mesos container", `{"id":"a","container":{"type":"MESOS"}}`,
			`[{"path":"/","errors":["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}]`},
		{"one character cmd", `{"id":"a","cmd":"x"}`, `[{"path":"/","errors":["must not be an empty string"]}]`},
		{"bad id", `{"id":"My_App","cmd":"xx"}`, `[{"path":"/id","errors":["` + idRegexMsg + `"]}]`},
		{"id ending with a dash", `{"id":"/g/app-","cmd":"xx"}`, `[{"path":"/id","errors":["` + idRegexMsg + `"]}]`},
		{"reserved id", `{"id":"/g/tasks","cmd":"xx"}`,
			`[{"path":"/id","errors":["must not end with any of the following reserved keywords: restart, tasks, versions, ., .."]}]`},
		{"root id", `{"id":"/","cmd":"xx"}`,
			`[{"path":"/id","errors":["Path must contain at least one path element"]},{"path":"/","errors":["must not be root"]}]`},
		{"bad dependency", `{"id":"a","cmd":"xx","dependencies":["/ok","/Not/ok"]}`, `[{"path":"/dependencies(1)","errors":["` + idRegexMsg + `"]}]`},
		{"executor", `{"id":"a","cmd":"xx","executor":"/test//path"}`,
			`[{"path":"/executor","errors":["must fully match regular expression '^(//cmd)|(/?[^/]+(/[^/]+)*)|$'"]}]`},
		{"constraint field", `{"id":"a","cmd":"xx","constraints":[["","UNIQUE"]]}`, `[{"path":"/constraints(0)","errors":["missing field for constraint declaration"]}]`},
		{"constraint operator", `{"id":"a","cmd":"xx","constraints":[["a","SOMETIMES"]]}`,
			`[{"path":"/constraints(0)","errors":["operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER or UNLIKE"]}]`},
		{"unique with value", `{"id":"a","cmd":"xx","constraints":[["hostname","UNIQUE",""]]}`, `[{"path":"/constraints(0)","errors":["UNIQUE does not accept a value"]}]`},
		{"group by value", `{"id":"a","cmd":"xx","constraints":[["rack","GROUP_BY","two"]]}`,
			`[{"path":"/constraints(0)","errors":["GROUP BY must define an integer value or else no value at all"]}]`},
		{"max per value", `{"id":"a","cmd":"xx","constraints":[["rack","MAX_PER"],["rack","MAX_PER",1.5]]}`,
			`[{"path":"/constraints(0)","errors":["MAX_PER requires an integer value"]},{"path":"/constraints(1)","errors":["MAX_PER requires an integer value"]}]`},
		{"like value", `{"id":"a","cmd":"xx","constraints":[["h","LIKE"],["h","UNLIKE","[a-"]]}`,
			`[{"path":"/constraints(0)","errors":["LIKE and UNLIKE require a non-empty, regular expression value"]},{"path":"/constraints(1)","errors":["is not a valid regular expression"]}]`},
		{"is value", `{"id":"a","cmd":"xx","constraints":[["h","IS","a b"]]}`,
			`[{"path":"/constraints(0)","errors":["IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)"]}]`},
		{"health check port index", `{"id":"a","cmd":"xx","healthChecks":[{"portIndex":1},{"protocol":"TCP","portIndex":5}]}`,
			`[{"path":"/healthChecks(0)","errors":["Health check port indices must address an element of the ports array or container port mappings."]},{"path":"/healthChecks(1)","errors":["Health check port indices must address an element of the ports array or container port mappings."]}]`},
		{"health check without ports", `{"id":"a","cmd":"xx","portDefinitions":[],"healthChecks":[{}]}`,
			`[{"path":"/healthChecks(0)","errors":["Health check port indices must address an element of the ports array or container port mappings."]}]`},
		{"two mesos health checks", `{"id":"a","cmd":"xx","healthChecks":[{"protocol":"MESOS_HTTP"},{"protocol":"MESOS_TCP"}]}`,
			`[{"path":"/","errors":["AppDefinition can contain at most one Mesos health check"]}]`},
		{"command check without command", `{"id":"a","cmd":"xx","healthChecks":[{"protocol":"COMMAND"}]}`,
			`[{"path":"/healthChecks(0)/command","errors":["A command is required when using the COMMAND health check protocol."]}]`},
		{"named host network", `{"id":"a","cmd":"xx","networks":[{"mode":"host","name":"x"}]}`, `[{"path":"/networks","errors":["Host networks may not have names or labels"]}]`},
		{"labelled host network", `{"id":"a","cmd":"xx","networks":[{"mode":"host","labels":{"a":"b"}}]}`, `[{"path":"/networks","errors":["Host networks may not have names or labels"]}]`},
		{"named bridge", `{"id":"a","cmd":"xx","networks":[{"mode":"container/bridge","name":"x"}]}`, `[{"path":"/networks","errors":["Bridge networks may not have names"]}]`},
		{"duplicate networks", `{"id":"a","cmd":"xx","networks":[{"name":"x"},{"name":"x"}]}`, `[{"path":"/networks","errors":["Duplicate networks are not allowed"]}]`},
		{"mixed networks", `{"id":"a","cmd":"xx","networks":[{"mode":"host"},{"name":"x"}]}`,
			`[{"path":"/networks","errors":["May specify a single host network, single bridge network, or else 1-to-n container networks"]}]`},
		{"deprecated network name", `{"id":"a","cmd":"xx","ipAddress":{"networkName":"My_Net"}}`,
			`[{"path":"/networks(0)/name","errors":["must contain only alphanumeric chars or hyphens, and must begin with a letter"]}]`},
		{"unnamed container network", `{"id":"a","cmd":"xx","networks":[{"mode":"container"}]}`,
			`[{"path":"/","errors":["Network name must be specified when container network is selected."]}]`},
		{"port definition duplicates", `{"id":"a","cmd":"xx","portDefinitions":[{"port":80,"name":"http"},{"port":80,"name":"http"},{"port":0},{"port":0}]}`,
			`[{"path":"/portDefinitions","errors":["Ports must be unique.","Port names must be unique."]}]`},
		{"port mapping names", `{"id":"a","networks":[{"mode":"container/bridge"}],"container":{"docker":{"image":"i"},"portMappings":[{"name":"p"},{"name":"p"}]}}`,
			`[{"path":"/container/portMappings","errors":["Port names must be unique."]}]`},
		{"port mapping network names", `{"id":"a","cmd":"xx","networks":[{"name":"n1"},{"name":"n2"}],"container":{"type":"MESOS","portMappings":[{"hostPort":0},{"networkNames":["n3"]}]}}`,
			`[{"path":"/container/portMappings(0)","errors":["networkNames must be a single item list when hostPort is specified and more than 1 container network is defined"]},{"path":"/container/portMappings(1)/networkNames(0)","errors":["is not one of (n1,n2)"]}]`},
		{"docker engine with two networks", `{"id":"a","networks":[{"name":"n1"},{"name":"n2"}],"container":{"docker":{"image":"i"},"portMappings":[]}}`,
			`[{"path":"/","errors":["may only specify a single container network when using the Docker container engine"]}]`},
		{"docker without docker", `{"id":"a","cmd":"xx","container":{"type":"DOCKER"}}`, `[{"path":"/container/docker","errors":["not defined"]}]`},
		{"docker pull config", `{"id":"a","container":{"docker":{"image":"i","pullConfig":{"secret":"s"}}}}`,
			`[{"path":"/container/docker/pullConfig","errors":["pullConfig is not supported with Docker containerizer"]}]`},
		{"docker credential", `{"id":"a","container":{"docker":{"image":"i","credential":{"principal":"p"}}}}`,
			`[{"path":"/container/docker/credential","errors":["must be empty"]}]`},
		{"mesos parameters and pull config", `{"id":"a","container":{"type":"MESOS","docker":{"image":"i","parameters":[{"key":"k","value":"v"}],"pullConfig":{"secret":"s"}}}}`,
			`[{"path":"/container/docker/parameters","errors":["must be empty"]},{"path":"/container/docker/pullConfig","errors":["pullConfig.secret must refer to an existing secret"]}]`},
		{"host volume", `{"id":"a","cmd":"xx","container":{"docker":{"image":"i"},"volumes":[{"containerPath":"/a","mode":"RW"}]}}`,
			`[{"path":"/container/volumes(0)/hostPath","errors":["must not be empty"]}]`},
		{"persistent volume", `{"id":"a","cmd":"xx","container":{"type":"MESOS","volumes":[{"containerPath":"a/b","mode":"RO","persistent":{"size":0,"maxSize":5}}]}}`,
			`[{"path":"/container/volumes(0)/containerPath","errors":["value must not contain \"/\""]},{"path":"/container/volumes(0)/mode","errors":["does not equal RW"]},{"path":"/container/volumes(0)/persistent/size","errors":["got 0, expected more than 0"]},{"path":"/container/volumes(0)/persistent","errors":["Only mount volumes can have maxSize"]}]`},
		{"external volume", `{"id":"a","cmd":"xx","container":{"type":"MESOS","volumes":[{"containerPath":"a","external":{"name":"v","provider":"dvdi"}}]}}`,
			`[{"path":"/container/volumes(0)","errors":["Feature external_volumes is not enabled. Enable with --enable_features external_volumes)"]}]`},
		{"secret volume", `{"id":"a","cmd":"xx","container":{"type":"MESOS","volumes":[{"containerPath":"a","secret":"s"}]}}`,
			`[{"path":"/container/volumes(0)","errors":["volume.secret must refer to an existing secret"]}]`},
		{"env secret reference", `{"id":"a","cmd":"xx","env":{"A":{"secret":"nope"}}}`, `[{"path":"/env/A","errors":["references an undefined secret"]}]`},
		{"empty keys", `{"id":"a","cmd":"xx","env":{"":"v"},"labels":{"":"v"},"secrets":{"":{"source":"s"}}}`,
			`[{"path":"/env/","errors":["must not be empty"]},{"path":"/labels/","errors":["must not be empty"]},{"path":"/secrets/","errors":["must not be empty"]}]`},
		{"fetch uri", `{"id":"a","cmd":"xx","fetch":[{"uri":"http://x/a b"}]}`, `[{"path":"/fetch(0)/uri","errors":["URI has invalid syntax."]}]`},
		{"accepted roles", `{"id":"a","cmd":"xx","acceptedResourceRoles":[]}`, `[{"path":"/acceptedResourceRoles","errors":["must not be empty"]}]`},
		{"single instance", `{"id":"a","cmd":"xx","instances":2,"labels":{"MARATHON_SINGLE_INSTANCE_APP":"true"}}`,
			`[{"path":"/","errors":["Single instance app may only have one instance"]},{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["does not equal 0.0"]},{"path":"/upgradeStrategy/maximumOverCapacity","errors":["does not equal 0.0"]}]`},
		{"resident strategies", `{"id":"a","cmd":"xx","upgradeStrategy":{"minimumHealthCapacity":0.8,"maximumOverCapacity":0.5},"unreachableStrategy":{},"container":{"type":"MESOS","volumes":[{"containerPath":"d","persistent":{"size":1}}]}}`,
			`[{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["got 0.8, expected 0.5 or less"]},{"path":"/upgradeStrategy/maximumOverCapacity","errors":["does not equal 0.0"]},{"path":"/","errors":["unreachableStrategy must be disabled for resident tasks"]}]`},
		{"unreachable order", `{"id":"a","cmd":"xx","unreachableStrategy":{"inactiveAfterSeconds":600,"expungeAfterSeconds":300}}`,
			`[{"path":"/unreachableStrategy/inactiveAfterSeconds","errors":["got 600, expected 300 or less"]}]`},
		{"gpus with docker", `{"id":"a","gpus":1,"container":{"docker":{"image":"i"}}}`, `[{"path":"/","errors":["GPU resources only work with the Mesos containerizer"]}]`},
		{"resource limits", `{"id":"a","cmd":"xx","cpus":2,"mem":256,"resourceLimits":{"cpus":1,"mem":128}}`,
			`[{"path":"/resourceLimits/cpus","errors":["got 1.0, expected 2.0 or more"]},{"path":"/resourceLimits/mem","errors":["got 128.0, expected 256.0 or more"]}]`},
		{"readiness", `{"id":"a","cmd":"xx","readinessChecks":[{"portName":"nope","timeoutSeconds":30},{"portName":"default"}]}`,
			`[{"path":"/readinessChecks","errors":["got 2, expected 1 or less"]},{"path":"/readinessChecks(0)/portName","errors":["No port definition reference for portName nope"]},{"path":"/readinessChecks(0)/timeoutSeconds","errors":["got 30, expected less than 30"]}]`},
		{"check types", `{"id":"a","cmd":"xx","check":{"http":{},"tcp":{}}}`, `[{"path":"/check","errors":["Must specify a single type of check, http, tcp, or exec"]}]`},
		{"migration labels", `{"id":"a","cmd":"xx","labels":{"DCOS_MIGRATION_API_VERSION":"v1"}}`,
			`[{"path":"/","errors":["DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION"]}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := decodeDefault(t, c.body)
			wantBody(t, Validate(a), 422, `{"message":"Object is not valid","details":`+c.details+`}`)
		})
	}
}

// TestValidateProgrammatic covers rules that Decode's RAML checks or
// Defaults make unreachable from JSON, for apps built in Go.
func TestValidateProgrammatic(t *testing.T) {
	base := func() *App {
		a := &App{ID: "/p", Cmd: "run it", Cpus: 1, Mem: 64, BackoffFactor: 1.15}
		Defaults(a)
		return a
	}
	cases := []struct {
		name    string
		mutate  func(a *App)
		details string
	}{
		{"upgrade strategy", func(a *App) {
			a.UpgradeStrategy = &UpgradeStrategy{MinimumHealthCapacity: 1.2, MaximumOverCapacity: -0.5}
		},
			`[{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["got 1.2, expected between 0.0 and 1.0"]},{"path":"/upgradeStrategy/maximumOverCapacity","errors":["got -0.5, expected between 0.0 and 1.0"]}]`},
		{"resources", func(a *App) {
			a.Cpus, a.Mem, a.Disk, a.Gpus, a.Instances = 0, -1, -0.5, -1, -1
			a.BackoffSeconds, a.BackoffFactor, a.MaxLaunchDelaySeconds, a.TaskKillGracePeriodSeconds = -1, 0.5, -1, ptr(-1)
		}, `[{"path":"/cpus","errors":["got 0.0, expected 0.001 or more"]},{"path":"/mem","errors":["got -1.0, expected 0.0 or more"]},{"path":"/disk","errors":["got -0.5, expected 0.0 or more"]},{"path":"/gpus","errors":["got -1, expected 0 or more"]},{"path":"/instances","errors":["got -1, expected 0 or more"]},{"path":"/backoffSeconds","errors":["got -1, expected 0 or more"]},{"path":"/backoffFactor","errors":["got 0.5, expected 1.0 or more"]},{"path":"/maxLaunchDelaySeconds","errors":["got -1, expected 0 or more"]},{"path":"/taskKillGracePeriodSeconds","errors":["got -1, expected 0 or more"]}]`},
		{"port mappings on host", func(a *App) {
			a.Container = &Container{Type: ContainerMesos, PortMappings: []PortMapping{{ContainerPort: 80, Protocol: "tcp"}}}
		}, `[{"path":"/","errors":["portMappings are not allowed with host-networking"]}]`},
		{"port definitions off host", func(a *App) {
			a.Networks = []Network{{Mode: NetworkBridge}}
			a.Container = &Container{Type: ContainerMesos, PortMappings: []PortMapping{}}
		}, `[{"path":"/","errors":["portDefinitions are only allowed with host-networking"]}]`},
		{"port numbers", func(a *App) { a.PortDefinitions = []PortDefinition{{Port: 70000, Protocol: "tcp"}} },
			`[{"path":"/portDefinitions(0)/port","errors":["got 70000, expected 65535 or less"]}]`},
		{"empty fetch uri", func(a *App) { a.Fetch = []Fetch{{URI: ""}} },
			`[{"path":"/fetch(0)/uri","errors":["must not be empty"]}]`},
		{"kill selection", func(a *App) { a.KillSelection = "RANDOM" },
			`[{"path":"/killSelection","errors":["is not one of (YOUNGEST_FIRST,OLDEST_FIRST)"]}]`},
		{"relative id", func(a *App) { a.ID = "p" }, `[{"path":"/id","errors":["Path needs to be absolute"]}]`},
		{"long env name", func(a *App) { a.Env = map[string]EnvValue{strings.Repeat("A", 255): Literal("x")} },
			`[{"path":"/env/` + strings.Repeat("A", 255) + `","errors":["variable name must be 254 chars or less"]}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := base()
			c.mutate(a)
			wantBody(t, Validate(a), 422, `{"message":"Object is not valid","details":`+c.details+`}`)
		})
	}
}
