package app

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTaskEnvHostNetworking(t *testing.T) {
	a := decodeDefault(t, `{"id":"/prod/api","cmd":"run","cpus":0.5,"mem":64,"disk":10,
		"portDefinitions":[{"port":0,"name":"http"},{"port":9000,"name":"admin-api"},{"port":0}],
		"labels":{"HAPROXY_GROUP":"external","team.name":"core","skip":"`+strings.Repeat("v", 512)+`"},
		"env":{"PORT0":"override","SECRET":{"secret":"s"},"APP":"x"},"secrets":{"s":{"source":"src"}}}`)
	a.Version = time.Date(2015, 8, 26, 20, 23, 39, 463_000_000, time.UTC)
	id := NewTaskID(a.ID, testUUID)
	env := TaskEnv(a, []uint64{31000, 31001, 31002}, "agent1", id, "/var/sandbox")
	want := map[string]string{
		"MESOS_TASK_ID":                    id,
		"MARATHON_APP_ID":                  "/prod/api",
		"MARATHON_APP_VERSION":             "2015-08-26T20:23:39.463Z",
		"MARATHON_APP_RESOURCE_CPUS":       "0.5",
		"MARATHON_APP_RESOURCE_MEM":        "64.0",
		"MARATHON_APP_RESOURCE_DISK":       "10.0",
		"MARATHON_APP_RESOURCE_GPUS":       "0",
		"MARATHON_APP_LABELS":              "HAPROXY_GROUP TEAM_NAME",
		"MARATHON_APP_LABEL_HAPROXY_GROUP": "external",
		"MARATHON_APP_LABEL_TEAM_NAME":     "core",
		"PORT0":                            "override", // the app's env wins
		"PORT1":                            "31001",
		"PORT2":                            "31002",
		"PORT_31000":                       "31000",
		"PORT_9000":                        "31001",
		"PORT_31002":                       "31002",
		"PORT_HTTP":                        "31000",
		"PORT_ADMIN-API":                   "31001",
		"PORT":                             "31000",
		"PORTS":                            "31000,31001,31002",
		"HOST":                             "agent1",
		"MESOS_SANDBOX":                    "/var/sandbox",
		"APP":                              "x",
	}
	if !reflect.DeepEqual(env, want) {
		for k, v := range want {
			if env[k] != v {
				t.Errorf("%s = %q, want %q", k, env[k], v)
			}
		}
		for k, v := range env {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s=%q", k, v)
			}
		}
	}
}

func TestTaskEnvBridgeAndDocker(t *testing.T) {
	a := decodeDefault(t, `{"id":"/web","networks":[{"mode":"container/bridge"}],
		"container":{"docker":{"image":"nginx:1.19"},"portMappings":[{"containerPort":80,"name":"http"},{"containerPort":0}]}}`)
	env := TaskEnv(a, []uint64{31005, 31006}, "h", "t", "")
	for k, v := range map[string]string{
		"MARATHON_APP_DOCKER_IMAGE": "nginx:1.19", "PORT0": "31005", "PORT1": "31006",
		"PORT_80": "31005", "PORT_31006": "31006", "PORT_HTTP": "31005", "PORT": "31005", "PORTS": "31005,31006",
		"MARATHON_APP_LABELS": "",
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["MESOS_SANDBOX"]; ok {
		t.Error("MESOS_SANDBOX set without a sandbox")
	}
}

func TestTaskEnvContainerNetworkWithoutHostPorts(t *testing.T) {
	a := decodeDefault(t, `{"id":"/svc","cmd":"run","networks":[{"name":"dcos"}],
		"container":{"type":"MESOS","portMappings":[{"containerPort":8080,"name":"api"},{"containerPort":0},{"containerPort":9090,"hostPort":0}]}}`)
	env := TaskEnv(a, []uint64{0, 0, 31010}, "h", "task-1", "")
	if env["PORT0"] != "8080" || env["PORT_8080"] != "8080" || env["PORT2"] != "31010" || env["PORT_9090"] != "31010" {
		t.Errorf("env = %v", env)
	}
	if _, ok := env["PORT_API"]; ok {
		t.Error("a named port without a host port got PORT_API (Marathon only names host ports)")
	}
	gen, err := strconv.Atoi(env["PORT1"])
	if err != nil || gen < 1025 || gen > 65535 || gen == 8080 || gen == 9090 || gen == 31010 {
		t.Fatalf("generated port = %q", env["PORT1"])
	}
	if env["PORT_"+env["PORT1"]] != env["PORT1"] {
		t.Errorf("PORT_%s missing", env["PORT1"])
	}
	if env["PORTS"] != "31010,"+env["PORT1"] || env["PORT"] != "31010" {
		t.Errorf("PORTS = %q PORT = %q", env["PORTS"], env["PORT"])
	}
	if again := TaskEnv(a, []uint64{0, 0, 31010}, "h", "task-1", ""); again["PORT1"] != env["PORT1"] {
		t.Error("generated container port is not deterministic")
	}
}

func TestTaskEnvNoPorts(t *testing.T) {
	a := decodeDefault(t, `{"id":"/batch","cmd":"run","portDefinitions":[]}`)
	env := TaskEnv(a, nil, "", "t", "")
	for _, k := range []string{"PORT", "PORTS", "PORT0", "HOST"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s set for an app without ports", k)
		}
	}
}

func TestLabelsEnvCollisions(t *testing.T) {
	env := labelsEnv(map[string]string{"a.b": "1", "a-b": "2", "a--b": "3", "x": "y"})
	if env["MARATHON_APP_LABELS"] != "A_B X" {
		t.Errorf("MARATHON_APP_LABELS = %q", env["MARATHON_APP_LABELS"])
	}
	if env["MARATHON_APP_LABEL_A_B"] != "1" { // keys sorted: a--b, a-b, a.b → a.b wins
		t.Errorf("MARATHON_APP_LABEL_A_B = %q", env["MARATHON_APP_LABEL_A_B"])
	}
}
