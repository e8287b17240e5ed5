package appliance

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
)

// DefaultRateLimit is --rate-limit's default, in requests per second per
// client: far above a UI or dashboard polling every second and above the
// soak's and the benchmarks' request rates, low enough that one client
// cannot keep a node's CPUs busy with requests.
const DefaultRateLimit = 500

// rateBurstSeconds is how many seconds' worth of requests a client that
// has been quiet may send at once: a UI opening loads a dozen resources,
// a script fires a batch.
const rateBurstSeconds = 2

// maxRateClients bounds the table of buckets (about 100 bytes each).
const maxRateClients = 10_000

// rateLimiter is a token bucket per client: each holds up to burst
// tokens, refills at rate per second, and a request takes one. A bucket
// that has refilled is the same as no bucket, so idle ones can be dropped
// at any time without changing any answer; that keeps the table bounded.
type rateLimiter struct {
	rate, burst float64
	clock       clock.Clock
	max         int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

func newRateLimiter(perSecond float64, c clock.Clock) *rateLimiter {
	return &rateLimiter{rate: perSecond, burst: math.Max(1, perSecond*rateBurstSeconds), clock: c,
		max: maxRateClients, buckets: map[string]*bucket{}}
}

// take spends one of key's tokens; when there is none it tells how long
// until there will be one.
func (l *rateLimiter) take(key string) (ok bool, retryAfter time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.refilled(b, now)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *rateLimiter) refilled(b *bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at).Seconds()
	if elapsed < 0 { // the clock went back
		elapsed = 0
	}
	return math.Min(l.burst, b.tokens+elapsed*l.rate)
}

// evict drops the buckets that have refilled. If more than half are still
// in use (many clients at once, or one forging addresses) the table starts
// over instead: evicting then costs O(1) per new client over time, and
// those clients get a fresh burst, no more.
func (l *rateLimiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if l.refilled(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) > l.max/2 {
		clear(l.buckets)
	}
}

// clients is the number of buckets held.
func (l *rateLimiter) clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// healthPaths are the liveness probes, never limited: a load balancer or
// systemd polling them must not see a node as down because of a client.
var healthPaths = map[string]map[string]bool{
	"master": {"/master/health": true}, "agent": {"/health": true},
	"marathon": {"/ping": true}, "chronos": {"/ping": true},
}

// limitRate answers 429 with Retry-After to a client over its rate. A
// client is its login when it has a valid one, else its address. Calls
// between nodes (agents' updates, joins, proxied UI reads) and health
// probes are not limited; a long-lived stream counts as one request, when
// it opens.
func (n *Node) limitRate(surface string, h http.Handler) http.Handler {
	l, ids := n.sec.limiter, n.sec.identities
	if l == nil {
		return h
	}
	health := healthPaths[surface]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if health[r.URL.Path] {
			h.ServeHTTP(w, r)
			return
		}
		login, r := ids.Identify(r)
		if login.Node {
			h.ServeHTTP(w, r)
			return
		}
		key := "user " + login.User
		if login.User == "" {
			key = "addr " + clientAddr(r, n.isPeerIP)
		}
		if ok, wait := l.take(key); !ok {
			tooMany(w, surface, l.rate, wait)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// clientAddr is the address an anonymous request counts against: its
// connection's, except for a request another member of the cluster
// forwarded (a follower's Marathon or Chronos proxies the calls its leader
// must answer), which counts against the client the member names last in
// X-Forwarded-For. Otherwise every client of a follower would share the
// follower's one bucket at the leader. The header is believed only from a
// member: anyone else could name any address.
func clientAddr(r *http.Request, isPeer func(ip string) bool) string {
	ip := remoteIP(r)
	fwd := r.Header.Values("X-Forwarded-For")
	if len(fwd) == 0 || !isPeer(ip) {
		return ip
	}
	hops := strings.Split(fwd[len(fwd)-1], ",")
	client := strings.TrimSpace(hops[len(hops)-1])
	if net.ParseIP(client) == nil {
		return ip
	}
	return client
}

// isPeerIP tells whether ip is the address of another member of the
// cluster (its Raft address); this node itself is not a peer, so a local
// client cannot choose its bucket with the header.
func (n *Node) isPeerIP(ip string) bool {
	ms, err := n.store.Members()
	if err != nil {
		return false
	}
	for _, m := range ms {
		host, _, err := net.SplitHostPort(m.Addr)
		if err == nil && host == ip && m.ID != n.store.NodeID() {
			return true
		}
	}
	return false
}

// remoteIP is the address of the client's connection, without the port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tooMany answers 429 in the surface's dialect; Retry-After is in whole
// seconds, at least 1.
func tooMany(w http.ResponseWriter, surface string, rate float64, wait time.Duration) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	apiError(w, surface, http.StatusTooManyRequests, fmt.Sprintf(
		"Too many requests: a client may send %g per second (--rate-limit); retry after %d s", rate, secs))
}
