package master

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Requests that arrive while a render runs share the one render that
// starts after it, never the one already running (it may predate them).
func TestViewRendersCoalesceAfterArrival(t *testing.T) {
	var c viewRenders
	var runs atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	render := func() ([]byte, error) {
		n := runs.Add(1)
		if n == 1 {
			close(started)
			<-release
		}
		return []byte(strconv.Itoa(int(n))), nil
	}
	first := make(chan string)
	go func() {
		b, _ := c.render("/state", render)
		first <- string(b)
	}()
	<-started
	const waiters = 10
	var wg sync.WaitGroup
	results := make(chan string, waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := c.render("/state", render)
			results <- string(b)
		}()
	}
	// Every waiter is queued behind the running render before it ends.
	for {
		c.mu.Lock()
		queued := c.pending["/state"] != nil
		c.mu.Unlock()
		if queued {
			break
		}
	}
	close(release)
	if got := <-first; got != "1" {
		t.Fatalf("first caller got render %s", got)
	}
	wg.Wait()
	close(results)
	for got := range results {
		if got == "1" {
			t.Fatal("a request that came during render 1 was answered with it")
		}
	}
	if n := runs.Load(); n > 1+waiters || n < 2 {
		t.Fatalf("%d renders", n)
	}
	if b, _ := c.render("/other", render); string(b) == "" {
		t.Fatal("another view does not render")
	}
}
