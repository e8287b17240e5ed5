package auth

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
)

// Realm is the basic-auth realm browsers show when they prompt.
const Realm = "mesosbox"

// Dialect is how a port words its errors: Mesos answers in plain text,
// Marathon and Chronos with a JSON {"message": ...}.
type Dialect int

const (
	PlainText Dialect = iota
	JSONMessage
)

// Guard admits a request that carries one of the users' logins or the
// node identity (NodeUser with the join token).
type Guard struct {
	users     atomic.Pointer[Credentials]
	nodeToken string
}

// NewGuard admits users (nil: nobody but the nodes) and nodes presenting
// nodeToken (empty: no node identity).
func NewGuard(users *Credentials, nodeToken string) *Guard {
	g := &Guard{nodeToken: nodeToken}
	g.users.Store(users)
	return g
}

// SetUsers replaces the users, for requests that start from now on: a
// node that joins a cluster takes the cluster's generated login then.
func (g *Guard) SetUsers(users *Credentials) { g.users.Store(users) }

// Allows tells whether r carries a valid login.
func (g *Guard) Allows(r *http.Request) bool {
	if l, ok := r.Context().Value(loginKey{}).(Login); ok {
		return l.Known()
	}
	return g.check(r)
}

// check verifies r's basic-auth header against the users and the token.
func (g *Guard) check(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	if user == NodeUser {
		return g.nodeToken != "" && subtle.ConstantTimeCompare([]byte(pass), []byte(g.nodeToken)) == 1
	}
	users := g.users.Load()
	return users != nil && users.Check(user, pass)
}

// Wrap asks next's callers for a login, except on the open paths (health
// probes) and for CORS preflights, which browsers send without
// credentials and which only ask what the API allows.
func (g *Guard) Wrap(next http.Handler, d Dialect, open ...string) http.Handler {
	openPaths := make(map[string]bool, len(open))
	for _, p := range open {
		openPaths[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if openPaths[r.URL.Path] || isPreflight(r) || g.Allows(r) {
			next.ServeHTTP(w, r)
			return
		}
		Unauthorized(w, d)
	})
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// Unauthorized answers 401 with the challenge that makes browsers prompt,
// worded in the port's dialect.
func Unauthorized(w http.ResponseWriter, d Dialect) {
	const msg = "Unauthorized: this port needs HTTP basic authentication"
	w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
	w.Header().Set("Cache-Control", "no-store")
	if d == JSONMessage {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, msg+"\n")
}
