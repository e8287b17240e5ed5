package marathon

import (
	"sort"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/driver"
)

// Marathon's --reconciliation_initial_delay and --reconciliation_interval
// defaults (also reported by /v2/info).
const (
	reconcileInitialDelay = 15 * time.Second
	reconcileInterval     = 10 * time.Minute
)

// reconcileChunk bounds how many tasks one explicit reconciliation asks
// about (a variable so that tests can lower it), and reconcileSpacing is
// the wait before the next chunk. The
// master sends reconciliation answers only while a framework's event
// stream is at most half full (2 048 events) and holds the rest back
// until the framework has read; Marathon reading 5 000 answers at once
// would hold its other events back behind them. Chunks of 1 000 a second
// stay below that as long as Marathon takes 1 000 updates a second.
var reconcileChunk = 1000

const reconcileSpacing = time.Second

// reconcileTasks asks the master for the state of every task Marathon
// knows, explicitly (so tasks the master forgot come back as TASK_LOST),
// in chunks of reconcileChunk one reconcileSpacing apart, and then
// implicitly (so tasks Marathon forgot are found and killed). The caller
// holds s.mu. A new round replaces the chunks left of the previous one.
func (s *Service) reconcileTasks(d *driver.Driver) {
	ids := make([]string, 0, len(s.st.tasks))
	for id := range s.st.tasks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	s.reconcileFrom(d, ids)
}

// reconcileFrom reconciles the next chunk of ids (those still known) and
// arms the one after; after the last, the implicit reconciliation.
func (s *Service) reconcileFrom(d *driver.Driver, ids []string) {
	chunk := ids[:min(reconcileChunk, len(ids))]
	known := make(map[string]string, len(chunk))
	for _, id := range chunk {
		if t := s.st.tasks[id]; t != nil {
			known[id] = t.AgentID
		}
	}
	if len(known) > 0 {
		_ = d.Reconcile(known)
	}
	rest := ids[len(chunk):]
	if len(rest) == 0 {
		s.unarm("reconcile-chunk")
		_ = d.Reconcile(nil)
		return
	}
	s.later("reconcile-chunk", reconcileSpacing, func() {
		if s.drv != nil {
			s.reconcileFrom(s.drv, rest)
		}
	})
}

// armReconciliation reconciles again after d, then every
// reconcileInterval, for as long as this leadership lasts. Reconciliation
// answers are best effort — a master may drop them (an older mesosbox
// dropped those that would overflow a framework's stream), and an update
// can be lost in a fail-over — so Marathon repeats it, as the real one
// does.
func (s *Service) armReconciliation(d time.Duration) {
	s.later("reconcile", d, func() {
		if s.drv != nil {
			s.log.Debug("periodic task reconciliation", "tasks", len(s.st.tasks))
			s.reconcileTasks(s.drv)
		}
		s.armReconciliation(reconcileInterval)
	})
}
