package master

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/appliance/viewcache"
)

// LeaderFunc tells a master that is not running where the leader's master
// API is ("host:port"), or "" when no leader is known.
type LeaderFunc func() string

// Mount serves the master's endpoints on r. On a node whose master is not
// running, the endpoints redirect to the leader with 307 as Mesos'
// non-leading masters do, or answer 503 when there is no leader.
func (m *Master) Mount(r chi.Router, leader LeaderFunc) {
	lead := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			if m.Running() {
				h(w, req)
				return
			}
			if addr := leader(); addr != "" && addr != m.address() {
				w.Header().Set("Location", "//"+addr+req.URL.RequestURI())
				w.WriteHeader(http.StatusTemporaryRedirect)
				return
			}
			httpError(w, http.StatusServiceUnavailable, "No leader elected")
		}
	}
	for _, p := range []string{"/api/v1/scheduler", "/master/api/v1/scheduler"} {
		r.HandleFunc(p, lead(m.serveScheduler))
	}
	for _, p := range []string{"/api/v1", "/master/api/v1"} {
		r.HandleFunc(p, lead(m.serveOperator))
	}
	r.Post(agentapi.SubscribePath, lead(m.serveAgentSubscribe))
	r.Post(agentapi.UpdatePath, lead(m.serveAgentUpdate))
	r.Post(agentapi.UpdatesPath, lead(m.serveAgentUpdates))

	// get serves a v0 view: rendered once per change of the master's
	// state and shared by every request for the same view (same query
	// and credentials; jsonp only wraps the answer).
	get := func(view string, fn func(*http.Request) any) http.HandlerFunc {
		return lead(func(w http.ResponseWriter, req *http.Request) {
			q := req.URL.Query()
			q.Del("jsonp")
			key := view + "?" + q.Encode() + "\x00" + req.Header.Get("Authorization")
			b, err := m.views.Render(key, m.mu.Gen, func() (uint64, []byte, error) {
				m.mu.Lock()
				gen, body := m.mu.Gen(), fn(req)
				m.mu.UnlockRead()
				// The view is a fresh tree: it is encoded without the lock.
				data, err := json.Marshal(body)
				return gen, data, err
			})
			if err != nil {
				httpError(w, http.StatusInternalServerError, err.Error())
				return
			}
			if req.URL.Query().Has("jsonp") {
				writeJSONPBytes(w, req, b.Plain)
				return
			}
			viewcache.Write(w, req, "application/json", b)
		})
	}
	for _, p := range []string{"/master/state", "/state", "/master/state.json", "/state.json"} {
		r.Get(p, get("state", func(*http.Request) any { return m.v0State() }))
	}
	for _, p := range []string{"/master/state-summary", "/state-summary"} {
		r.Get(p, get("state-summary", func(*http.Request) any { return m.v0StateSummary() }))
	}
	for _, p := range []string{"/master/frameworks", "/frameworks", "/master/frameworks.json"} {
		r.Get(p, get("frameworks", m.v0Frameworks))
	}
	for _, p := range []string{"/master/tasks", "/tasks", "/master/tasks.json"} {
		r.Get(p, get("tasks", m.v0Tasks))
	}
	for _, p := range []string{"/master/slaves", "/slaves", "/master/slaves.json"} {
		r.Get(p, get("slaves", m.v0Slaves))
	}
	for _, p := range []string{"/master/roles", "/roles", "/master/roles.json"} {
		r.Get(p, get("roles", func(*http.Request) any { return m.v0Roles() }))
	}
	r.Get("/master/weights", get("weights", func(*http.Request) any { return m.v0Weights() }))
	r.Put("/master/weights", lead(m.serveUpdateWeights))
	r.Get("/master/flags", get("flags", func(*http.Request) any { return obj{"flags": m.flags()} }))
	r.Get("/flags", get("flags", func(*http.Request) any { return obj{"flags": m.flags()} }))
	r.Post("/master/teardown", lead(m.serveTeardown))
	r.Post("/teardown", lead(m.serveTeardown))
	for _, p := range []string{"/metrics/snapshot", "/master/metrics/snapshot"} {
		r.Get(p, func(w http.ResponseWriter, req *http.Request) { writeJSONP(w, req, m.metricsSnapshot()) })
	}
	r.Get("/version", func(w http.ResponseWriter, req *http.Request) { writeJSONP(w, req, versionBody()) })
	r.Get("/master/redirect", func(w http.ResponseWriter, req *http.Request) {
		addr := m.address()
		if !m.Running() {
			addr = leader()
		}
		if addr == "" {
			httpError(w, http.StatusServiceUnavailable, "No leader elected")
			return
		}
		w.Header().Set("Location", "//"+addr)
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
}

func versionBody() obj {
	return obj{"version": mesosVersion, "git_sha": buildinfo.GitSHA, "git_branch": "", "git_tag": buildinfo.Version,
		"build_date": buildinfo.BuildDate, "build_time": 0.0, "build_user": "mesosbox"}
}

var jsonpCallback = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]*$`)

// writeJSONP writes JSON, wrapped in the callback when ?jsonp= is given
// (the Mesos web UI's way of reading state).
func writeJSONP(w http.ResponseWriter, r *http.Request, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSONPBytes(w, r, b)
}

// writeJSONPBytes writes encoded JSON, wrapped in the "jsonp" callback
// when the request names one.
func writeJSONPBytes(w http.ResponseWriter, r *http.Request, b []byte) {
	if cb := r.URL.Query().Get("jsonp"); cb != "" {
		if !jsonpCallback.MatchString(cb) {
			httpError(w, http.StatusBadRequest, "Invalid jsonp callback")
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(cb + "("))
		w.Write(b)
		w.Write([]byte(");"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (m *Master) serveTeardown(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		httpError(w, http.StatusBadRequest, "Unable to parse request body: "+err.Error())
		return
	}
	id := r.PostForm.Get("frameworkId")
	if id == "" {
		httpError(w, http.StatusBadRequest, "Missing 'frameworkId' query parameter in the request body")
		return
	}
	defer m.syncRegistry() // after the unlock: the answer means durable
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.frameworks[id]
	if f == nil {
		httpError(w, http.StatusBadRequest, "No framework found with specified ID")
		return
	}
	m.removeFramework(f)
	w.WriteHeader(http.StatusOK)
}

func (m *Master) serveUpdateWeights(w http.ResponseWriter, r *http.Request) {
	var ws []struct {
		Role   string  `json:"role"`
		Weight float64 `json:"weight"`
	}
	if err := decodeJSONBody(r.Body, &ws); err != nil {
		httpError(w, http.StatusBadRequest, "Failed to parse update weights request JSON: "+err.Error())
		return
	}
	if ws == nil {
		httpError(w, http.StatusBadRequest, "Failed to parse update weights request JSON: expected an array of weight infos")
		return
	}
	for _, x := range ws {
		if err := validateRole(x.Role); err != nil {
			httpError(w, http.StatusBadRequest, "Invalid role: "+err.Error())
			return
		}
		if x.Weight <= 0 {
			httpError(w, http.StatusBadRequest, "Invalid weight '"+strconv.FormatFloat(x.Weight, 'g', -1, 64)+"': Weights must be positive")
			return
		}
	}
	m.mu.Lock()
	for _, x := range ws {
		m.weights[x.Role] = x.Weight
	}
	m.mu.Unlock()
	m.signalAllocation()
	w.WriteHeader(http.StatusOK)
}
