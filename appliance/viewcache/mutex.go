package viewcache

import (
	"sync"
	"sync/atomic"
)

// Mutex is a mutex that counts changes: Unlock bumps the generation, so
// that a view rendered at generation g is known current while Gen() is
// still g. Critical sections that only read end with UnlockRead and leave
// the generation alone.
//
// Treating every Unlock as a change errs on the safe side: a view is never
// served stale because some code path forgot to mark its mutation; at
// worst a read-only section (that did not use UnlockRead) costs one extra
// render.
type Mutex struct {
	mu  sync.Mutex
	gen atomic.Uint64
}

// Lock locks m.
func (m *Mutex) Lock() { m.mu.Lock() }

// Unlock ends a critical section that may have changed the state.
func (m *Mutex) Unlock() {
	m.gen.Add(1) // before the unlock: a reader that locks next sees it
	m.mu.Unlock()
}

// UnlockRead ends a critical section that changed nothing the views show.
func (m *Mutex) UnlockRead() { m.mu.Unlock() }

// Gen is the number of critical sections that may have changed the state.
// Read under the lock it names exactly the state the holder sees; read
// without it, a state at least as new as any Unlock that returned.
func (m *Mutex) Gen() uint64 { return m.gen.Load() }
