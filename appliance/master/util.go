package master

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
)

const mesosVersion = buildinfo.MesosVersion

func resourcesFromProto(rs []mesos.Resource) (resources.Resources, error) {
	return resourcepb.FromProto(rs)
}

// taskRole is the role a task's resources were allocated to.
func taskRole(rs []mesos.Resource) string {
	for _, r := range rs {
		if r.AllocationInfo != nil && r.AllocationInfo.Role != nil {
			return *r.AllocationInfo.Role
		}
		if r.Role != nil && *r.Role != "" {
			return *r.Role
		}
	}
	return "*"
}

// validateRole applies Mesos' role name rules.
func validateRole(role string) error {
	switch {
	case role == "":
		return fmt.Errorf("role name cannot be empty")
	case role == "*":
		return nil
	case role == "." || role == "..":
		return fmt.Errorf("role name %q is not allowed", role)
	case strings.HasPrefix(role, "-"):
		return fmt.Errorf("role name %q cannot start with '-'", role)
	case strings.HasPrefix(role, "/") || strings.HasSuffix(role, "/"):
		return fmt.Errorf("role name %q cannot start or end with '/'", role)
	}
	for _, c := range role {
		if c <= ' ' || c == 0x7f || c == '\\' {
			return fmt.Errorf("role name %q contains an invalid character", role)
		}
	}
	return nil
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

func stringPtr(s string) *string { return &s }

// counters are the master's event counts for /metrics/snapshot.
type counters struct {
	calls           map[scheduler.Call_Type]uint64
	statusUpdates   map[mesos.TaskState]uint64
	offersSent      uint64
	offersDeclined  uint64
	offersAccepted  uint64
	offersRescinded uint64
	tasksLaunched   uint64
	messagesDropped uint64
}
