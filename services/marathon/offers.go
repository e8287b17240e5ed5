package marathon

import (
	"strconv"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/services/app"
)

// Reasons an offer does not fit an app, as Marathon's NoOfferMatchReason
// names them in /v2/queue's processedOffersSummary.
const (
	reasonRole       = "UnfulfilledRole"
	reasonConstraint = "UnfulfilledConstraint"
	reasonCpus       = "InsufficientCpus"
	reasonMem        = "InsufficientMemory"
	reasonDisk       = "InsufficientDisk"
	reasonGpus       = "InsufficientGpus"
	reasonPorts      = "InsufficientPorts"
	reasonDeclined   = "DeclinedScarceResources"
)

// reasonOrder is the order Marathon lists reject reasons in.
var reasonOrder = []string{reasonRole, reasonConstraint, reasonCpus, reasonMem, reasonDisk, reasonGpus, reasonPorts, reasonDeclined}

// offerPool is an offer being matched: what is left of it after the tasks
// already placed on it.
type offerPool struct {
	offer     mesos.Offer
	free      resources.Resources
	role      string
	placement app.Placement
}

func newOfferPool(o mesos.Offer) (*offerPool, error) {
	res, err := resourcepb.FromProto(o.Resources)
	if err != nil {
		return nil, err
	}
	role := "*"
	for _, r := range o.Resources {
		if r.AllocationInfo != nil && r.AllocationInfo.Role != nil {
			role = *r.AllocationInfo.Role
			break
		}
	}
	return &offerPool{offer: o, free: res, role: role, placement: offerPlacement(o)}, nil
}

// offerPlacement is where an offer's agent is, for constraints: hostname,
// fault domain and attributes (scalars printed as Mesos prints them).
func offerPlacement(o mesos.Offer) app.Placement {
	p := app.Placement{Hostname: o.Hostname, Attributes: map[string]string{}}
	if fd := o.GetDomain().GetFaultDomain(); fd != nil {
		p.Region = fd.GetRegion().Name
		p.Zone = fd.GetZone().Name
	}
	for _, a := range o.Attributes {
		switch a.GetType() {
		case mesos.TEXT:
			p.Attributes[a.Name] = a.GetText().GetValue()
		case mesos.SCALAR:
			p.Attributes[a.Name] = strconv.FormatFloat(a.GetScalar().GetValue(), 'f', -1, 64)
		}
	}
	return p
}

// fit is one task placed on an offer.
type fit struct {
	res       resources.Resources
	hostPorts []uint64 // by port index; 0 where the index has no host port
}

// match checks whether one more task of a fits in the pool next to the
// app's tasks already placed, and reports every reason it does not
// (Marathon counts each reason once per offer). It does not change the
// pool.
func match(a *app.App, p *offerPool, placed []app.Placement) (fit, []string) {
	var reasons []string
	if !acceptsRole(a, p.role) {
		reasons = append(reasons, reasonRole)
	}
	if !app.CanPlace(a.Constraints, p.placement, placed) {
		reasons = append(reasons, reasonConstraint)
	}
	need := resources.Resources{
		CPUs: resources.ScalarOf(a.Cpus),
		Mem:  resources.ScalarOf(a.Mem),
		Disk: resources.ScalarOf(a.Disk),
		GPUs: resources.ScalarOf(float64(a.Gpus)),
	}
	if p.free.CPUs < need.CPUs {
		reasons = append(reasons, reasonCpus)
	}
	if p.free.Mem < need.Mem {
		reasons = append(reasons, reasonMem)
	}
	if p.free.Disk < need.Disk {
		reasons = append(reasons, reasonDisk)
	}
	if p.free.GPUs < need.GPUs {
		reasons = append(reasons, reasonGpus)
	}
	hostPorts, ok := pickPorts(a, p.free.Ports)
	if !ok {
		reasons = append(reasons, reasonPorts)
	}
	if len(reasons) > 0 {
		return fit{}, reasons
	}
	var taken []uint64
	for _, hp := range hostPorts {
		if hp != 0 {
			taken = append(taken, hp)
		}
	}
	need.Ports = resources.RangesOf(taken...)
	return fit{res: need, hostPorts: hostPorts}, nil
}

// acceptsRole tells whether an offer allocated to role may run the app: a
// MULTI_ROLE framework launches an app only on offers for the app's role;
// then acceptedResourceRoles narrows it (mesosbox offers unreserved
// resources only).
func acceptsRole(a *app.App, role string) bool {
	if a.Role != "" && a.Role != role {
		return false
	}
	if a.AcceptedResourceRoles == nil {
		return true
	}
	for _, r := range a.AcceptedResourceRoles {
		if r == role || r == "*" {
			return true
		}
	}
	return false
}

// pickPorts chooses the host ports of a task, by port index:
//
//   - port definitions (host networking): with requirePorts the declared
//     ports themselves, otherwise any free ports (the declared ones are
//     service ports);
//   - port mappings: hostPort 0 takes any free port, a fixed hostPort that
//     very port, no hostPort none (0 in the result).
//
// Dynamic ports are the lowest free ones, so the choice is deterministic.
func pickPorts(a *app.App, free resources.Ranges) ([]uint64, bool) {
	type want struct {
		fixed   uint64
		dynamic bool
	}
	var wants []want
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		for _, pm := range a.Container.PortMappings {
			switch {
			case pm.HostPort == nil:
				wants = append(wants, want{})
			case *pm.HostPort == 0:
				wants = append(wants, want{dynamic: true})
			default:
				wants = append(wants, want{fixed: uint64(*pm.HostPort)})
			}
		}
	} else {
		for _, pd := range a.PortDefinitions {
			if a.RequirePorts && pd.Port != 0 {
				wants = append(wants, want{fixed: uint64(pd.Port)})
			} else {
				wants = append(wants, want{dynamic: true})
			}
		}
	}
	out := make([]uint64, len(wants))
	left := free
	for i, w := range wants {
		if w.fixed != 0 {
			one := resources.RangesOf(w.fixed)
			if !left.Contains(one) {
				return nil, false
			}
			out[i] = w.fixed
			left = left.Sub(one)
		}
	}
	for i, w := range wants {
		if !w.dynamic {
			continue
		}
		got, ok := left.Take(1)
		if !ok {
			return nil, false
		}
		out[i] = got[0]
		left = left.Sub(resources.RangesOf(got[0]))
	}
	return out, true
}
