package chronos

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/jobs/job"
)

// maxBody bounds a request body; a Chronos job is a few kilobytes.
const maxBody = 1 << 20

// The two API prefixes: Chronos 3 mounted Jersey at /v1/scheduler, 2.x at
// /scheduler. Both are served, with the same handlers.
var prefixes = []string{"/v1/scheduler", "/scheduler"}

// Mount serves the Chronos API on r (the router of port 4400). On the
// leader the requests are answered here; on any other node they are
// proxied to the leader, as Chronos' RedirectFilter does (it forwards, it
// does not redirect). /ping is the node's.
func (s *Service) Mount(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(cors, s.recoverer)
		for _, p := range append(prefixes, "") {
			r.Get(p+"/leader", s.getLeader)
		}
		r.Options("/v1/scheduler/*", preflight)
		r.Options("/scheduler/*", preflight)
		r.Group(func(r chi.Router) {
			r.Use(s.leaderOnly)
			for _, p := range prefixes {
				s.routes(r, p)
			}
			// 2.x only: asynchronous job completion and queue purge.
			r.Put("/scheduler/task/{taskId}", s.putTaskStatus)
			r.Delete("/scheduler/task/all", s.purgeQueue)
			r.Get("/metrics", s.getMetrics)
		})
	})
}

func (s *Service) routes(r chi.Router, p string) {
	r.Post(p+"/iso8601", s.postJob(job.Scheduled))
	r.Post(p+"/dependency", s.postJob(job.Dependent))
	r.Get(p+"/jobs", s.getJobs)
	r.Get(p+"/jobs/summary", s.getSummary)
	r.Get(p+"/jobs/search", s.searchJobs)
	r.Get(p+"/job/{name}", s.getJob)
	r.Put(p+"/job/{name}", s.runJob)
	r.Delete(p+"/job/{name}", s.deleteJob)
	r.Put(p+"/job/success/{name}", s.putSuccess)
	r.Get(p+"/job/stat/{name}", s.getJobStat)
	r.Post(p+"/job/{name}/task/{taskId}/progress", s.postProgress)
	r.Delete(p+"/task/kill/{name}", s.killTasks)
	r.Get(p+"/stats/{percentile}", s.getStats)
	r.Get(p+"/graph/dot", s.getDOT)
	r.Get(p+"/graph/csv", s.getCSV)
}

// cors adds the headers of Chronos' CORS filter, so the UI and browser
// scripts on other origins can call the API.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept, Authorization")
		next.ServeHTTP(w, r)
	})
}

func preflight(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}

// recoverer turns a panic, which would be a bug, into Chronos' 500 body
// instead of a dropped connection.
func (s *Service) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("chronos API handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeJSON(w, http.StatusInternalServerError, errorBody(fmt.Sprint(v), "Internal Server Error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeJSON sends a JSON body.
func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeValue sends v as JSON.
func writeValue(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody(err.Error(), "Internal Server Error"))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

// badRequest answers Chronos' 400: {"message":...,"status":"Bad Request"}.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeJSON(w, http.StatusBadRequest, job.ErrorBody(errors.New(fmt.Sprintf(format, args...))))
}

// notFound is Chronos' answer for an unknown job: a 400 (from a failed
// require) whose message says "not found", which clients look for.
func notFound(w http.ResponseWriter, name string) {
	badRequest(w, "Job '%s' not found", name)
}

// unavailable answers when a write cannot be committed (leadership lost).
func unavailable(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusServiceUnavailable, errorBody(err.Error(), "Service Unavailable"))
}

func errorBody(msg, status string) []byte {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
		Status  string `json:"status"`
	}{msg, status})
	return body
}

// readBody reads a bounded request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		badRequest(w, "cannot read the request body: %v", err)
		return nil, false
	}
	// The job resources are @Consumes(APPLICATION_JSON): Jersey answers
	// a body of any other declared type with 415.
	if ct := r.Header.Get("Content-Type"); ct != "" && len(body) > 0 {
		if media, _, err := mime.ParseMediaType(ct); err != nil || media != "application/json" {
			writeJSON(w, http.StatusUnsupportedMediaType, errorBody("Unsupported Media Type: "+ct, "Unsupported Media Type"))
			return nil, false
		}
	}
	return body, true
}

// param is a path parameter, unescaped (task ids carry arguments that may
// hold escaped characters).
func param(r *http.Request, name string) string {
	v := chi.URLParam(r, name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// lockJob takes the service lock for a request about job name. It answers
// 503 when this node is not the running leader and 400 "not found" for an
// unknown job (and then releases the lock); otherwise it returns the job
// with the lock held, for the caller to release.
func (s *Service) lockJob(w http.ResponseWriter, name string) (*job.Job, bool) {
	s.mu.Lock()
	if !s.active() {
		s.mu.Unlock()
		noLeader(w)
		return nil, false
	}
	j, ok := s.st.graph.Job(name)
	if !ok {
		s.mu.Unlock()
		notFound(w, name)
		return nil, false
	}
	return j, true
}
