package master

import "sync"

// viewRenders coalesces concurrent reads of one v0 view (/master/state and
// the like). Building and encoding the state of 10 000 tasks takes a
// noticeable time, and 50 clients polling it would each build their own
// copy, mostly under the master's mutex. Instead a request joins the next
// render of its view that has not started yet, so at most one render runs
// and one waits per view, whatever the number of clients; and every
// answer still reflects the state at some point after its request came in.
type viewRenders struct {
	mu      sync.Mutex
	running map[string]*viewRender
	pending map[string]*viewRender
}

type viewRender struct {
	done chan struct{}
	body []byte
	err  error
}

// render returns the result of a run of fn for key that started after the
// call.
func (c *viewRenders) render(key string, fn func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if c.running == nil {
		c.running, c.pending = map[string]*viewRender{}, map[string]*viewRender{}
	}
	if r := c.pending[key]; r != nil {
		c.mu.Unlock()
		<-r.done
		return r.body, r.err
	}
	r := &viewRender{done: make(chan struct{})}
	if prev := c.running[key]; prev != nil {
		// Requests that come while prev runs join r, which starts after it.
		c.pending[key] = r
		c.mu.Unlock()
		<-prev.done
		c.mu.Lock()
		delete(c.pending, key)
	}
	c.running[key] = r
	c.mu.Unlock()
	r.body, r.err = fn()
	c.mu.Lock()
	delete(c.running, key)
	c.mu.Unlock()
	close(r.done)
	return r.body, r.err
}
