package appliance_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestJoiningNodesTakeTheClusterLogin starts three nodes bound to 0.0.0.0
// without credentials (so each would generate a login; distinct ports,
// as they share the host's addresses): the first generates one, the two
// that join take it from the join answer, so the three files are the same
// and one login works on every node; a joined node keeps it across a
// restart, and no log holds the password.
func TestJoiningNodesTakeTheClusterLogin(t *testing.T) {
	var nodes []*appliance.Node
	var cfgs []appliance.Config
	var logs []*syncBuffer
	for i, addr := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		cfg := nodetest.Config(t, addr, nodetest.FreePorts(t))
		cfg.Bind = "0.0.0.0"
		if i > 0 {
			token, err := os.ReadFile(filepath.Join(cfgs[0].DataDir, "join-token"))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Join = []string{cfgs[0].AdvertiseAddr(cfgs[0].MasterPort)}
			cfg.JoinToken = strings.TrimSpace(string(token))
		}
		log := &syncBuffer{}
		nodes = append(nodes, startLogged(t, cfg, log))
		cfgs, logs = append(cfgs, nodes[i].Config()), append(logs, log)
	}
	first, err := os.ReadFile(filepath.Join(cfgs[0].DataDir, "http-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	admin := generatedLogin(t, string(first))
	verified := 0
	for i, cfg := range cfgs {
		path := filepath.Join(cfg.DataDir, "http-credentials")
		b, err := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if err != nil || string(b) != string(first) || fi.Mode().Perm() != 0o600 {
			t.Fatalf("node %d: %s differs from the first node's or is not 0600 (%v, %v)", i+1, path, fi.Mode(), err)
		}
		if strings.Contains(logs[i].String(), admin.pass) || !strings.Contains(logs[i].String(), path) {
			t.Fatalf("node %d: the log must name %s and never hold the password:\n%s", i+1, path, logs[i].String())
		}
		members := "http://" + cfg.AdvertiseAddr(cfg.MasterPort) + "/cluster/members"
		if code, _, _ := authCall(t, nil, "GET", members, noLogin, ""); code != 401 {
			t.Fatalf("node %d without a login: %d", i+1, code)
		}
		nodetest.WaitFor(t, 30*time.Second, "three members seen with the cluster's login", func() bool {
			code, _, body := authCall(t, nil, "GET", members, admin, "")
			var ms []appliance.MemberInfo
			return code == 200 && json.Unmarshal([]byte(body), &ms) == nil && len(ms) == 3
		})
		verified++
	}
	// A joined node restarts with the login it kept.
	nodes[2].Stop(context.Background())
	restarted := startLogged(t, cfgs[2], &syncBuffer{})
	members := "http://" + cfgs[2].AdvertiseAddr(cfgs[2].MasterPort) + "/cluster/members"
	waitStatus(t, members, admin, 200)
	if b, _ := os.ReadFile(filepath.Join(restarted.Config().DataDir, "http-credentials")); string(b) != string(first) {
		t.Fatal("the restarted node's login changed")
	}
	t.Logf("nodes 3, one generated login, verified on %d nodes and after a restart", verified)
}
