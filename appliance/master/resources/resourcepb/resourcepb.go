// Package resourcepb converts between resources.Resources and the Mesos v1
// protobuf Resource messages of mesos-go, the form offers, TaskInfos and the
// operator API carry on the wire.
//
// It is a separate package so that the resource model, and the allocator
// built on it, do not pull in protobuf.
package resourcepb

import (
	"errors"
	"fmt"
	"math"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// defaultRole is the role of unreserved resources.
const defaultRole = "*"

// ToProto returns r as Mesos v1 resources: SCALAR resources for the scalars
// and a RANGES "ports" resource, in the order of resources.Resources.String.
// Each carries the deprecated role field "*" (pre-1.x schedulers still read
// it to tell unreserved resources apart), and, when role is not empty, the
// allocation_info that Mesos puts on offered and allocated resources.
func ToProto(r resources.Resources, role string) []mesos.Resource {
	out := make([]mesos.Resource, 0, 5)
	for name, v := range r.Scalars() {
		res := base(name, mesos.SCALAR, role)
		res.Scalar = &mesos.Value_Scalar{Value: v.Float64()}
		out = append(out, res)
	}
	if len(r.Ports) > 0 {
		res := base(resources.Ports, mesos.RANGES, role)
		ranges := make([]mesos.Value_Range, len(r.Ports))
		for i, p := range r.Ports {
			ranges[i] = mesos.Value_Range{Begin: p.Begin, End: p.End}
		}
		res.Ranges = &mesos.Value_Ranges{Range: ranges}
		out = append(out, res)
	}
	return out
}

func base(name string, typ mesos.Value_Type, role string) mesos.Resource {
	star := defaultRole
	// An empty, non-nil Reservations encodes as [] rather than null, which
	// strict protobuf JSON parsers in other languages accept more readily.
	res := mesos.Resource{Name: name, Type: typ.Enum(), Role: &star, Reservations: []mesos.Resource_ReservationInfo{}}
	if role != "" {
		res.AllocationInfo = &mesos.Resource_AllocationInfo{Role: &role}
	}
	return res
}

// FromProto converts Mesos v1 resources, such as the resources of a TaskInfo
// in an ACCEPT call, into a resources.Resources, summing repeated names.
// allocation_info is ignored. It rejects, with an error naming the resource,
// what mesosbox cannot honour: reservations (a role other than "*"),
// revocable, shared and resource-provider resources, persistent volumes and
// disk sources, SET values, ranges other than "ports", and invalid quantities.
func FromProto(in []mesos.Resource) (resources.Resources, error) {
	var r resources.Resources
	for i := range in {
		var err error
		if r, err = add(r, &in[i]); err != nil {
			return resources.Resources{}, fmt.Errorf("resource %d (%q): %w", i, in[i].Name, err)
		}
	}
	return r, nil
}

func add(r resources.Resources, res *mesos.Resource) (resources.Resources, error) {
	if err := supported(res); err != nil {
		return r, err
	}
	switch res.GetType() {
	case mesos.SCALAR:
		if res.Scalar == nil {
			return r, errors.New("SCALAR resource without a scalar value")
		}
		v := res.Scalar.Value
		if math.IsNaN(v) || v < 0 || v > resources.MaxScalar.Float64() {
			return r, fmt.Errorf("scalar value %v is outside [0, %s]", v, resources.MaxScalar)
		}
		q := resources.ScalarOf(v)
		if res.Name == resources.GPUs && q%resources.ScalarOf(1) != 0 {
			return r, fmt.Errorf("%q must be a whole number, got %v", resources.GPUs, v)
		}
		return r.WithScalar(res.Name, min(r.Scalar(res.Name)+q, resources.MaxScalar))
	case mesos.RANGES:
		if res.Name != resources.Ports {
			return r, fmt.Errorf("only %q may hold ranges", resources.Ports)
		}
		rs := make([]resources.Range, 0, len(res.GetRanges().GetRange()))
		for _, p := range res.GetRanges().GetRange() {
			if p.Begin > p.End {
				return r, fmt.Errorf("range [%d-%d]: begin is greater than end", p.Begin, p.End)
			}
			rs = append(rs, resources.Range{Begin: p.Begin, End: p.End})
		}
		r.Ports = r.Ports.Add(resources.NewRanges(rs...))
		return r, nil
	default:
		return r, fmt.Errorf("%s resources are not supported", res.GetType())
	}
}

// supported rejects the resource kinds mesosbox does not implement.
func supported(res *mesos.Resource) error {
	switch {
	case res.Role != nil && *res.Role != defaultRole && *res.Role != "":
		return fmt.Errorf("role %q: reservations are not supported", *res.Role)
	case res.Reservation != nil || len(res.Reservations) > 0:
		return errors.New("reservations are not supported")
	case res.Revocable != nil:
		return errors.New("revocable resources are not supported")
	case res.Shared != nil:
		return errors.New("shared resources are not supported")
	case res.ProviderID != nil:
		return errors.New("resource provider resources are not supported")
	case res.Disk != nil && (res.Disk.Persistence != nil || res.Disk.Volume != nil || res.Disk.Source != nil):
		return errors.New("persistent volumes and disk sources are not supported")
	}
	return nil
}
