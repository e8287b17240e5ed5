package drf

import (
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// Snapshot is everything one allocation cycle looks at. Allocate only reads
// it.
type Snapshot struct {
	// Agents are the registered agents. All of them make up the cluster
	// total that shares are computed against, inactive ones included (as in
	// Mesos, where deactivating an agent does not remove it from the
	// sorters); only active agents with available resources are offered.
	// IDs must be unique: an agent whose ID repeats an earlier one is ignored.
	Agents []Agent

	// Frameworks are the registered frameworks, connected or not. IDs must be
	// unique: a framework whose ID repeats an earlier one is ignored.
	Frameworks []Framework

	// Weights maps roles to weights. A missing role, or a weight that is not
	// a positive number, gets DefaultWeight.
	Weights map[string]float64

	// Filters are the offer filters installed by DECLINE and by the unused
	// part of ACCEPT. Expired filters (Expires not after Now) are ignored, so
	// the caller may drop them lazily.
	Filters []Filter

	// MinAllocatable lists alternative minimum slices: an agent's resources
	// are worth offering when they contain every quantity of at least one
	// alternative. nil means DefaultMinAllocatable(), Mesos' default; an empty
	// non-nil list allows any non-empty slice. A framework may override it
	// per role (Framework.MinAllocatable).
	MinAllocatable []resources.Resources

	// Now is the time filters are checked against.
	Now time.Time

	// Seed picks the order agents are walked in. Pass a different value each
	// cycle (a counter will do) so that no agent is always offered first;
	// the same snapshot and seed always give the same offers.
	Seed uint64
}

// DefaultWeight is the weight of a role without a configured weight.
const DefaultWeight = 1.0

// Agent is a registered agent.
type Agent struct {
	ID string

	// Total is everything the agent has. It makes up the cluster total.
	Total resources.Resources

	// Available is what may be offered now: Total minus what tasks use minus
	// what is in outstanding offers. The caller subtracts offered resources,
	// which is what guarantees nothing is offered twice.
	Available resources.Resources

	// Active is false for an agent that is deactivated, draining or
	// unreachable: it is not offered.
	Active bool
}

// Framework is a registered framework.
type Framework struct {
	ID string

	// Roles are the roles the framework subscribes to. The master resolves
	// the legacy FrameworkInfo.role (default "*") into this list.
	Roles []string

	// Suppressed are the subscribed roles the framework does not want offers
	// for (SUPPRESS, or suppressed_roles in SUBSCRIBE/UPDATE_FRAMEWORK).
	Suppressed []string

	// Active is false while the framework is disconnected or failing over:
	// its allocations still count, but it gets no offers.
	Active bool

	// Allocated holds, per role, what the framework's tasks use plus its
	// outstanding offers. Roles the framework no longer subscribes to still
	// count towards shares, as in Mesos.
	Allocated map[string]resources.Resources

	// MinAllocatable overrides Snapshot.MinAllocatable for the roles it
	// lists (FrameworkInfo.offer_filters[role].min_allocatable_resources).
	// A role present with an empty list accepts any non-empty slice.
	MinAllocatable map[string][]resources.Resources

	// GPUResources is the GPU_RESOURCES capability. As in Mesos (with its
	// default --filter_gpu_resources), agents with GPUs are only offered to
	// frameworks that have it, so GPU machines are not filled with CPU-only
	// work.
	GPUResources bool
}

// Filter stops offers of one agent's resources to one framework in one role
// until it expires.
type Filter struct {
	FrameworkID string
	Role        string
	AgentID     string

	// Refused are the resources that were declined. As in Mesos, the filter
	// only hides an offer whose resources are all within Refused, so
	// resources freed on the agent later still reach the framework. An empty
	// Refused hides every offer of the agent.
	Refused resources.Resources

	// Expires is when the filter stops applying: refuse_seconds after the
	// DECLINE or ACCEPT. It applies while Now is before Expires.
	Expires time.Time
}

// Offer is one allocation: all of an agent's available resources, for one
// role of one framework.
type Offer struct {
	FrameworkID string
	Role        string
	AgentID     string
	Resources   resources.Resources
}
