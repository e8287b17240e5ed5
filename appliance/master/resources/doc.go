// Package resources is the resource model shared by the mesosbox agent, the
// master and the allocator: the four standard scalars (cpus, mem, disk, gpus),
// any other named scalars, and the ports ranges.
//
// A Resources is a small value. Its methods never modify the receiver or the
// argument; they return new values, so a Resources (including its Ports
// slice) can be shared freely between goroutines and snapshots. Build Ports
// with NewRanges or Parse: the methods rely on ranges being sorted and
// coalesced.
//
// Scalars use Mesos' fixed-point arithmetic (three decimal digits, see
// Scalar), so adding 0.1 and 0.2 cpus gives exactly 0.3 and repeated
// add/subtract cycles never drift. Only unreserved resources of the default
// role "*" are modelled: mesosbox does not implement reservations, revocable
// resources, persistent volumes or SET-valued resources, and the parsers
// reject them with a clear error rather than silently dropping them.
//
// Conversion to and from the mesos-go v1 protobuf types lives in the
// resourcepb sub-package, so that this package (and the allocator built on
// it) does not depend on protobuf.
package resources
