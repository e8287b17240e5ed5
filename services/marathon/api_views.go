package marathon

import (
	"net/http"

	"github.com/mesosbox/mesosbox/appliance/viewcache"
)

// serveView answers a GET of a list view (/v2/apps, /v2/tasks) from its
// last rendering while the service's state is unchanged, else renders it
// once for every request waiting: read runs under s.mu and returns the
// encoding, which runs after the unlock. Requests with the same query (and
// credentials) share a view; the answer is gzipped when accepted.
func (s *Service) serveView(w http.ResponseWriter, r *http.Request, view string, read func() func() ([]byte, error)) {
	key := view + "?" + r.URL.Query().Encode() + "\x00" + r.Header.Get("Authorization")
	b, err := s.views.Render(key, s.mu.Gen, func() (uint64, []byte, error) {
		s.mu.Lock()
		gen, encode := s.mu.Gen(), read()
		s.mu.UnlockRead()
		body, err := encode()
		return gen, body, err
	})
	if err != nil {
		writeError(w, err)
		return
	}
	viewcache.Write(w, r, "application/json; charset=utf-8", b)
}
