package embedui_test

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestMesosUIOnFollower: a follower's master answers 307, so its Mesos UI
// moves to the leader's; the Marathon and Chronos UIs on the follower work
// through the follower's proxy to the leader (Marathon's polling, since a
// follower redirects its event stream).
func TestMesosUIOnFollower(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg1 := nodetest.Config(t, "127.0.0.1", ports)
	nodetest.Start(t, cfg1, nil)
	token, err := os.ReadFile(filepath.Join(cfg1.DataDir, "join-token"))
	if err != nil {
		t.Fatal(err)
	}
	cfg2 := nodetest.Config(t, "127.0.0.2", ports)
	cfg2.Join = []string{"127.0.0.1"}
	cfg2.JoinToken = strings.TrimSpace(string(token))
	n2 := nodetest.Start(t, cfg2, nil)
	nodetest.WaitFor(t, 10*time.Second, "two members", func() bool {
		_, body := nodetest.Get(t, nodetest.URL(n2, ports.Master)+"/cluster/members")
		return strings.Count(body, `"name"`) == 2
	})

	// Leadership may move under load, so the follower and the leader are
	// whichever nodes the members list names at the time.
	leader := func() string {
		var ms []struct {
			Address string
			Leader  bool
		}
		_, body := nodetest.Get(t, nodetest.URL(n2, ports.Master)+"/cluster/members")
		json.Unmarshal([]byte(body), &ms)
		for _, m := range ms {
			if m.Leader {
				host, _, _ := net.SplitHostPort(m.Address)
				return host
			}
		}
		return ""
	}
	follower := "127.0.0.2"
	if leader() == follower {
		follower = "127.0.0.1"
	}
	url := func(host string, port int) string { return "http://" + net.JoinHostPort(host, strconv.Itoa(port)) }

	b := newBrowser(t, false)
	b.open(url(follower, ports.Master) + "/#/tasks")
	nodetest.WaitFor(t, 20*time.Second, "the follower's Mesos UI to move to the leader's", func() bool {
		return b.peek(`location.host + location.hash`) == net.JoinHostPort(leader(), strconv.Itoa(ports.Master))+"#/tasks"
	})
	b.waitText(".status", "leader "+net.JoinHostPort(leader(), strconv.Itoa(ports.Master)))

	b.open(url(follower, ports.Marathon) + "/")
	b.waitText("main", "No applications yet")
	b.waitText(".status", "Marathon ") // read through the follower; its event stream is not tried

	b.open(url(follower, ports.Chronos) + "/")
	b.waitText("main", "No jobs yet")
}
