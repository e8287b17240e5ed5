package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestStatus(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "", ports)
	nodetest.Start(t, cfg, nil)
	flags := []string{"--address", "127.0.0.1:" + strconv.Itoa(ports.Master),
		"--marathon", "127.0.0.1:" + strconv.Itoa(ports.Marathon), "--chronos", "127.0.0.1:" + strconv.Itoa(ports.Chronos)}

	waitMarathon(t, flags[3])
	file := writeFile(t, "web.json", `{"id": "/web", "cmd": "sleep 1000", "cpus": 0.25, "mem": 16, "instances": 1}`)
	if code, out, errs := runCLI(append([]string{"app", "apply", file}, flags[2:4]...)...); code != 0 {
		t.Fatalf("app apply: %d %s %s", code, out, errs)
	}
	var code int
	var out, errs string
	nodetest.WaitFor(t, 10*time.Second, "status with one agent", func() bool {
		code, out, errs = runCLI(append([]string{"status"}, flags...)...)
		return code == 0 && strings.Contains(out, "Agents: 1")
	})
	t.Logf("status:\n%s", out)
	for _, want := range []string{"Leader: master@", "Apps: 1", "Jobs: 0", "Members: 1", "node-127.0.0.1", "CPUS USED/TOTAL", "0.25/"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(append([]string{"status", "--json"}, flags...)...)
	var st clusterStatus
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || len(st.Agents) != 1 || st.Apps == nil || *st.Apps != 1 {
		t.Fatalf("status --json: %d %v\n%s", code, err, out)
	}

	// Chronos unreachable: what could be gathered is printed, exit 1.
	bad := append(append([]string{"status"}, flags[:4]...), "--chronos", "127.0.0.1:1")
	code, out, errs = runCLI(bad...)
	if code != 1 || !strings.Contains(out, "Jobs: unknown") || !strings.Contains(out, "Apps: 1") {
		t.Errorf("chronos down: %d\n%s", code, out)
	}
	wantOneLine(t, "chronos down", errs, "mesosbox status: chronos: ")
	if code, _, errs := runCLI("status", "extra"); code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("status extra: %d %q", code, errs)
	}
}
