package appliance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// Request body limits. A body over its limit is refused with 413 in the
// API's own error format before any handler reads it, so that no request
// can make a node buffer more than this. Marathon's allows a large group
// or batch (a thousand full app definitions); the Mesos v1 scheduler API
// and the agents' protocol carry many tasks per call (an ACCEPT launching
// hundreds, an agent re-registering with all of its tasks); everything
// else is a small JSON document.
const (
	maxBody          = 1 << 20
	maxMarathonBody  = 8 << 20
	maxMesosCallBody = 16 << 20
)

// bodyLimit is the largest body accepted on a surface's path.
func bodyLimit(surface, path string) int64 {
	switch surface {
	case "marathon":
		return maxMarathonBody
	case "master":
		switch strings.TrimPrefix(path, "/master") {
		case "/api/v1/scheduler", strings.TrimPrefix(agentapi.SubscribePath, "/master"), strings.TrimPrefix(agentapi.UpdatePath, "/master"),
			strings.TrimPrefix(agentapi.UpdatesPath, "/master"):
			return maxMesosCallBody
		}
	}
	return maxBody
}

// limitBodies refuses request bodies over the surface's limit: at once
// when Content-Length says so, otherwise (a chunked body) after reading
// at most limit+1 bytes of it.
func limitBodies(surface string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		limit := bodyLimit(surface, r.URL.Path)
		if r.ContentLength > limit {
			tooLarge(w, surface, limit)
			return
		}
		if r.ContentLength < 0 {
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil {
				http.Error(w, "Failed to read the request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			if int64(len(body)) > limit {
				tooLarge(w, surface, limit)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

// tooLarge answers 413 in the surface's dialect.
func tooLarge(w http.ResponseWriter, surface string, limit int64) {
	// The rest of an oversized body is not worth reading: close the
	// connection rather than drain it.
	w.Header().Set("Connection", "close")
	apiError(w, surface, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: the limit is %d bytes", limit))
}

// apiError answers status the way the surface's API words its errors:
// Marathon {"message"}, Chronos {"message","status"}, Mesos plain text.
func apiError(w http.ResponseWriter, surface string, status int, msg string) {
	switch surface {
	case "marathon", "chronos":
		body := map[string]string{"message": msg}
		if surface == "chronos" {
			body["status"] = http.StatusText(status)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	default:
		http.Error(w, msg, status)
	}
}
