package appliance_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/auth/authtest"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// httpsClient trusts only the CA in caFile, as a user given the cluster's
// CA does.
func httpsClient(t testing.TB, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// postThrough posts body until the answer is one of ok. Under load (-race
// beside other suites) a follower may briefly know no leader (502/503);
// a 409 means an earlier try went through though its answer was lost.
func postThrough(t *testing.T, client *http.Client, url string, l login, body string, ok ...int) {
	t.Helper()
	var code int
	var answer string
	nodetest.WaitFor(t, 30*time.Second, "POST "+url, func() bool {
		code, _, answer = authCall(t, client, "POST", url, l, body)
		if code == 502 || code == 503 {
			return false
		}
		if !slices.Contains(ok, code) {
			t.Fatalf("POST %s: %d %s", url, code, answer)
		}
		return true
	})
}

// TestThreeNodesOverTLSWithLogins runs three nodes on 127.0.0.1-3 with
// --tls-* from a CA made for the test and one credentials file: they join
// over HTTPS, replicate over mutual-TLS Raft, the agents register with the
// leader over HTTPS as the node, a follower proxies a Marathon request
// with the user's login, and the UI's agent proxy reaches an agent over
// HTTPS. Every port, Marathon's and Chronos' too, serves only HTTPS:
// go-marathon works with the cluster's CA, plain HTTP is refused. A node whose certificate comes from another CA is refused.
func TestThreeNodesOverTLSWithLogins(t *testing.T) {
	ports := nodetest.FreePorts(t)
	ca := authtest.NewCA(t, "cluster")
	creds := credentialsFile(t)
	configFor := func(addr string, issuer *authtest.CA) appliance.Config {
		cfg := nodetest.Config(t, addr, ports)
		cfg.TLSCert, cfg.TLSKey = issuer.Issue(t, cfg.NodeName, addr)
		cfg.TLSCA = ca.CertFile
		cfg.HTTPCredentials = creds
		return cfg
	}
	cfg1 := configFor("127.0.0.1", ca)
	nodes := []*appliance.Node{nodetest.Start(t, cfg1, nil)}
	token, err := os.ReadFile(filepath.Join(cfg1.DataDir, "join-token"))
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"127.0.0.2", "127.0.0.3"} {
		cfg := configFor(addr, ca)
		cfg.Join, cfg.JoinToken = []string{"127.0.0.1"}, strings.TrimSpace(string(token))
		nodes = append(nodes, nodetest.Start(t, cfg, nil))
	}
	client := httpsClient(t, ca.CertFile)
	https := func(n *appliance.Node, port int) string { return "https://" + n.Config().AdvertiseAddr(port) }

	nodetest.WaitFor(t, 20*time.Second, "three members", func() bool {
		code, _, body := authCall(t, client, "GET", https(nodes[2], ports.Master)+"/cluster/members", alice, "")
		var ms []appliance.MemberInfo
		return code == 200 && json.Unmarshal([]byte(body), &ms) == nil && len(ms) == 3
	})
	var leader *appliance.Node
	nodetest.WaitFor(t, 60*time.Second, "three agents active on the leader", func() bool {
		for _, n := range nodes {
			if n.Store().IsLeader() {
				leader = n
			}
		}
		if leader == nil {
			return false
		}
		_, _, body := authCall(t, client, "GET", https(leader, ports.Master)+"/metrics/snapshot", alice, "")
		return strings.Contains(body, `"master/slaves_active":3`)
	})

	// Every port speaks only HTTPS, with the CA.
	for _, url := range []string{"http://" + leader.Config().AdvertiseAddr(ports.Master) + "/master/health",
		"http://" + leader.Config().AdvertiseAddr(ports.Agent) + "/health",
		"http://" + leader.Config().AdvertiseAddr(ports.Marathon) + "/v2/apps",
		"http://" + leader.Config().AdvertiseAddr(ports.Chronos) + "/v1/scheduler/jobs"} {
		if code, _, _ := authCall(t, nil, "GET", url, alice, ""); code != 400 {
			t.Errorf("plain HTTP to %s: %d, want 400", url, code)
		}
	}
	for _, port := range []int{ports.Master, ports.Marathon, ports.Chronos} {
		if _, err := http.Get(https(leader, port) + "/"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("HTTPS without the CA to port %d: %v", port, err)
		}
	}
	if code, _, _ := authCall(t, client, "GET", https(leader, ports.Master)+"/master/state", noLogin, ""); code != 401 {
		t.Errorf("HTTPS without a login: %d", code)
	}

	// A follower proxies Marathon to the leader with the user's login.
	var follower *appliance.Node
	for _, n := range nodes {
		if n != leader {
			follower = n
		}
	}
	waitStatusWith(t, client, nodetest.URL(leader, ports.Marathon)+"/v2/apps", alice, 200)
	app := `{"id":"/tls-sleeper","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":1}`
	postThrough(t, client, nodetest.URL(follower, ports.Marathon)+"/v2/apps", bob, app, 201, 409)
	if code, _, _ := authCall(t, client, "GET", nodetest.URL(follower, ports.Marathon)+"/v2/apps", noLogin, ""); code != 401 {
		t.Fatalf("follower without a login: %d", code)
	}
	// Chronos too.
	waitStatusWith(t, client, nodetest.URL(leader, ports.Chronos)+"/v1/scheduler/jobs", alice, 200)
	job := `{"name":"tls-job","command":"true","schedule":"R/2030-01-01T00:00:00Z/P1D"}`
	postThrough(t, client, nodetest.URL(follower, ports.Chronos)+"/v1/scheduler/iso8601", bob, job, 204)
	if code, _, body := authCall(t, client, "GET", nodetest.URL(leader, ports.Chronos)+"/v1/scheduler/job/tls-job", alice, ""); code != 200 {
		t.Fatalf("the job on the leader: %d %s", code, body)
	}
	var appBody string
	defer func() { t.Logf("last app: %.600s", appBody) }()
	nodetest.WaitFor(t, 60*time.Second, "the app's task running", func() bool {
		_, _, appBody = authCall(t, client, "GET", nodetest.URL(follower, ports.Marathon)+"/v2/apps/tls-sleeper", alice, "")
		return strings.Contains(appBody, `"tasksRunning":1`)
	})
	// go-marathon over HTTPS with the cluster's CA, through the follower;
	// pointed at the same port over plain HTTP it gets nowhere.
	mcfg := marathon.NewDefaultConfig()
	mcfg.URL = nodetest.URL(follower, ports.Marathon)
	mcfg.HTTPClient = client
	mcfg.HTTPBasicAuthUser, mcfg.HTTPBasicPassword = alice.user, alice.pass
	mc, err := marathon.NewClient(mcfg)
	if err != nil {
		t.Fatal("go-marathon over https:", err)
	}
	nodetest.WaitFor(t, 30*time.Second, "go-marathon reading the app over https", func() bool {
		a, err := mc.Application("/tls-sleeper")
		if err != nil {
			appBody = "go-marathon: " + err.Error()
			return false
		}
		return a.TasksRunning == 1
	})
	if info, err := mc.Info(); err != nil || info.HTTPConfig.HTTPSPort != float64(ports.Marathon) || info.HTTPConfig.HTTPPort != 0 {
		t.Fatalf("/v2/info over https: %+v, %v (want https_port %d, no http_port)", info, err, ports.Marathon)
	}
	mcfg.URL = "http://" + follower.Config().AdvertiseAddr(ports.Marathon)
	if plain, err := marathon.NewClient(mcfg); err == nil {
		if _, err := plain.Applications(nil); err == nil {
			t.Fatal("go-marathon over plain http to an https port succeeded")
		}
	}
	// Under load the leadership may move; a Go client follows a master's
	// 307 to another host without the Authorization header (net/http drops
	// it across hosts), so each try asks the node that leads now.
	var tasks struct {
		Tasks []struct {
			SlaveID string `json:"slave_id"`
		}
	}
	var proxyAnswer string
	defer func() { t.Logf("last agent proxy answer: %.300s", proxyAnswer) }()
	nodetest.WaitFor(t, 30*time.Second, "the UI agent proxy over HTTPS on the leader", func() bool {
		for _, n := range nodes {
			if n.Store().IsLeader() {
				leader = n
			}
		}
		_, _, body := authCall(t, client, "GET", https(leader, ports.Master)+"/master/tasks", alice, "")
		if json.Unmarshal([]byte(body), &tasks) != nil || len(tasks.Tasks) != 1 {
			proxyAnswer = "tasks: " + body
			return false
		}
		proxied := https(leader, ports.Master) + "/ui/agents/" + tasks.Tasks[0].SlaveID + "/state"
		code, _, body := authCall(t, client, "GET", proxied, alice, "")
		proxyAnswer = fmt.Sprintf("%d %.300s", code, body)
		return code == 200 && strings.Contains(body, "tls-sleeper")
	})
	// A follower's Marathon port forwards the proxy to the leader's, as the
	// node over HTTPS.
	viaFollower := nodetest.URL(follower, ports.Marathon) + "/ui/agents/" + tasks.Tasks[0].SlaveID + "/state"
	nodetest.WaitFor(t, 30*time.Second, "the agent proxy on a follower's Marathon port", func() bool {
		code, _, body := authCall(t, client, "GET", viaFollower, alice, "")
		proxyAnswer = fmt.Sprintf("via the follower: %d %.300s", code, body)
		return code == 200 && strings.Contains(body, "tls-sleeper")
	})

	// A node with the right token but a certificate of another CA is
	// refused by the cluster (its Raft traffic would be too: store's TLS
	// test); one that trusts another CA refuses the cluster's certificate.
	other := authtest.NewCA(t, "other")
	foreignCert := configFor("127.0.0.4", other)
	foreignCA := configFor("127.0.0.4", other)
	foreignCA.TLSCA = other.CertFile
	for _, rogue := range []struct {
		cfg  appliance.Config
		want string
	}{
		{foreignCert, "node certificate signed by its CA"},
		{foreignCA, "certificate signed by unknown authority"},
	} {
		rogue.cfg.Join, rogue.cfg.JoinToken = []string{"127.0.0.1"}, strings.TrimSpace(string(token))
		n, err := appliance.New(rogue.cfg, appliance.Options{Logger: nodetest.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = n.Start(ctx)
		cancel()
		n.Stop(context.Background())
		if err == nil || !strings.Contains(err.Error(), rogue.want) {
			t.Fatalf("rogue node: %v, want %q", err, rogue.want)
		}
	}
}
