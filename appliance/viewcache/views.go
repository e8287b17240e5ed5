package viewcache

import "sync"

// maxViews bounds the bodies kept: view keys carry query strings, which
// clients choose.
const maxViews = 64

// Views coalesces and caches the renders of views, by key.
//
// A request is answered from the last body of its view when that body was
// rendered at the current generation. Otherwise it joins the next render
// of the view that has not started yet, so at most one render runs and
// one waits per view, whatever the number of clients; and every answer
// reflects the state at some point after its request came in.
type Views struct {
	mu      sync.Mutex
	last    map[string]*Body
	running map[string]*render
	pending map[string]*render
}

type render struct {
	done chan struct{}
	body *Body
	err  error
}

// Render returns the body of view key: the cached one when it is current
// (rendered at gen()), else the result of a run of fn that started after
// the call. fn reads the state under its lock, notes the generation it saw
// (Mutex.Gen under the lock) and may encode after unlocking.
func (v *Views) Render(key string, gen func() uint64, fn func() (uint64, []byte, error)) (*Body, error) {
	if b := v.current(key, gen()); b != nil {
		return b, nil
	}
	return v.coalesce(key, func() (*Body, error) {
		// A render that ended while this one waited may be current.
		if b := v.current(key, gen()); b != nil {
			return b, nil
		}
		g, plain, err := fn()
		if err != nil {
			return nil, err
		}
		b := &Body{Gen: g, Plain: plain}
		v.keep(key, b)
		return b, nil
	})
}

func (v *Views) current(key string, gen uint64) *Body {
	v.mu.Lock()
	defer v.mu.Unlock()
	if b := v.last[key]; b != nil && b.Gen == gen {
		return b
	}
	return nil
}

func (v *Views) keep(key string, b *Body) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last == nil {
		v.last = map[string]*Body{}
	}
	if old := v.last[key]; old == nil && len(v.last) >= maxViews {
		for k := range v.last { // any one: the bound is against abuse
			delete(v.last, k)
			break
		}
	} else if old != nil && old.Gen > b.Gen {
		return
	}
	v.last[key] = b
}

// coalesce returns the result of a run of fn for key that started after
// the call.
func (v *Views) coalesce(key string, fn func() (*Body, error)) (*Body, error) {
	v.mu.Lock()
	if v.running == nil {
		v.running, v.pending = map[string]*render{}, map[string]*render{}
	}
	if r := v.pending[key]; r != nil {
		v.mu.Unlock()
		<-r.done
		return r.body, r.err
	}
	r := &render{done: make(chan struct{})}
	if prev := v.running[key]; prev != nil {
		// Requests that come while prev runs join r, which starts after it.
		v.pending[key] = r
		v.mu.Unlock()
		<-prev.done
		v.mu.Lock()
		delete(v.pending, key)
	}
	v.running[key] = r
	v.mu.Unlock()
	r.body, r.err = fn()
	v.mu.Lock()
	delete(v.running, key)
	v.mu.Unlock()
	close(r.done)
	return r.body, r.err
}
