package resourcepb

import (
	"encoding/json"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func mustParse(t *testing.T, s string) resources.Resources {
	t.Helper()
	r, err := resources.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestToProto(t *testing.T) {
	r := mustParse(t, "cpus:0.3;mem:128;ports:[31000-31005,31010-31010]")
	got := ToProto(r, "web")
	if len(got) != 3 {
		t.Fatalf("ToProto gave %d resources, want 3: %v", len(got), got)
	}
	cpus, mem, ports := got[0], got[1], got[2]
	if cpus.Name != "cpus" || cpus.GetType() != mesos.SCALAR || cpus.GetScalar().GetValue() != 0.3 {
		t.Errorf("cpus = %v", cpus)
	}
	if mem.Name != "mem" || mem.GetScalar().GetValue() != 128 {
		t.Errorf("mem = %v", mem)
	}
	want := []mesos.Value_Range{{Begin: 31000, End: 31005}, {Begin: 31010, End: 31010}}
	if ports.Name != "ports" || ports.GetType() != mesos.RANGES || len(ports.GetRanges().GetRange()) != 2 ||
		ports.GetRanges().GetRange()[0] != want[0] || ports.GetRanges().GetRange()[1] != want[1] {
		t.Errorf("ports = %v", ports)
	}
	for _, res := range got {
		if res.GetRole() != "*" || res.GetAllocationInfo().GetRole() != "web" {
			t.Errorf("%s: role %q, allocation role %q", res.Name, res.GetRole(), res.GetAllocationInfo().GetRole())
		}
	}

	for _, res := range ToProto(r, "") {
		if res.AllocationInfo != nil {
			t.Errorf("%s: allocation_info set without a role", res.Name)
		}
	}
	if got := ToProto(resources.Resources{}, "web"); len(got) != 0 {
		t.Errorf("empty resources gave %v", got)
	}
}

// TestToProtoJSON pins the v1 JSON shape frameworks receive in offers.
func TestToProtoJSON(t *testing.T) {
	b, err := json.Marshal(ToProto(mustParse(t, "cpus:1;ports:[31000-31001]"), "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"name":"cpus"`, `"type":"SCALAR"`, `"scalar":{"value":1}`, `"role":"*"`,
		`"allocation_info":{"role":"*"}`, `"reservations":[]`, `"type":"RANGES"`, `"ranges":{"range":[{"begin":31000,"end":31001}]}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{
		"",
		"cpus:2;mem:4096;disk:1000;gpus:1;ports:[31000-31999, 32005-32010]",
		"cpus:0.001;bandwidth:12.5",
	} {
		r := mustParse(t, s)
		back, err := FromProto(ToProto(r, "role"))
		if err != nil {
			t.Fatalf("FromProto(ToProto(%q)): %v", s, err)
		}
		if !back.Equal(r) {
			t.Fatalf("round trip of %q gave %v", s, back)
		}
	}
}

func TestFromProtoSums(t *testing.T) {
	star := "*"
	in := []mesos.Resource{
		{Name: "cpus", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 0.1}},
		{Name: "cpus", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 0.2}, Role: &star},
		{Name: "ports", Type: mesos.RANGES.Enum(), Ranges: &mesos.Value_Ranges{Range: []mesos.Value_Range{{Begin: 5, End: 6}}}},
		{Name: "ports", Type: mesos.RANGES.Enum(), Ranges: &mesos.Value_Ranges{Range: []mesos.Value_Range{{Begin: 7, End: 7}, {Begin: 1, End: 1}}}},
		{Name: "mem", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 64.00049}},
	}
	got, err := FromProto(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustParse(t, "cpus:0.3;mem:64;ports:[1-1,5-7]"); !got.Equal(want) {
		t.Fatalf("FromProto = %v, want %v", got, want)
	}
}

func TestFromProtoRejects(t *testing.T) {
	scalar := func(name string, v float64) mesos.Resource {
		return mesos.Resource{Name: name, Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: v}}
	}
	role := "web"
	reserved := scalar("cpus", 1)
	reserved.Role = &role
	refined := scalar("cpus", 1)
	refined.Reservations = []mesos.Resource_ReservationInfo{{Role: &role}}
	revocable := scalar("cpus", 1)
	revocable.Revocable = &mesos.Resource_RevocableInfo{}
	shared := scalar("disk", 1)
	shared.Shared = &mesos.Resource_SharedInfo{}
	volume := scalar("disk", 1)
	volume.Disk = &mesos.Resource_DiskInfo{Persistence: &mesos.Resource_DiskInfo_Persistence{ID: "v"}}
	noValue := mesos.Resource{Name: "cpus", Type: mesos.SCALAR.Enum()}
	set := mesos.Resource{Name: "zones", Type: mesos.SET.Enum(), Set: &mesos.Value_Set{Item: []string{"a"}}}
	otherRanges := mesos.Resource{Name: "ephemeral_ports", Type: mesos.RANGES.Enum(), Ranges: &mesos.Value_Ranges{}}
	inverted := mesos.Resource{Name: "ports", Type: mesos.RANGES.Enum(), Ranges: &mesos.Value_Ranges{Range: []mesos.Value_Range{{Begin: 9, End: 1}}}}
	portsScalar := scalar("ports", 2)

	for name, tc := range map[string]struct {
		res  mesos.Resource
		want string
	}{
		"reserved":     {reserved, "reservations are not supported"},
		"refined":      {refined, "reservations are not supported"},
		"revocable":    {revocable, "revocable"},
		"shared":       {shared, "shared"},
		"volume":       {volume, "persistent volumes"},
		"no value":     {noValue, "without a scalar value"},
		"negative":     {scalar("mem", -1), "outside"},
		"huge":         {scalar("mem", 1e13), "outside"},
		"half gpu":     {scalar("gpus", 0.5), "whole number"},
		"bad name":     {scalar("my cpus", 1), "only letters"},
		"set":          {set, "SET resources are not supported"},
		"other ranges": {otherRanges, "only \"ports\" may hold ranges"},
		"inverted":     {inverted, "begin is greater than end"},
		"ports scalar": {portsScalar, "range resource"},
	} {
		_, err := FromProto([]mesos.Resource{scalar("cpus", 1), tc.res})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "resource 1") {
			t.Errorf("%s: err = %v, want it to mention resource 1 and %q", name, err, tc.want)
		}
	}
}
