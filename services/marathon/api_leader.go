package marathon

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/store"
)

// handleAbdicate serves DELETE /v2/leader on the leader (followers proxy
// it there). With other voters, Raft leadership moves to one of them and
// the node's leadership supervisor stops this service; the answer is sent
// once the transfer is done. A lone node has nobody to hand over to: a
// lone Marathon exits on abdication and wins the next election when its
// supervisor restarts it, so mesosbox restarts its Marathon service in
// place (the subscription ends, event streams close, the state is read
// again from the store and the tasks are reconciled) after answering.
// The backup and restore parameters (ZooKeeper state URIs) are refused.
func (s *Service) handleAbdicate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("backup") != "" || q.Get("restore") != "" {
		writeError(w, badRequest("backup and restore are not supported by mesosbox: the state is in the Raft store"))
		return
	}
	err := errors.New("sole")
	if s.cfg.Abdicate != nil {
		err = s.cfg.Abdicate()
	}
	switch {
	case err == nil:
		s.log.Info("leadership abdicated")
	case s.cfg.Abdicate == nil || errors.Is(err, store.ErrSoleVoter):
		s.log.Info("leadership abdicated on a lone node: restarting marathon in place")
		go s.restart()
	default:
		writeMessage(w, http.StatusServiceUnavailable, "Leadership could not be abdicated: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Leadership abdicated"})
}

// restart stops and starts the service unless something else stopped it
// meanwhile.
func (s *Service) restart() {
	s.life.Lock()
	defer s.life.Unlock()
	if !s.Running() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.stop(ctx); err != nil {
		s.log.Error("stop for abdication", "error", err)
	}
	if err := s.start(); err != nil {
		s.log.Error("start after abdication", "error", err)
	}
}

// acceptsOnlyText reports whether a request asks for text/plain and not
// JSON: Marathon 1.10 answers such a task list with 406.
func acceptsOnlyText(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/plain") && !strings.Contains(accept, "application/json") && !strings.Contains(accept, "*/*")
}
