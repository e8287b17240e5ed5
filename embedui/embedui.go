// Package embedui serves the web UIs of the three ports: the Mesos UI on
// 5050, the Marathon UI on 8080 and the Chronos UI on 4400.
//
// The UIs are plain ES modules and CSS embedded with go:embed: no build
// step, no CDN, nothing fetched from outside the node. They read and write
// through the same public APIs that users' scripts call (Mesos v0 state and
// the agent's files, Marathon /v2, Chronos /v1/scheduler). Three endpoints
// exist for the UIs alone, under /ui/ so they never clash with an API:
// the Mesos UI's proxy to an agent's sandbox files (GET
// /ui/agents/{agentID}/...), and the Chronos UI's schedule preview (GET
// /ui/api/preview).
//
// Every port serves every asset under /ui/ (the shared look lives in
// /ui/shared/), so the three UIs share one stylesheet and one set of
// helper modules.
package embedui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

//go:embed static
var embedded embed.FS

// assets is the embedded tree with "static/" stripped: shared/, mesos/,
// marathon/ and chronos/.
var assets = func() fs.FS {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		panic(err)
	}
	return sub
}()

// MountMesos serves the Mesos UI at / and /ui/ on the master's router, and
// the sandbox proxy to agents. master is the same router, used in process
// to look an agent up by id in /master/slaves, so the proxy only ever
// reaches agents that registered with this master.
func MountMesos(r chi.Router, master http.Handler, agents AgentAccess) {
	index := page("mesos/index.html")
	getHead(r, "/", index)
	mountAssets(r, index)
	MountAgentProxy(r, master, agents)
}

// MountMarathon serves the Marathon UI at /ui/ on Marathon's router (its
// "/" already redirects there).
func MountMarathon(r chi.Router) {
	mountAssets(r, page("marathon/index.html"))
}

// MountChronos serves the Chronos UI at / and /ui/ on Chronos' router, and
// the schedule preview the job form shows; now is the clock it previews
// from (time.Now when nil).
func MountChronos(r chi.Router, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	index := page("chronos/index.html")
	getHead(r, "/", index)
	mountAssets(r, index)
	r.Get("/ui/api/preview", previewHandler(now))
}

// mountAssets serves /ui/ as the port's page and /ui/<file> from the
// embedded tree.
func mountAssets(r chi.Router, index http.HandlerFunc) {
	files := http.StripPrefix("/ui/", http.HandlerFunc(serveAsset))
	getHead(r, "/ui/*", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/ui/" {
			index(w, req)
			return
		}
		files.ServeHTTP(w, req)
	})
}

// getHead routes GET and HEAD of pattern to h.
func getHead(r chi.Router, pattern string, h http.HandlerFunc) {
	r.Get(pattern, h)
	r.Head(pattern, h)
}

// asset is one embedded file with its validator.
type asset struct {
	body []byte
	etag string
}

// catalog holds every embedded file, read once: the tree is small and
// fixed, so ETags are computed up front and each request is a map lookup.
var catalog = func() map[string]asset {
	m := map[string]asset{}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return m
}()

// serveAsset answers one embedded file by its path relative to static/.
// Browsers revalidate every time (no-cache) and get 304 while the binary is
// the same, so an upgraded node never serves a stale module.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(strings.TrimPrefix(r.URL.Path, "/"))
	a, ok := catalog[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if ct := contentType(name); ct != "" {
		h.Set("Content-Type", ct)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// page serves one UI's HTML document.
func page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		serveAsset(w, r2)
	}
}

// contentType is set explicitly: module scripts must be served as
// JavaScript, whatever the host's mime.types says.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return ""
}
