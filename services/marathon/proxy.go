package marathon

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// Marathon's leader-proxy headers.
const (
	headerLeader = "X-Marathon-Leader"
	headerVia    = "X-Marathon-Via"
)

// proxy forwards a request to the leader, as a Marathon that does not lead
// does. The request carries X-Marathon-Via with this node's address; a
// request that already passed through this node is a loop (two nodes each
// believing the other leads) and gets 502 rather than bouncing forever.
// Without a known leader the answer is 502 "Could not determine the
// current leader"; while this node is the leader but the service is still
// starting, 503.
func (s *Service) proxy(w http.ResponseWriter, r *http.Request) {
	leader := s.cfg.LeaderURL()
	if leader == "" {
		writeMessage(w, http.StatusBadGateway, "Could not determine the current leader")
		return
	}
	self := s.selfURL()
	if strings.TrimSuffix(leader, "/") == self {
		writeMessage(w, http.StatusServiceUnavailable, "Marathon is starting on this leader; try again shortly")
		return
	}
	me := hostPort(self)
	for _, via := range r.Header.Values(headerVia) {
		for _, hop := range strings.Split(via, ",") {
			if strings.HasSuffix(strings.TrimSpace(hop), me) {
				writeMessage(w, http.StatusBadGateway, "Detected proxying loop.")
				return
			}
		}
	}
	target, err := url.Parse(leader)
	if err != nil {
		writeMessage(w, http.StatusBadGateway, "Could not determine the current leader")
		return
	}
	rp := &httputil.ReverseProxy{
		Transport: s.cfg.ProxyTransport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
			pr.SetXForwarded() // the leader's rate limit counts the client, not this node
			pr.Out.Header.Add(headerVia, "1.1 "+me)
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
			writeMessage(w, http.StatusBadGateway, "Could not determine the current leader")
		},
	}
	rp.ServeHTTP(w, r)
}

func hostPort(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
}

// serveEvents serves the event stream on the leader and redirects to the
// leader elsewhere (Marathon 1.8+ no longer proxies /v2/events).
func (s *Service) serveEvents(w http.ResponseWriter, r *http.Request) {
	if s.Running() {
		w.Header().Set(headerLeader, s.selfURL())
		s.handleEvents(w, r)
		return
	}
	leader := s.cfg.LeaderURL()
	if leader == "" || strings.TrimSuffix(leader, "/") == s.selfURL() {
		writeMessage(w, http.StatusBadGateway, "Could not determine the current leader")
		return
	}
	http.Redirect(w, r, strings.TrimSuffix(leader, "/")+r.URL.RequestURI(), http.StatusFound)
}
