package appliance

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/mesosbox/mesosbox/store"
)

// leadership starts the leader-only components when this node gains Raft
// leadership and stops them, in reverse order, when it loses it. Before
// starting, the new leader waits on a Raft barrier so that it reads every
// write its predecessor committed.
type leadership struct {
	store      *store.Store
	components []Component
	log        *slog.Logger

	done    chan struct{}
	stopped chan struct{}
	once    sync.Once

	mu      sync.Mutex
	running []Component
	ctx     context.Context
	cancel  context.CancelFunc
}

func newLeadership(st *store.Store, cs []Component, log *slog.Logger) *leadership {
	return &leadership{store: st, components: cs, log: log, done: make(chan struct{}), stopped: make(chan struct{})}
}

func (l *leadership) run() {
	defer close(l.stopped)
	for {
		select {
		case <-l.done:
			l.demote()
			return
		case leader := <-l.store.LeaderCh():
			if leader {
				l.promote()
			} else {
				l.demote()
			}
		}
	}
}

func (l *leadership) promote() {
	if err := l.store.Barrier(10 * time.Second); err != nil {
		l.log.Error("leader barrier failed; not starting leader services", "error", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running != nil {
		return
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.running = []Component{}
	for _, c := range l.components {
		if err := c.Start(l.ctx); err != nil {
			l.log.Error("leader service failed to start", "component", c.Name(), "error", err)
			continue
		}
		l.running = append(l.running, c)
	}
	l.log.Info("leading: services started", "count", len(l.running))
}

func (l *leadership) demote() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running == nil {
		return
	}
	l.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := len(l.running) - 1; i >= 0; i-- {
		if err := l.running[i].Stop(ctx); err != nil {
			l.log.Error("leader service failed to stop", "component", l.running[i].Name(), "error", err)
		}
	}
	l.running = nil
	l.log.Info("not leading: services stopped")
}

func (l *leadership) close(ctx context.Context) {
	l.once.Do(func() { close(l.done) })
	select {
	case <-l.stopped:
	case <-ctx.Done():
	}
}
