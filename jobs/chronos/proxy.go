package chronos

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// proxiedHeader marks a request one node forwarded to another. A node
// that gets a forwarded request while not running the scheduler answers
// 503 instead of forwarding again: Chronos' proxy loops (#46, #656) came
// from nodes that disagreed about the leader.
const proxiedHeader = "X-Mesosbox-Chronos-Proxied"

// leaderOnly serves the request here on the leader and forwards it to the
// leader elsewhere.
func (s *Service) leaderOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Running() {
			next.ServeHTTP(w, r)
			return
		}
		target := s.cfg.LeaderURL()
		if target == "" || r.Header.Get(proxiedHeader) != "" || s.isSelf(target) {
			noLeader(w)
			return
		}
		u, err := url.Parse(target)
		if err != nil || u.Host == "" {
			noLeader(w)
			return
		}
		proxy := &httputil.ReverseProxy{
			Transport: s.cfg.ProxyTransport,
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(u)
				pr.Out.Host = u.Host
				pr.SetXForwarded()
				pr.Out.Header.Set(proxiedHeader, s.self())
			},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				s.log.Warn("proxy to the Chronos leader failed", "leader", target, "error", err)
				noLeader(w)
			},
			ModifyResponse: func(resp *http.Response) error {
				// The leader's CORS headers would double ours.
				for k := range resp.Header {
					if strings.HasPrefix(k, "Access-Control-") {
						resp.Header.Del(k)
					}
				}
				return nil
			},
		}
		proxy.ServeHTTP(w, r)
	})
}

// noLeader is the answer while no node runs the scheduler.
func noLeader(w http.ResponseWriter) {
	writeJSON(w, http.StatusServiceUnavailable, errorBody("no leader", "Service Unavailable"))
}

// self is this node's host:port.
func (s *Service) self() string { return fmt.Sprintf("%s:%d", s.cfg.Hostname, s.cfg.Port) }

// isSelf reports whether the leader URL names this node, which happens
// while this node has won the election but not started the scheduler yet.
func (s *Service) isSelf(target string) bool {
	u, err := url.Parse(target)
	return err == nil && u.Host == s.self()
}

// getLeader is GET leader: {"leader":"host:port"}. It is answered on every
// node without a proxy hop.
func (s *Service) getLeader(w http.ResponseWriter, _ *http.Request) {
	leader := ""
	if s.Running() {
		leader = s.self()
	} else if u, err := url.Parse(s.cfg.LeaderURL()); err == nil {
		leader = u.Host
	}
	if leader == "" {
		noLeader(w)
		return
	}
	writeValue(w, map[string]string{"leader": leader})
}
