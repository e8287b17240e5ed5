package embedui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/mesosbox/mesosbox/jobs/schedule"
)

// preview is the answer of GET /ui/api/preview: a schedule in words and its
// next runs, in the schedule's zone.
type preview struct {
	Schedule    string   `json:"schedule"`
	Zone        string   `json:"zone"`
	Description string   `json:"description"`
	Next        []string `json:"next"`
}

// previewHandler serves GET /ui/api/preview?schedule=...&tz=...&n=5: the
// Chronos job form's "next five runs" and the jobs list's schedule in
// words. A schedule the scheduler would refuse is a 400 with the parser's
// message, as POST /v1/scheduler/iso8601 gives it.
func previewHandler(now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 5
		if s := q.Get("n"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 || v > 50 {
				writePreviewError(w, "n must be a number from 1 to 50")
				return
			}
			n = v
		}
		expr := q.Get("schedule")
		if expr == "" {
			writePreviewError(w, "schedule is empty")
			return
		}
		at := now()
		s, err := schedule.Parse(expr, q.Get("tz"), at)
		if err != nil {
			writePreviewError(w, err.Error())
			return
		}
		out := preview{Schedule: s.String(), Zone: s.Location().String(), Description: schedule.Describe(s), Next: []string{}}
		for _, t := range s.NextN(at, n) {
			out.Next = append(out.Next, t.Format(time.RFC3339))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(out)
	}
}

func writePreviewError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"message": msg, "status": "Bad Request"})
}
