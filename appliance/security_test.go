package appliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/apierrors"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"
	"golang.org/x/crypto/bcrypt"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/store"
)

// login is a user and password, or none when user is empty.
type login struct{ user, pass string }

var noLogin login

// authCall sends a request with the login and returns its status, headers and
// body; client nil is the default client.
func authCall(t testing.TB, client *http.Client, method, url string, l login, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if l.user != "" {
		req.SetBasicAuth(l.user, l.pass)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(b)
}

// credentialsFile writes a credentials file with alice's plain password
// and bob's as a bcrypt hash in htpasswd -B's $2y$ form.
func credentialsFile(t testing.TB) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("bob-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "credentials")
	content := "# test users\nalice:alice-pw\nbob:$2y$" + strings.TrimPrefix(string(h), "$2a$") + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	alice = login{"alice", "alice-pw"}
	bob   = login{"bob", "bob-pw"}
)

// TestEveryPortAsksForALogin starts a node with --http-credentials: every
// endpoint of the four ports (APIs, UIs, event streams, the operator and
// scheduler APIs) answers 401 with a browser challenge in its port's
// dialect without a login, and serves with one; the probes stay open; the
// node's own agent registers and a task's status updates flow (they use
// the node identity), as does the UI's proxy to the agent.
func TestEveryPortAsksForALogin(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "127.0.0.1", ports)
	cfg.HTTPCredentials = credentialsFile(t)
	n := nodetest.Start(t, cfg, nil)
	master, agent := nodetest.URL(n, ports.Master), nodetest.URL(n, ports.Agent)
	mara, chronos := nodetest.URL(n, ports.Marathon), nodetest.URL(n, ports.Chronos)
	for _, url := range []string{master + "/master/state", mara + "/v2/apps", chronos + "/v1/scheduler/jobs"} {
		waitStatus(t, url, alice, 200) // the leader's master and frameworks have started
	}

	protected := []struct {
		method, url, body string
		json              bool
	}{
		{"GET", master + "/master/state", "", false},
		{"GET", master + "/state.json", "", false},
		{"GET", master + "/", "", false},
		{"GET", master + "/cluster/members", "", false},
		{"POST", master + "/api/v1", `{"type":"GET_HEALTH"}`, false},
		{"POST", master + "/api/v1/scheduler", `{"type":"SUBSCRIBE"}`, false},
		{"GET", agent + "/state", "", false},
		{"GET", agent + "/files/browse?path=/", "", false},
		{"GET", mara + "/v2/apps", "", true},
		{"GET", mara + "/v2/events", "", true},
		{"GET", mara + "/ui/", "", true},
		{"GET", mara + "/v2/leader", "", true},
		{"GET", chronos + "/v1/scheduler/jobs", "", true},
		{"GET", chronos + "/", "", true},
	}
	for _, p := range protected {
		for _, l := range []login{noLogin, {"alice", "wrong"}, {"mallory", "alice-pw"}, {"mesosbox-node", "not-the-token"}} {
			code, h, body := authCall(t, nil, p.method, p.url, l, p.body)
			if code != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), `Basic realm="mesosbox"`) {
				t.Errorf("%s %s as %q: %d %q, want 401 with a challenge", p.method, p.url, l.user, code, h.Get("WWW-Authenticate"))
				continue
			}
			var msg struct{ Message string }
			if isJSON := json.Unmarshal([]byte(body), &msg) == nil && msg.Message != ""; isJSON != p.json {
				t.Errorf("%s %s: 401 body %q in the wrong dialect", p.method, p.url, body)
			}
		}
	}
	for _, path := range []string{master + "/master/health", agent + "/health", mara + "/ping", chronos + "/ping"} {
		if code, _, _ := authCall(t, nil, "GET", path, noLogin, ""); code != 200 {
			t.Errorf("probe %s: %d without a login", path, code)
		}
	}
	for _, l := range []login{alice, bob} {
		for _, url := range []string{master + "/master/state", agent + "/state", mara + "/v2/apps", mara + "/ui/", chronos + "/v1/scheduler/jobs"} {
			if code, _, body := authCall(t, nil, "GET", url, l, ""); code != 200 {
				t.Errorf("%s as %s: %d %.200s", url, l.user, code, body)
			}
		}
	}

	// The agent registered through the login (as the node); a Marathon
	// task's updates reach the master the same way.
	app := `{"id":"/auth-sleeper","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":1}`
	if code, _, body := authCall(t, nil, "POST", mara+"/v2/apps", alice, app); code != 201 {
		t.Fatalf("POST /v2/apps: %d %s", code, body)
	}
	nodetest.WaitFor(t, 60*time.Second, "the app's task running", func() bool {
		_, _, body := authCall(t, nil, "GET", mara+"/v2/apps/auth-sleeper", alice, "")
		return strings.Contains(body, `"tasksRunning":1`)
	})
	_, _, body := authCall(t, nil, "GET", master+"/master/slaves", alice, "")
	var slaves struct{ Slaves []struct{ ID string } }
	if json.Unmarshal([]byte(body), &slaves) != nil || len(slaves.Slaves) != 1 {
		t.Fatalf("slaves: %s", body)
	}
	proxied := master + "/ui/agents/" + slaves.Slaves[0].ID + "/state"
	if code, _, body := authCall(t, nil, "GET", proxied, alice, ""); code != 200 || !strings.Contains(body, "auth-sleeper") {
		t.Fatalf("UI agent proxy: %d %.300s", code, body)
	}
	if code, _, _ := authCall(t, nil, "GET", proxied, noLogin, ""); code != 401 {
		t.Fatalf("UI agent proxy without a login: %d", code)
	}
	// The Marathon port serves the same proxy, for its UI's task logs.
	onMarathon := mara + "/ui/agents/" + slaves.Slaves[0].ID + "/state"
	if code, _, body := authCall(t, nil, "GET", onMarathon, alice, ""); code != 200 || !strings.Contains(body, "auth-sleeper") {
		t.Fatalf("agent proxy on the Marathon port: %d %.300s", code, body)
	}
}

// TestMesosFrameworkWithBasicAuth subscribes mesos-go v0.0.11's HTTP
// scheduler client with httpcli.BasicAuth, and is refused (401, typed by
// mesos-go as not authenticated) without it. go-marathon v0.7.1 logs in
// with HTTPBasicAuthUser/HTTPBasicPassword.
func TestMesosFrameworkAndMarathonClientWithBasicAuth(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "127.0.0.1", ports)
	cfg.HTTPCredentials = credentialsFile(t)
	n := nodetest.Start(t, cfg, nil)
	nodetest.WaitFor(t, 20*time.Second, "the master running", func() bool { return n.Master().Running() })
	endpoint := nodetest.URL(n, ports.Master) + "/api/v1/scheduler"
	codec := httpcli.Codec(codecs.ByMediaType[codecs.MediaTypeProtobuf])
	subscribe := calls.Subscribe(&mesos.FrameworkInfo{User: "root", Name: "auth-test"})

	anon := httpsched.NewCaller(httpcli.New(httpcli.Endpoint(endpoint), codec))
	_, err := anon.Call(context.Background(), subscribe)
	if !apierrors.CodeNotAuthenticated.Matches(err) {
		t.Fatalf("subscribe without a login: %v, want 401", err)
	}

	cli := httpcli.New(httpcli.Endpoint(endpoint), codec, httpcli.Do(httpcli.With(httpcli.BasicAuth("bob", "bob-pw"))))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := httpsched.NewCaller(cli).Call(ctx, subscribe)
	if err != nil {
		t.Fatal("subscribe with a login:", err)
	}
	defer resp.Close()
	var ev scheduler.Event
	if err := resp.Decode(&ev); err != nil || ev.Type != scheduler.Event_SUBSCRIBED {
		t.Fatalf("first event %v %v", ev.Type, err)
	}

	mcfg := marathon.NewDefaultConfig()
	mcfg.URL = nodetest.URL(n, ports.Marathon)
	mcfg.HTTPBasicAuthUser, mcfg.HTTPBasicPassword = "alice", "alice-pw"
	client, err := marathon.NewClient(mcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Applications(nil); err != nil {
		t.Fatal("go-marathon with a login:", err)
	}
	mcfg.HTTPBasicPassword = "wrong"
	bad, err := marathon.NewClient(mcfg)
	if err == nil {
		_, err = bad.Applications(nil)
	}
	var merr *marathon.APIError
	if !errors.As(err, &merr) || merr.ErrCode != marathon.ErrCodeUnauthorized {
		t.Fatalf("go-marathon with a wrong password: %v, want its unauthorized error", err)
	}
}

// TestSafeDefaults: bound to 0.0.0.0 without credentials a node generates
// an admin login (0600) and asks for it, keeps it across restarts and
// never logs the password; --insecure serves without a login and warns;
// a loopback bind serves without one.
func TestSafeDefaults(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "127.0.0.1", ports)
	cfg.Bind = "0.0.0.0"
	var logs syncBuffer
	n := startLogged(t, cfg, &logs)
	path := filepath.Join(cfg.DataDir, "http-credentials")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(path)
	admin := generatedLogin(t, string(b))
	if !strings.Contains(logs.String(), path) || strings.Contains(logs.String(), admin.pass) {
		t.Fatalf("the log must name %s and never hold the password:\n%s", path, logs.String())
	}
	url := nodetest.URL(n, ports.Marathon) + "/v2/apps"
	if code, _, _ := authCall(t, nil, "GET", url, noLogin, ""); code != 401 {
		t.Fatalf("without a login: %d", code)
	}
	waitStatus(t, url, admin, 200)
	n.Stop(context.Background())

	// The second start keeps the password.
	logs.Reset()
	n = startLogged(t, cfg, &logs)
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Fatal("the generated login changed on restart")
	}
	waitStatus(t, url, admin, 200)
	n.Stop(context.Background())

	// --insecure: no login, and a warning on every start.
	insecure := cfg
	insecure.DataDir = t.TempDir()
	insecure.Insecure = true
	logs.Reset()
	n = startLogged(t, insecure, &logs)
	waitStatus(t, url, noLogin, 200)
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "WITHOUT authentication") {
		t.Fatalf("--insecure did not warn:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(insecure.DataDir, "http-credentials")); err == nil {
		t.Fatal("--insecure generated credentials")
	}
	n.Stop(context.Background())

	loopback := nodetest.Config(t, "127.0.0.1", ports)
	n = nodetest.Start(t, loopback, nil)
	waitStatus(t, url, noLogin, 200)
	if _, err := os.Stat(filepath.Join(loopback.DataDir, "http-credentials")); err == nil {
		t.Fatal("a loopback node generated credentials")
	}
}

// waitStatus waits until url answers want to l, Marathon being up.
func waitStatus(t testing.TB, url string, l login, want int) { waitStatusWith(t, nil, url, l, want) }

// waitStatusWith is waitStatus through client (nil: the default client).
func waitStatusWith(t testing.TB, client *http.Client, url string, l login, want int) {
	t.Helper()
	nodetest.WaitFor(t, 30*time.Second, fmt.Sprintf("%d from %s as %q", want, url, l.user), func() bool {
		code, _, _ := authCall(t, client, "GET", url, l, "")
		return code == want
	})
}

// generatedLogin reads the admin line of a generated credentials file.
func generatedLogin(t testing.TB, file string) login {
	t.Helper()
	for _, line := range strings.Split(file, "\n") {
		if user, pass, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			return login{user, pass}
		}
	}
	t.Fatalf("no login in %q", file)
	return login{}
}

// startLogged starts a node whose log goes to logs, at info level.
func startLogged(t *testing.T, cfg appliance.Config, logs io.Writer) *appliance.Node {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := appliance.New(cfg, appliance.Options{Logger: logger, RaftTimeouts: store.FastTimeouts})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.Store().WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// syncBuffer is a log sink tests read while the node writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
