package appliance

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/auth"
	"github.com/mesosbox/mesosbox/appliance/clock"
)

// TestRateLimiterBucket: a quiet client gets its burst at once, then one
// request per 1/rate, with Retry-After the time to the next token; the
// clock going back refills nothing.
func TestRateLimiterBucket(t *testing.T) {
	c := clock.NewFake(time.Unix(1e9, 0))
	l := newRateLimiter(4, c) // burst 8
	for i := range 8 {
		if ok, _ := l.take("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.take("a")
	if ok || wait != 250*time.Millisecond {
		t.Fatalf("over the burst: ok %v, wait %v, want refused and 250ms", ok, wait)
	}
	if ok, _ := l.take("b"); !ok {
		t.Fatal("another client shares a's bucket")
	}
	c.Advance(250 * time.Millisecond)
	if ok, _ := l.take("a"); !ok {
		t.Fatal("a token did not come back after 1/rate")
	}
	if ok, _ := l.take("a"); ok {
		t.Fatal("two tokens came back after 1/rate")
	}
	c.Advance(time.Hour)
	for i := range 8 {
		if ok, _ := l.take("a"); !ok {
			t.Fatalf("after an idle hour, request %d refused: the bucket holds more than the burst?", i+1)
		}
	}
	if ok, _ := l.take("a"); ok {
		t.Fatal("an idle hour filled the bucket beyond its burst")
	}
}

// TestRateLimiterTableStaysBounded sends from 50 000 distinct addresses,
// as a client forging source addresses (or an IPv6 /64) would: the table
// never holds more than its bound, and a client that keeps sending is
// still limited.
func TestRateLimiterTableStaysBounded(t *testing.T) {
	c := clock.NewFake(time.Unix(1e9, 0))
	l := newRateLimiter(10, c) // burst 20
	l.max = 1000
	refused := 0
	for i := range 50_000 {
		l.take(fmt.Sprintf("addr 10.%d.%d.%d", i>>16, i>>8&255, i&255))
		if i%100 == 0 {
			c.Advance(time.Millisecond)
		}
		if got := l.clients(); got > l.max {
			t.Fatalf("after %d clients the table holds %d buckets, bound %d", i+1, got, l.max)
		}
		if ok, _ := l.take("addr busy"); !ok {
			refused++
		}
	}
	t.Logf("clients 50000, buckets held at the end %d (bound %d), the busy client's requests refused %d of 50000",
		l.clients(), l.max, refused)
	if refused < 40_000 {
		t.Fatalf("the busy client was refused only %d times: the eviction keeps resetting it", refused)
	}
	// Idle clients go first: after a quiet spell, only new ones remain.
	c.Advance(time.Minute)
	l.take("addr new")
	for i := range l.max {
		l.take("addr fresh " + strconv.Itoa(i))
	}
	if got := l.clients(); got > l.max {
		t.Fatalf("table %d over its bound %d", got, l.max)
	}
}

// TestLimitRateMiddleware: over the limit a client gets 429 with
// Retry-After in its port's dialect; health probes and nodes (the node
// user with the join token) are never limited; users are limited per
// login, whatever address they come from.
func TestLimitRateMiddleware(t *testing.T) {
	users, err := auth.Parse(strings.NewReader("alice:pw\nbob:pw\n"), "creds")
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Unix(1e9, 0))
	n := &Node{}
	n.sec.identities = auth.NewGuard(users, "token")
	n.sec.limiter = newRateLimiter(1, c) // burst 2
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	call := func(surface, path, addr, user, pass string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = addr + ":4242"
		if user != "" {
			r.SetBasicAuth(user, pass)
		}
		w := httptest.NewRecorder()
		n.limitRate(surface, ok).ServeHTTP(w, r)
		return w
	}
	for range 2 {
		call("marathon", "/v2/apps", "10.0.0.1", "", "")
	}
	w := call("marathon", "/v2/apps", "10.0.0.1", "", "")
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("third request: %d %v %q", w.Code, w.Header(), w.Body)
	}
	if w := call("marathon", "/ping", "10.0.0.1", "", ""); w.Code != 200 {
		t.Fatalf("/ping limited: %d", w.Code)
	}
	if w := call("master", "/master/state", "10.0.0.1", auth.NodeUser, "token"); w.Code != 200 {
		t.Fatalf("a node limited: %d", w.Code)
	}
	// A wrong node token is an anonymous client of that address.
	if w := call("master", "/master/state", "10.0.0.1", auth.NodeUser, "nope"); w.Code != 429 {
		t.Fatalf("a forged node login: %d, want 429", w.Code)
	}
	// alice from the limited address has her own bucket, shared with
	// herself on another address; bob has his.
	for i, addr := range []string{"10.0.0.1", "10.0.0.2"} {
		if w := call("chronos", "/v1/scheduler/jobs", addr, "alice", "pw"); w.Code != 200 {
			t.Fatalf("alice's request %d: %d", i+1, w.Code)
		}
	}
	if w := call("chronos", "/v1/scheduler/jobs", "10.0.0.3", "alice", "pw"); w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("alice's third request: %d", w.Code)
	}
	if w := call("chronos", "/v1/scheduler/jobs", "10.0.0.3", "bob", "pw"); w.Code != 200 {
		t.Fatalf("bob: %d", w.Code)
	}
	// A wrong password does not get a user's bucket: it counts against
	// the address (10.0.0.1 is spent).
	if w := call("chronos", "/v1/scheduler/jobs", "10.0.0.1", "bob", "wrong"); w.Code != 429 {
		t.Fatalf("wrong password from a spent address: %d, want 429", w.Code)
	}
}

// TestClientAddrOfForwardedRequests: a request a peer forwarded counts
// against the client the peer names last in X-Forwarded-For; the header
// from anyone else, or naming no address, is ignored.
func TestClientAddrOfForwardedRequests(t *testing.T) {
	isPeer := func(ip string) bool { return ip == "127.0.0.2" }
	for _, c := range []struct {
		remote string
		fwd    []string
		want   string
	}{
		{"10.0.0.9", nil, "10.0.0.9"},
		{"127.0.0.2", nil, "127.0.0.2"},                            // the follower itself calling
		{"127.0.0.2", []string{"10.0.0.7"}, "10.0.0.7"},            // forwarded for a client
		{"127.0.0.2", []string{"1.2.3.4, 10.0.0.7"}, "10.0.0.7"},   // the hop the peer appended
		{"127.0.0.2", []string{"1.2.3.4", "10.0.0.8"}, "10.0.0.8"}, // last header line
		{"127.0.0.2", []string{"not-an-address"}, "127.0.0.2"},     // nothing usable
		{"10.0.0.9", []string{"10.0.0.7"}, "10.0.0.9"},             // not a peer: not believed
		{"127.0.0.1", []string{"10.0.0.7"}, "127.0.0.1"},           // this node's own address is no peer
	} {
		r := httptest.NewRequest(http.MethodGet, "/v2/apps", nil)
		r.RemoteAddr = c.remote + ":4242"
		for _, v := range c.fwd {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(r, isPeer); got != c.want {
			t.Errorf("from %s with %q: %s, want %s", c.remote, c.fwd, got, c.want)
		}
	}
}
