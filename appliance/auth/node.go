package auth

import (
	"crypto/tls"
	"net/http"
)

// NodeTransport is the one way nodes call each other (agent to master,
// joins, the UI's agent proxy): every request is signed as NodeUser with
// the join token, and https is verified against the cluster CA when
// clientTLS is set. It replaces any Authorization the request carried.
func NodeTransport(joinToken string, clientTLS *tls.Config) http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	if clientTLS != nil {
		base.TLSClientConfig = clientTLS
	}
	return &nodeTransport{token: joinToken, base: base}
}

type nodeTransport struct {
	token string
	base  http.RoundTripper
}

func (t *nodeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not change its caller's request
	r.SetBasicAuth(NodeUser, t.token)
	return t.base.RoundTrip(r)
}
