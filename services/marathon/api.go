package marathon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/store"
)

// maxBody bounds request bodies (Marathon's default is 1 MB for app
// definitions; a batch may hold many apps).
const maxBody = 8 << 20

// Mount registers Marathon's /v2 API on the router of port 8080. Every
// node mounts it; requests to a node that does not run the service are
// proxied to the leader.
func (s *Service) Mount(r chi.Router) {
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusFound)
	})
	r.Get("/v2/events", s.serveEvents)

	r.Get("/v2/apps", s.leader(s.handleListApps))
	r.Post("/v2/apps", s.leader(s.handleCreateApp))
	r.Put("/v2/apps", s.leader(s.handleBatchUpdate))
	r.Patch("/v2/apps", s.leader(s.handleBatchUpdate))
	r.HandleFunc("/v2/apps/*", s.leader(s.routeApp))

	r.Get("/v2/tasks", s.leader(s.handleListTasks))
	r.Post("/v2/tasks/delete", s.leader(s.handleDeleteTasks))

	r.Get("/v2/deployments", s.leader(s.handleListDeployments))
	r.Delete("/v2/deployments/{id}", s.leader(s.handleDeleteDeployment))

	r.Get("/v2/queue", s.leader(s.handleQueue))
	r.Delete("/v2/queue/*", s.leader(s.handleResetDelay))

	r.Get("/v2/info", s.leader(s.handleInfo))
	s.mountPods(r)

	r.HandleFunc("/v2/groups", s.leader(s.routeGroups))
	r.HandleFunc("/v2/groups/*", s.leader(s.routeGroups))

	r.Delete("/v2/leader", s.leader(s.handleAbdicate))
	r.Get("/metrics", s.handleMetrics)
	r.Method(http.MethodGet, "/metrics/prometheus", s.prometheusHandler())
	// A known path with another method gets Jersey's JSON 405, not
	// chi's empty one: clients parse every error body.
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		writeMessage(w, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed")
	})
}

// leader serves a request on the leader with X-Marathon-Leader set, and
// proxies it to the leader everywhere else.
func (s *Service) leader(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Running() {
			s.proxy(w, r)
			return
		}
		w.Header().Set(headerLeader, s.selfURL())
		h(w, r)
	}
}

func (s *Service) selfURL() string {
	scheme := "http"
	if s.cfg.TLS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d", scheme, s.cfg.Hostname, s.cfg.Port)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := marshal(v)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, status, data)
}

func writeRaw(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeMessage writes Marathon's {"message": ...} error body.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeError writes an app model error with its status and exact body, or
// a 500 for anything else.
func writeError(w http.ResponseWriter, err error) {
	if e, ok := err.(*app.Error); ok {
		data, _ := json.Marshal(e)
		writeRaw(w, e.Status, data)
		return
	}
	if e, ok := err.(*apiError); ok {
		writeJSON(w, e.status, e.body())
		return
	}
	var notLeader *store.ErrNotLeader
	if errors.Is(err, store.ErrDiskFull) || errors.As(err, &notLeader) {
		// Marathon answers 503 when its storage refuses a write or its
		// leadership ends under a request.
		writeMessage(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeMessage(w, http.StatusInternalServerError, err.Error())
}

// apiError is a Marathon error response other than a model error.
type apiError struct {
	status      int
	message     string
	deployments []string // a 409 "locked" lists the blocking deployments
}

func (e *apiError) Error() string { return e.message }

func (e *apiError) body() any {
	if e.status == http.StatusConflict && len(e.deployments) > 0 {
		ids := make([]idJSON, len(e.deployments))
		for i, d := range e.deployments {
			ids[i] = idJSON{d}
		}
		return map[string]any{"message": e.message, "deployments": ids}
	}
	return map[string]string{"message": e.message}
}

func notFound(msg string) error { return &apiError{status: http.StatusNotFound, message: msg} }

func appNotFound(id string) error { return notFound(fmt.Sprintf("App '%s' does not exist", id)) }

func badRequest(msg string) error { return &apiError{status: http.StatusBadRequest, message: msg} }

// locked is the 409 for an app in a running deployment; go-marathon tells
// it from a duplicate by the non-empty deployments.
func locked(ids []string) error {
	msg := "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'."
	return &apiError{status: http.StatusConflict, message: msg, deployments: ids}
}

// readBody reads a request body; an empty one is Marathon's 400.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, badRequest("Could not read the request body: " + err.Error())
	}
	// Marathon's resources consume application/json only (Jersey answers
	// any other declared type with 415); a body without a type is read
	// as JSON, as curl users expect.
	if ct := r.Header.Get("Content-Type"); ct != "" && len(body) > 0 {
		if media, _, err := mime.ParseMediaType(ct); err != nil || (media != "application/json" && !strings.HasSuffix(media, "+json")) {
			return nil, &apiError{status: http.StatusUnsupportedMediaType, message: "HTTP 415 Unsupported Media Type"}
		}
	}
	// Jackson refuses malformed UTF-8; encoding/json would quietly turn
	// it into U+FFFD and store ids and labels nobody sent.
	if !utf8.Valid(body) {
		return nil, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: "Invalid UTF-8 in the request body"}
	}
	return body, nil
}

// boolParam reads a boolean query parameter ("true"/"false", any case).
func boolParam(r *http.Request, name string, def bool) bool {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def
	}
	return b
}

// deploymentResult writes the DeploymentResult body and the
// Marathon-Deployment-Id header.
func deploymentResult(w http.ResponseWriter, status int, d *Deployment) {
	w.Header().Set("Marathon-Deployment-Id", d.ID)
	writeJSON(w, status, map[string]string{"deploymentId": d.ID, "version": app.FormatTimestamp(d.Version)})
}

func newUUID() string { return uuid.NewString() }
