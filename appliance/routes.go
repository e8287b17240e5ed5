package appliance

import (
	"encoding/json"
	"io"
	"net"
	"net/http"

	"github.com/go-chi/chi/v5"
)

func newRouter() *chi.Mux {
	r := chi.NewRouter()
	return r
}

// mountBase serves what every node answers from the start: health, ping
// and where the Marathon leader is (Chronos serves its own).
func (n *Node) mountBase() {
	n.routes.Master.Get("/master/health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	n.routes.Agent.Get("/health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	n.routes.Marathon.Get("/ping", ping)
	n.routes.Chronos.Get("/ping", ping)
	n.routes.Marathon.Get("/v2/leader", n.leaderHandler(n.cfg.MarathonPort, "There is no leader"))
	if n.cfg.Pprof {
		mountPprof(n.routes.Master)
	}
}

// ping answers Marathon's and Chronos' liveness probe: text "pong", or the
// JSON string for clients that only accept JSON.
func ping(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	if accept := r.Header.Get("Accept"); accept == "application/json" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `"pong"`)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "pong\n")
}

// LeaderHost is the advertised host of the current Raft leader, "" if none.
// Every node serves the same ports, so host plus a port names the leader's
// API on that port.
func (n *Node) LeaderHost() string {
	addr, _ := n.store.Leader()
	if addr == "" {
		return ""
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return host
}

func (n *Node) leaderHandler(port int, noLeader string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		host := n.LeaderHost()
		w.Header().Set("Content-Type", "application/json")
		if host == "" {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"message": noLeader})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"leader": n.cfg.addr(host, port)})
	}
}
