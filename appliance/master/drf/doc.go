// Package drf is mesosbox's allocator: Mesos' hierarchical Dominant Resource
// Fairness as a pure function. Allocate takes a Snapshot (agents and their
// free resources, frameworks with their roles and allocations, role weights,
// offer filters, the time) and returns the offers to make. It does no I/O,
// starts no goroutines and reads no clock, so the same snapshot always gives
// the same offers; the master owns all state and calls it once per
// allocation cycle.
//
// # Algorithm
//
// It follows Mesos 1.x (src/master/allocator/mesos/hierarchical.cpp and
// sorter/drf/sorter.cpp) for unreserved resources without quota:
//
//   - Roles form a tree by their "/"-separated paths ("eng/web" is a child of
//     "eng"); the frameworks of a role hang below it. A role that has both
//     frameworks and sub-roles keeps its own frameworks under a virtual child
//     "role/." of weight 1, exactly as Mesos' DRF sorter does.
//   - A node's share is its dominant share (the largest fraction it holds of
//     any scalar resource the cluster has; ports do not count) divided by its
//     weight. Roles get weights from Snapshot.Weights (default 1); frameworks
//     inside a role are unweighted. Allocations count what the role or
//     framework holds in tasks and in outstanding offers, because Mesos
//     counts offered resources as allocated.
//   - Siblings are ordered by share, ties broken by name. Walking the tree in
//     that order lists (role, framework) candidates from the furthest below
//     its fair share to the furthest above.
//   - Agents are walked in a seeded random order (Mesos shuffles them every
//     cycle). Each agent's whole available resources go to the first eligible
//     candidate, as one offer: one agent, one role, one framework. Shares are
//     updated right after each grant, so fairness holds within a cycle.
//   - A candidate is eligible for an agent unless the framework is inactive,
//     not subscribed to the role or has suppressed it, the agent has GPUs and
//     the framework lacks GPU_RESOURCES, the agent's resources are below the
//     minimum allocatable, or an unexpired filter for that (framework, role,
//     agent) covers them.
//
// Quota, reservations, revocable resources and offer constraints are not
// modelled.
package drf
