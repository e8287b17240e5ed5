package appliance

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/mesosbox/mesosbox/appliance/auth"
	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/store"
)

// generatedCredentialsFile is where a node bound to a non-loopback address
// without --http-credentials or --insecure keeps its generated admin login.
const generatedCredentialsFile = "http-credentials"

// openPaths are what each port serves without a login: the liveness
// probes (load balancers and systemd checks carry no credentials) and the
// join, which checks the cluster's join token itself and answers 403 for a
// wrong one. Everything else, the UIs and event streams included, asks.
func openPaths(surface string) []string {
	var open []string
	for p := range healthPaths[surface] {
		open = append(open, p)
	}
	if surface == "master" {
		open = append(open, joinPath)
	}
	return open
}

// dialects are the ports' error dialects for the 401.
var dialects = map[string]auth.Dialect{
	"master": auth.PlainText, "agent": auth.PlainText,
	"marathon": auth.JSONMessage, "chronos": auth.JSONMessage,
}

// security is a node's HTTP authentication and TLS.
type security struct {
	guard *auth.Guard // nil: the ports serve without a login
	tls   *auth.TLS   // nil: plain HTTP and plain Raft
	// identities tells users and nodes apart for the rate limiter: the
	// guard, or one that knows only the nodes when there is no login.
	identities *auth.Guard
	limiter    *rateLimiter // nil: --rate-limit 0
	// generated is the generated credentials file in use, handed to
	// joining nodes; nil when the logins come from elsewhere.
	generated atomic.Pointer[[]byte]
	// awaitingLogin is set on a joining node that generates its login:
	// it takes the cluster's instead, when it has joined.
	awaitingLogin bool
	// internal is the transport of every call to another node: signed as
	// the node (auth.NodeUser with the join token), over the cluster's TLS.
	internal http.RoundTripper
	// proxy carries a client's request a follower forwards to the leader's
	// Marathon or Chronos, with the client's own login, over the cluster's
	// TLS.
	proxy http.RoundTripper
}

// setupSecurity loads the TLS files and the credentials, after the join
// token is known (it is the nodes' password).
func (n *Node) setupSecurity(rateClock clock.Clock) error {
	t, err := auth.LoadTLS(n.cfg.TLSCert, n.cfg.TLSKey, n.cfg.TLSCA)
	if err != nil {
		return err
	}
	n.sec.tls = t
	var clientTLS *tls.Config
	if t != nil {
		clientTLS = t.Client()
	}
	n.sec.internal = auth.NodeTransport(n.joinToken, clientTLS)
	n.sec.proxy = http.DefaultTransport
	if t != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = clientTLS
		n.sec.proxy = tr
	}
	users, err := n.loadCredentials()
	if err != nil {
		return err
	}
	n.sec.identities = auth.NewGuard(users, n.joinToken)
	if users != nil || n.sec.awaitingLogin {
		n.sec.guard = n.sec.identities
	}
	if n.cfg.RateLimit > 0 {
		n.sec.limiter = newRateLimiter(n.cfg.RateLimit, rateClock)
	}
	return nil
}

// loadCredentials picks the logins of the HTTP ports: the given file; none
// with --insecure (with a warning on every start) or on a loopback bind;
// otherwise a generated admin login in the data directory, which a node
// joining a cluster takes from the cluster (cluster_login.go).
func (n *Node) loadCredentials() (*auth.Credentials, error) {
	switch {
	case n.cfg.HTTPCredentials != "":
		if n.cfg.Insecure {
			n.log.Warn("--insecure has no effect: --http-credentials is set, every port asks for a login")
		}
		return auth.Load(n.cfg.HTTPCredentials)
	case n.cfg.Insecure:
		n.log.Warn("serving every HTTP port WITHOUT authentication (--insecure): whoever reaches them can run commands on this cluster",
			"bind", n.cfg.Bind)
		return nil, nil
	case net.ParseIP(n.cfg.Bind).IsLoopback():
		return nil, nil
	}
	path := n.generatedCredentialsPath()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if len(n.cfg.Join) > 0 {
			// Until the join answer brings the cluster's login, only
			// nodes get in.
			n.sec.awaitingLogin = true
			return nil, nil
		}
		return n.generateCredentials()
	}
	n.log.Info("the HTTP ports ask for the generated login", "file", path)
	return n.loadGenerated()
}

func (n *Node) generatedCredentialsPath() string {
	return filepath.Join(n.cfg.DataDir, generatedCredentialsFile)
}

// generateCredentials writes a new generated login and loads it.
func (n *Node) generateCredentials() (*auth.Credentials, error) {
	path := n.generatedCredentialsPath()
	if err := auth.Generate(path); err != nil {
		return nil, err
	}
	n.log.Warn("bound to a non-loopback address without --http-credentials: generated an admin login; the HTTP ports ask for it",
		"user", auth.GeneratedUser, "file", path)
	return n.loadGenerated()
}

// loadGenerated loads the generated login and keeps the file's bytes,
// which this node hands to the nodes that join while it leads.
func (n *Node) loadGenerated() (*auth.Credentials, error) {
	path := n.generatedCredentialsPath()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	users, err := auth.Parse(bytes.NewReader(b), path)
	if err != nil {
		return nil, err
	}
	n.sec.generated.Store(&b)
	return users, nil
}

// storeTLS is the Raft transport's mutual TLS, nil without TLS.
func (n *Node) storeTLS() *store.TLS {
	if n.sec.tls == nil {
		return nil
	}
	return &store.TLS{Server: n.sec.tls.MutualServer(), Client: n.sec.tls.Client()}
}

// protect puts a surface's handler behind the login, if there is one.
func (n *Node) protect(surface string, h http.Handler) http.Handler {
	if n.sec.guard == nil {
		return h
	}
	return n.sec.guard.Wrap(h, dialects[surface], openPaths(surface)...)
}

// secureListener wraps a surface's listener in TLS when TLS is configured:
// then every port serves HTTPS with the node's certificate, as Marathon
// with --ssl_keystore and Chronos with its https port do, and refuses
// plain HTTP.
func (n *Node) secureListener(l net.Listener) net.Listener {
	if n.sec.tls == nil {
		return l
	}
	return tls.NewListener(l, n.sec.tls.HTTPSServer())
}

// scheme is "https" when the ports serve HTTPS, else "http".
func (n *Node) scheme(int) string {
	if n.sec.tls != nil {
		return "https"
	}
	return "http"
}

// internalClient is an http.Client for calls to other nodes.
func (n *Node) internalClient() *http.Client { return &http.Client{Transport: n.sec.internal} }
