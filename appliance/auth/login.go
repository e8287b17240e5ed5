package auth

import (
	"context"
	"net/http"
)

// Login is who a request proved to be: a user of the credentials file, a
// node (NodeUser with the join token), or nobody (the zero Login).
type Login struct {
	User string // "" for nobody and for nodes
	Node bool
}

// Known tells whether the request proved an identity.
func (l Login) Known() bool { return l.Node || l.User != "" }

type loginKey struct{}

// Identify checks r's basic-auth login once and returns it with a request
// that remembers the verdict, so that the Guard further down the chain
// (the rate limiter runs before it) does not check the password again.
func (g *Guard) Identify(r *http.Request) (Login, *http.Request) {
	if l, ok := r.Context().Value(loginKey{}).(Login); ok {
		return l, r
	}
	var l Login
	if g.check(r) {
		user, _, _ := r.BasicAuth()
		if user == NodeUser {
			l.Node = true
		} else {
			l.User = user
		}
	}
	return l, r.WithContext(context.WithValue(r.Context(), loginKey{}, l))
}
