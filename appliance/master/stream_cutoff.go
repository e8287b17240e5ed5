package master

import (
	"net/http"
	"sync"
	"time"
)

// CutOffWhenDone bounds the writes of a streaming response once done is
// closed (the subscriber was dropped for not keeping up, or the stream
// ended): a write still blocked on a client that stopped reading, and any
// later one (a last flush, the server's end of the chunked body), get
// grace to complete and then fail. Without it, such a client holds the
// handler, its goroutine and the connection for as long as it keeps the
// TCP window shut. The handler must call stop before it returns; w is
// not touched after that.
func CutOffWhenDone(w http.ResponseWriter, done <-chan struct{}, grace time.Duration) (stop func()) {
	rc := http.NewResponseController(w)
	cut := func() {
		deadline := time.Unix(1, 0) // in the past: fail at once
		if grace > 0 {
			deadline = time.Now().Add(grace)
		}
		_ = rc.SetWriteDeadline(deadline)
	}
	finished := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		select {
		case <-done:
			cut()
		case <-finished:
		}
	})
	return func() {
		close(finished)
		watcher.Wait()
		// The watcher may have seen finished first.
		select {
		case <-done:
			cut()
		default:
		}
	}
}
