package viewcache

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minGzip is the smallest body worth compressing: below a packet or so
// gzip saves nothing the client would notice.
const minGzip = 1400

// Body is one rendered view: the plain JSON and, once a client asked for
// it, the same bytes gzipped.
type Body struct {
	Gen   uint64 // the generation the view was rendered at
	Plain []byte

	gzOnce sync.Once
	gz     []byte
}

// Gzipped returns the body gzipped, compressing it on first use. Fastest
// level: a state of 10 000 tasks is megabytes, the level barely changes
// the ratio on JSON this repetitive, and the render is on the clock.
func (b *Body) Gzipped() []byte {
	b.gzOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(b.Plain) / 8)
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(b.Plain)
		_ = zw.Close()
		b.gz = buf.Bytes()
	})
	return b.gz
}

// Write answers with the body, gzipped when the request accepts gzip (as
// Mesos and Marathon compress their answers), with Vary set either way so
// caches keep the two apart.
func Write(w http.ResponseWriter, r *http.Request, contentType string, b *Body) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	data := b.Plain
	if len(data) >= minGzip && AcceptsGzip(r) {
		data = b.Gzipped()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// AcceptsGzip reports whether the request's Accept-Encoding accepts gzip:
// named with a non-zero quality, or not named and "*" accepted.
func AcceptsGzip(r *http.Request) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			q := 1.0
			if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
