package appliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/auth"
	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/store"
)

// TestRateLimitOnARealNode runs a node with --rate-limit 5 (bursts of 10)
// on a clock the test drives: within the burst every port answers 200;
// over it each answers 429 with Retry-After in its own dialect, and
// go-marathon returns the error; the probes, the node's own agent (it
// calls the master as a node) and other logins are not affected; time
// passing gives the client its requests back.
func TestRateLimitOnARealNode(t *testing.T) {
	ports := nodetest.FreePorts(t)
	cfg := nodetest.Config(t, "127.0.0.1", ports)
	cfg.HTTPCredentials = credentialsFile(t)
	cfg.RateLimit = 5
	rateClock := clock.NewFake(time.Unix(1e9, 0))
	n, err := appliance.New(cfg, appliance.Options{Logger: nodetest.Logger(), RaftTimeouts: store.FastTimeouts, RateClock: rateClock})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop(context.Background()) })
	master, mara, chronos := nodetest.URL(n, ports.Master), nodetest.URL(n, ports.Marathon), nodetest.URL(n, ports.Chronos)
	// Waiting spends alice's tokens; the clock is moved on each try.
	for _, url := range []string{master + "/master/state", mara + "/v2/apps", chronos + "/v1/scheduler/jobs"} {
		nodetest.WaitFor(t, 30*time.Second, url, func() bool {
			rateClock.Advance(time.Minute)
			code, _, _ := authCall(t, nil, "GET", url, alice, "")
			return code == 200
		})
	}
	rateClock.Advance(time.Minute) // a full bucket: 10 requests

	tried, refused := 0, 0
	for i := range 10 {
		url := []string{master + "/master/state", mara + "/v2/apps", chronos + "/v1/scheduler/jobs"}[i%3]
		tried++
		if code, _, body := authCall(t, nil, "GET", url, alice, ""); code != 200 {
			t.Fatalf("request %d of the burst, %s: %d %.200s", i+1, url, code, body)
		}
	}
	over := []struct {
		name, url, ctype string
		check            func(string) bool
	}{
		{"marathon", mara + "/v2/apps", "application/json", func(b string) bool {
			var m map[string]any
			return json.Unmarshal([]byte(b), &m) == nil && len(m) == 1 && strings.Contains(m["message"].(string), "Too many requests")
		}},
		{"chronos", chronos + "/v1/scheduler/jobs", "application/json", func(b string) bool {
			var m map[string]string
			return json.Unmarshal([]byte(b), &m) == nil && m["status"] == "Too Many Requests" && strings.Contains(m["message"], "Too many requests")
		}},
		{"mesos", master + "/master/state", "text/plain; charset=utf-8", func(b string) bool { return strings.HasPrefix(b, "Too many requests") }},
	}
	for _, o := range over {
		tried++
		code, h, body := authCall(t, nil, "GET", o.url, alice, "")
		if code != 429 || h.Get("Retry-After") != "1" || h.Get("Content-Type") != o.ctype || !o.check(body) {
			t.Fatalf("%s over the limit: %d Retry-After %q %q %q", o.name, code, h.Get("Retry-After"), h.Get("Content-Type"), body)
		}
		refused++
	}
	mcfg := marathon.NewDefaultConfig()
	mcfg.URL = mara
	mcfg.HTTPBasicAuthUser, mcfg.HTTPBasicPassword = alice.user, alice.pass
	client, err := marathon.NewClient(mcfg) // it only pings, which is not limited
	if err != nil {
		t.Fatal(err)
	}
	tried++
	_, err = client.Applications(nil)
	var merr *marathon.APIError
	if !errors.As(err, &merr) || !strings.Contains(merr.Error(), "Too many requests") {
		t.Fatalf("go-marathon over the limit: %v, want its API error with the message", err)
	}
	refused++

	// Not limited: probes, other users, the node identity.
	token, _ := os.ReadFile(filepath.Join(cfg.DataDir, "join-token"))
	node := login{auth.NodeUser, strings.TrimSpace(string(token))}
	for _, c := range []struct {
		url string
		l   login
	}{{mara + "/ping", noLogin}, {chronos + "/ping", noLogin}, {master + "/master/health", noLogin},
		{mara + "/v2/apps", bob}, {master + "/master/state", node}, {master + "/master/state", node}} {
		tried++
		if code, _, body := authCall(t, nil, "GET", c.url, c.l, ""); code != 200 {
			t.Fatalf("%s as %q: %d %.200s", c.url, c.l.user, code, body)
		}
	}
	rateClock.Advance(200 * time.Millisecond) // one token at 5/s
	tried++
	if code, _, _ := authCall(t, nil, "GET", mara+"/v2/apps", alice, ""); code != 200 {
		t.Fatalf("after 1/rate: %d", code)
	}
	tried++
	if code, _, _ := authCall(t, nil, "GET", mara+"/v2/apps", alice, ""); code != 429 {
		t.Fatalf("second request after 1/rate: %d", code)
	}
	refused++
	t.Logf("requests tried %d, refused with 429 %d (expected), others served", tried, refused)
}
