package embedui

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
)

// agentPaths are the agent endpoints the Mesos UI reads through the proxy:
// the executors' sandbox directories and the files in them.
var agentPaths = map[string]bool{
	"state": true, "files/browse": true, "files/read": true, "files/download": true,
}

// agentProxy forwards GET /ui/agents/{agentID}/<path> to that agent's
// /<path>, so the UI on the master's port reads sandboxes on any agent
// without CORS. The agent is looked up by id in the master's own
// /master/slaves: the proxy reaches registered agents only, never an
// address chosen by the caller.
type agentProxy struct {
	master http.Handler
	agents AgentAccess
}

// AgentAccess is how the proxy calls other nodes: the scheme of their
// master and agent ports ("http" when empty) and a transport that
// authenticates this node to them (the default transport when nil).
type AgentAccess struct {
	Scheme    string
	Transport http.RoundTripper
}

// MountAgentProxy serves the proxy at /ui/agents/{agentID}/* on r; master
// is this node's master router, asked in process for the agent's address.
// The Marathon port mounts it too, so that its UI reads task logs from
// its own origin, with the login the browser already has for that port.
func MountAgentProxy(r chi.Router, master http.Handler, agents AgentAccess) {
	p := &agentProxy{master: master, agents: agents}
	r.Get("/ui/agents/{agentID}/*", p.ServeHTTP)
}

// proxiedHeader marks a request a follower forwarded to the leader's
// proxy; the leader does not forward it again.
const proxiedHeader = "X-Mesosbox-Agent-Proxy"

func (p *agentProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The Marathon UI on another port reads task logs here too; the data is
	// what the agent serves to anyone, read-only.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	rest := chi.URLParam(r, "*")
	if !agentPaths[rest] {
		http.Error(w, fmt.Sprintf("The agent proxy serves state and files/{browse,read,download}, not %q", rest), http.StatusNotFound)
		return
	}
	addr, leader, code, err := p.agentAddr(r, chi.URLParam(r, "agentID"))
	if leader != "" && r.Header.Get(proxiedHeader) == "" {
		p.viaLeader(w, r, leader)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), code)
		return
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = &url.URL{Scheme: cmp.Or(p.agents.Scheme, "http"), Host: addr, Path: "/" + rest, RawQuery: r.URL.RawQuery}
			pr.Out.Host = addr
		},
		Transport: p.agents.Transport,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, fmt.Sprintf("Agent %s did not answer: %v", addr, err), http.StatusBadGateway)
		},
	}
	rp.ServeHTTP(w, r)
}

// viaLeader forwards the request to the same proxy on the leader's master
// port, as this node (a follower knows no agent addresses).
func (p *agentProxy) viaLeader(w http.ResponseWriter, r *http.Request, leader string) {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = &url.URL{Scheme: cmp.Or(p.agents.Scheme, "http"), Host: leader, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
			pr.Out.Host = leader
			pr.Out.Header.Set(proxiedHeader, "1")
		},
		Transport: p.agents.Transport,
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Del("Access-Control-Allow-Origin") // ours is set already
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, fmt.Sprintf("The leading master %s did not answer: %v", leader, err), http.StatusBadGateway)
		},
	}
	rp.ServeHTTP(w, r)
}

// agentAddr asks the master (in process) for the agent's host:port, taken
// from its pid "slave(1)@host:port". On a follower it returns the leader's
// master host:port instead, with a 421 error.
func (p *agentProxy) agentAddr(r *http.Request, id string) (addr, leader string, code int, err error) {
	q := url.Values{"slave_id": {id}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/master/slaves?"+q.Encode(), nil)
	if err != nil {
		return "", "", http.StatusBadRequest, err
	}
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	p.master.ServeHTTP(rec, req)
	switch rec.code {
	case http.StatusOK:
	case http.StatusTemporaryRedirect:
		leader := ""
		if u, err := url.Parse(rec.header.Get("Location")); err == nil {
			leader = u.Host
		}
		return "", leader, http.StatusMisdirectedRequest, fmt.Errorf("This master is not the leader; open the UI on the leader (%s)", leader)
	default:
		return "", "", http.StatusBadGateway, fmt.Errorf("The master answered %d: %s", rec.code, strings.TrimSpace(rec.body.String()))
	}
	var slaves struct {
		Slaves []struct {
			ID  string `json:"id"`
			Pid string `json:"pid"`
		} `json:"slaves"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &slaves); err != nil {
		return "", "", http.StatusBadGateway, fmt.Errorf("reading /master/slaves: %w", err)
	}
	for _, s := range slaves.Slaves {
		if s.ID != id {
			continue
		}
		if _, addr, ok := strings.Cut(s.Pid, "@"); ok && addr != "" {
			return addr, "", 0, nil
		}
		return "", "", http.StatusBadGateway, fmt.Errorf("Agent %s has no address in its pid %q", id, s.Pid)
	}
	return "", "", http.StatusNotFound, fmt.Errorf("Agent %s is not registered with this master", id)
}

// recorder captures an in-process response.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }
