package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestMembersAndLeave(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg1 := nodetest.Config(t, "127.0.0.1", ports)
	nodetest.Start(t, cfg1, nil)
	token, _ := os.ReadFile(filepath.Join(cfg1.DataDir, "join-token"))
	cfg2 := nodetest.Config(t, "127.0.0.2", ports)
	cfg2.Join, cfg2.JoinToken = []string{"127.0.0.1:" + strconv.Itoa(ports.Master)}, strings.TrimSpace(string(token))
	nodetest.Start(t, cfg2, nil)

	addr := "127.0.0.2:" + strconv.Itoa(ports.Master)
	var out, errb bytes.Buffer
	nodetest.WaitFor(t, 10*time.Second, "two members", func() bool {
		out.Reset()
		return Run([]string{"members", "--address", addr}, &out, &errb) == 0 && strings.Count(out.String(), "\n") == 3
	})
	if !strings.Contains(out.String(), "node-127.0.0.1") || !strings.Contains(out.String(), "Leader") {
		t.Fatalf("members:\n%s", out.String())
	}
	out.Reset()
	if code := Run([]string{"leave", "--address", addr}, &out, &errb); code != 0 {
		t.Fatalf("leave: %d %s", code, errb.String())
	}
	out.Reset()
	if code := Run([]string{"members", "--json", "--address", "127.0.0.1:" + strconv.Itoa(ports.Master)}, &out, &errb); code != 0 || strings.Contains(out.String(), "node-127.0.0.2") {
		t.Fatalf("after leave: %d %s", code, out.String())
	}
	errb.Reset()
	if code := Run([]string{"members", "--address", "127.0.0.1:1"}, &out, &errb); code != 1 || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("unreachable node: %d %q", code, errb.String())
	}
}
