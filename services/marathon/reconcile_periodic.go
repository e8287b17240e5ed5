package marathon

import (
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/driver"
)

// Marathon's --reconciliation_initial_delay and --reconciliation_interval
// defaults (also reported by /v2/info).
const (
	reconcileInitialDelay = 15 * time.Second
	reconcileInterval     = 10 * time.Minute
)

// reconcileTasks asks the master for the state of every task Marathon
// knows, explicitly (so tasks the master forgot come back as TASK_LOST) and
// implicitly (so tasks Marathon forgot are found and killed). The caller
// holds s.mu.
func (s *Service) reconcileTasks(d *driver.Driver) {
	known := make(map[string]string, len(s.st.tasks))
	for _, t := range s.st.tasks {
		known[t.ID] = t.AgentID
	}
	if len(known) > 0 {
		_ = d.Reconcile(known)
	}
	_ = d.Reconcile(nil)
}

// armReconciliation reconciles again after d, then every
// reconcileInterval, for as long as this leadership lasts. Reconciliation
// answers are best effort — a master drops those that would overflow a
// framework's event stream, and an update can be lost in a fail-over — so
// Marathon repeats it, as the real one does.
func (s *Service) armReconciliation(d time.Duration) {
	s.later("reconcile", d, func() {
		if s.drv != nil {
			s.log.Debug("periodic task reconciliation", "tasks", len(s.st.tasks))
			s.reconcileTasks(s.drv)
		}
		s.armReconciliation(reconcileInterval)
	})
}
