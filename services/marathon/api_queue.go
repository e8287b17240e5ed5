package marathon

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/services/app"
)

// lastOffersKept is how many recent offers an app's queue entry explains.
const lastOffersKept = 10

// offerStats explains what happened to the offers an app in the launch
// queue was matched against: Marathon's processedOffersSummary.
type offerStats struct {
	processed, unused   int
	lastUsed, lastUnuse *time.Time
	attempt             map[string]int // reasons since the app entered the queue
	last                [][]string     // reasons of the latest offers, oldest first
}

func (s *Service) offerStatsOf(appID string) *offerStats {
	st := s.stats[appID]
	if st == nil {
		st = &offerStats{attempt: map[string]int{}}
		s.stats[appID] = st
	}
	return st
}

func (o *offerStats) record(now time.Time, used bool, reasons []string) {
	o.processed++
	if used {
		o.lastUsed = &now
	} else {
		o.unused++
		o.lastUnuse = &now
	}
	for _, r := range reasons {
		o.attempt[r]++
	}
	o.last = append(o.last, reasons)
	if len(o.last) > lastOffersKept {
		o.last = o.last[len(o.last)-lastOffersKept:]
	}
}

type rejectJSON struct {
	Reason    string `json:"reason"`
	Declined  int    `json:"declined"`
	Processed int    `json:"processed"`
}

func (o *offerStats) summary() map[string]any {
	lastCounts := map[string]int{}
	for _, rs := range o.last {
		for _, r := range rs {
			lastCounts[r]++
		}
	}
	last, attempt := []rejectJSON{}, []rejectJSON{}
	for _, r := range reasonOrder {
		last = append(last, rejectJSON{r, lastCounts[r], len(o.last)})
		attempt = append(attempt, rejectJSON{r, o.attempt[r], o.processed})
	}
	out := map[string]any{
		"processedOffersCount":       o.processed,
		"unusedOffersCount":          o.unused,
		"rejectSummaryLastOffers":    last,
		"rejectSummaryLaunchAttempt": attempt,
	}
	if o.lastUsed != nil {
		out["lastUsedOfferAt"] = app.FormatTimestamp(*o.lastUsed)
	}
	if o.lastUnuse != nil {
		out["lastUnusedOfferAt"] = app.FormatTimestamp(*o.lastUnuse)
	}
	return out
}

// handleQueue serves GET /v2/queue: every app waiting for launches, with
// how many, its launch delay and why offers did not fit.
func (s *Service) handleQueue(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	items := []map[string]any{}
	for _, id := range s.queueOrder() {
		a := s.runSpec(id)
		if a == nil {
			continue
		}
		item := map[string]any{
			"count": s.queue[id],
			"since": app.FormatTimestamp(s.since[id]),
			"role":  a.Role,
			"delay": map[string]any{"timeLeftSeconds": 0, "overdue": true},
		}
		if r := s.st.pods[id]; r != nil {
			item["pod"] = r.Spec
		} else {
			item["app"] = a
		}
		if d := s.st.delays[id]; d != nil && now.Before(d.Until) {
			item["delay"] = map[string]any{"timeLeftSeconds": int(math.Ceil(d.Until.Sub(now).Seconds())), "overdue": false}
		}
		stats := s.stats[id]
		if stats == nil {
			stats = &offerStats{attempt: map[string]int{}}
		}
		item["processedOffersSummary"] = stats.summary()
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"queue": items})
}

// handleResetDelay serves DELETE /v2/queue/{appId}/delay: the app's launch
// backoff is forgotten and it may launch at once (204).
func (s *Service) handleResetDelay(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(chi.URLParam(r, "*"), "/")
	if !strings.HasSuffix(rest, "/delay") {
		writeMessage(w, http.StatusNotFound, "Not found")
		return
	}
	id := app.CanonicalPath(strings.TrimSuffix(rest, "/delay"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runSpec(id) == nil {
		writeError(w, appNotFound(id))
		return
	}
	wr := &Write{}
	s.resetDelay(id, wr)
	if err := s.write(r.Context(), wr); err != nil {
		writeError(w, err)
		return
	}
	s.signal()
	w.WriteHeader(http.StatusNoContent)
}
