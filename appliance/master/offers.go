package master

import (
	"slices"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/drf"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

// defaultRefuseSeconds is Mesos' Filters.refuse_seconds default; the cap is
// one year, as in Mesos.
const (
	defaultRefuseSeconds = 5.0
	maxRefuseSeconds     = 365 * 24 * 60 * 60
)

// filter hides one agent's resources from one framework's role until it
// expires (DECLINE, or the unused part of an ACCEPT).
type filter struct {
	frameworkID, role, agentID string
	refused                    resources.Resources
	expires                    time.Time
}

// signalAllocation asks the allocation loop for a cycle now (an agent was
// added, resources were recovered, a framework revived). Signals coalesce.
func (m *Master) signalAllocation() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// allocationLoop runs a cycle every AllocationInterval and on every signal:
// Mesos' batch allocation plus its event-triggered allocation.
func (m *Master) allocationLoop() {
	defer m.wg.Done()
	tick := make(chan struct{}, 1)
	var arm func()
	arm = func() {
		m.cfg.Clock.AfterFunc(m.cfg.AllocationInterval, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
	}
	arm()
	for {
		select {
		case <-m.stop:
			return
		case <-tick:
			arm()
		case <-m.kick:
		}
		m.allocate()
	}
}

// allocate runs one allocation cycle: a snapshot of the cluster goes
// through the pure DRF allocator and the offers it returns are sent.
func (m *Master) allocate() {
	m.mu.Lock()
	offers := 0
	defer func() {
		// A cycle without offers changed only filters and the rotation,
		// which no v0 view shows: the views rendered before stay current.
		if offers > 0 {
			m.mu.Unlock()
		} else {
			m.mu.UnlockRead()
		}
	}()
	if !m.running {
		return
	}
	now := m.cfg.Clock.Now()
	m.dropFilters(func(f filter) bool { return !now.Before(f.expires) })
	m.rotation++
	snap := m.snapshot(now)
	for _, o := range drf.Allocate(snap) {
		offers++
		m.makeOffer(o, now)
	}
}

func (m *Master) snapshot(now time.Time) drf.Snapshot {
	snap := drf.Snapshot{Weights: m.weights, MinAllocatable: m.cfg.MinAllocatable, Now: now, Seed: uint64(m.rotation)}
	for _, a := range m.agents {
		snap.Agents = append(snap.Agents, drf.Agent{ID: a.ID, Total: a.total, Available: a.available(),
			Active: a.conn != nil && !a.unreachable})
	}
	for _, f := range m.frameworks {
		df := drf.Framework{ID: f.id, Roles: f.roles(), Active: f.connected(), Allocated: map[string]resources.Resources{},
			GPUResources: hasCapability(f.info, mesos.FrameworkInfo_Capability_GPU_RESOURCES)}
		for r := range f.suppressed {
			df.Suppressed = append(df.Suppressed, r)
		}
		// One pass over the tasks, each role summed at once (resources.Sum).
		byRole := map[string][]resources.Resources{}
		for _, t := range f.tasks {
			if !isTerminal(t.state()) {
				byRole[t.role] = append(byRole[t.role], t.res)
			}
		}
		for role, rs := range byRole {
			df.Allocated[role] = resources.Sum(slices.Values(rs))
		}
		for _, o := range f.offers {
			df.Allocated[o.role] = df.Allocated[o.role].Add(o.res)
		}
		snap.Frameworks = append(snap.Frameworks, df)
	}
	for _, fl := range m.filters {
		snap.Filters = append(snap.Filters, drf.Filter{FrameworkID: fl.frameworkID, Role: fl.role, AgentID: fl.agentID, Refused: fl.refused, Expires: fl.expires})
	}
	return snap
}

func (m *Master) makeOffer(o drf.Offer, now time.Time) {
	f, a := m.frameworks[o.FrameworkID], m.agents[o.AgentID]
	if f == nil || a == nil || !f.connected() {
		return
	}
	off := &offer{id: m.nextID("O"), frameworkID: f.id, agentID: a.ID, role: o.Role, res: o.Resources, createdAt: now}
	m.offers[off.id] = off
	f.offers[off.id] = off
	a.offered = a.offered.Add(off.res)
	if m.cfg.OfferTimeout > 0 {
		id := off.id
		off.timeout = m.cfg.Clock.AfterFunc(m.cfg.OfferTimeout, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if o := m.offers[id]; o != nil && m.running {
				m.rescind(o)
			}
		})
	}
	m.metrics.offersSent++
	m.event(f, &scheduler.Event{Type: scheduler.Event_OFFERS, Offers: &scheduler.Event_Offers{Offers: []mesos.Offer{m.offerProto(off, a)}}})
}

func (m *Master) offerProto(o *offer, a *agent) mesos.Offer {
	host := hostOf(a.Address)
	return mesos.Offer{
		ID:             mesos.OfferID{Value: o.id},
		FrameworkID:    mesos.FrameworkID{Value: o.frameworkID},
		AgentID:        mesos.AgentID{Value: a.ID},
		Hostname:       a.Hostname,
		URL:            &mesos.URL{Scheme: "http", Address: mesos.Address{Hostname: &host, IP: &host, Port: int32(portOf(a.Address))}, Path: stringPtr("/slave(1)")},
		Resources:      resourcepb.ToProto(o.res, o.role),
		Attributes:     a.Attributes,
		AllocationInfo: &mesos.Resource_AllocationInfo{Role: &o.role},
	}
}

// removeOffer takes an offer out of every index; its resources become
// available again.
func (m *Master) removeOffer(o *offer) {
	delete(m.offers, o.id)
	if f := m.frameworks[o.frameworkID]; f != nil {
		delete(f.offers, o.id)
	}
	if a := m.agents[o.agentID]; a != nil {
		a.offered = a.offered.Sub(o.res)
	}
	if o.timeout != nil {
		o.timeout.Stop()
	}
}

// rescind withdraws an offer and tells its framework.
func (m *Master) rescind(o *offer) {
	m.removeOffer(o)
	m.metrics.offersRescinded++
	if f := m.frameworks[o.frameworkID]; f != nil {
		m.event(f, &scheduler.Event{Type: scheduler.Event_RESCIND, Rescind: &scheduler.Event_Rescind{OfferID: mesos.OfferID{Value: o.id}}})
	}
	m.signalAllocation()
}

// recoverOffers returns a framework's outstanding offers to the pool
// without telling it (it is gone or disconnected).
func (m *Master) recoverOffers(f *framework) {
	for _, o := range f.offers {
		m.removeOffer(o)
	}
	m.signalAllocation()
}

func (m *Master) decline(f *framework, ids []mesos.OfferID, filters *mesos.Filters) {
	for _, id := range ids {
		o := f.offers[id.Value]
		if o == nil {
			continue // already used, rescinded or never this framework's: Mesos ignores it
		}
		m.removeOffer(o)
		m.metrics.offersDeclined++
		m.addFilter(f, o.role, o.agentID, o.res, filters)
	}
	m.signalAllocation()
}

// addFilter installs the refuse_seconds filter of a DECLINE or of the
// unused part of an ACCEPT. A refusal of 0 seconds installs nothing.
func (m *Master) addFilter(f *framework, role, agentID string, refused resources.Resources, filters *mesos.Filters) {
	secs := defaultRefuseSeconds
	if filters != nil && filters.RefuseSeconds != nil {
		secs = *filters.RefuseSeconds
	}
	if secs > maxRefuseSeconds {
		secs = maxRefuseSeconds
	}
	if secs <= 0 || refused.IsEmpty() {
		return
	}
	m.filters = append(m.filters, filter{frameworkID: f.id, role: role, agentID: agentID, refused: refused,
		expires: m.cfg.Clock.Now().Add(time.Duration(secs * float64(time.Second)))})
}

func (m *Master) dropFilters(drop func(filter) bool) {
	kept := m.filters[:0]
	for _, fl := range m.filters {
		if !drop(fl) {
			kept = append(kept, fl)
		}
	}
	m.filters = kept
}

// revive clears the framework's filters and unsuppresses the roles (all of
// its roles when none are named).
func (m *Master) revive(f *framework, roles []string) {
	all := len(roles) == 0
	set := map[string]bool{}
	for _, r := range roles {
		set[r] = true
	}
	m.dropFilters(func(fl filter) bool { return fl.frameworkID == f.id && (all || set[fl.role]) })
	if all {
		f.suppressed = map[string]bool{}
	}
	for r := range set {
		delete(f.suppressed, r)
	}
	m.signalAllocation()
}

// suppress stops new offers for the roles (all of the framework's roles when
// none are named) until REVIVE.
func (m *Master) suppress(f *framework, roles []string) {
	if len(roles) == 0 {
		roles = f.roles()
	}
	for _, r := range roles {
		f.suppressed[r] = true
	}
	// As in Mesos, outstanding offers stay valid; only new ones stop.
}
