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

// AgentAccess is how the proxy calls agents: the agents' scheme ("http"
// when empty) and a transport that authenticates this node to them (the
// default transport when nil).
type AgentAccess struct {
	Scheme    string
	Transport http.RoundTripper
}

func (p *agentProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The Marathon UI on another port reads task logs here too; the data is
	// what the agent serves to anyone, read-only.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	rest := chi.URLParam(r, "*")
	if !agentPaths[rest] {
		http.Error(w, fmt.Sprintf("The agent proxy serves state and files/{browse,read,download}, not %q", rest), http.StatusNotFound)
		return
	}
	addr, code, err := p.agentAddr(r, chi.URLParam(r, "agentID"))
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

// agentAddr asks the master (in process) for the agent's host:port, taken
// from its pid "slave(1)@host:port".
func (p *agentProxy) agentAddr(r *http.Request, id string) (string, int, error) {
	q := url.Values{"slave_id": {id}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/master/slaves?"+q.Encode(), nil)
	if err != nil {
		return "", http.StatusBadRequest, err
	}
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	p.master.ServeHTTP(rec, req)
	switch rec.code {
	case http.StatusOK:
	case http.StatusTemporaryRedirect:
		return "", http.StatusMisdirectedRequest, fmt.Errorf("This master is not the leader; open the UI on the leader (%s)", strings.TrimPrefix(rec.header.Get("Location"), "//"))
	default:
		return "", http.StatusBadGateway, fmt.Errorf("The master answered %d: %s", rec.code, strings.TrimSpace(rec.body.String()))
	}
	var slaves struct {
		Slaves []struct {
			ID  string `json:"id"`
			Pid string `json:"pid"`
		} `json:"slaves"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &slaves); err != nil {
		return "", http.StatusBadGateway, fmt.Errorf("reading /master/slaves: %w", err)
	}
	for _, s := range slaves.Slaves {
		if s.ID != id {
			continue
		}
		if _, addr, ok := strings.Cut(s.Pid, "@"); ok && addr != "" {
			return addr, 0, nil
		}
		return "", http.StatusBadGateway, fmt.Errorf("Agent %s has no address in its pid %q", id, s.Pid)
	}
	return "", http.StatusNotFound, fmt.Errorf("Agent %s is not registered with this master", id)
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
