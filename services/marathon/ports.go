package marathon

import "github.com/mesosbox/mesosbox/services/app"

// Marathon's service port range (--local_port_min, --local_port_max).
const (
	servicePortMin = 10000
	servicePortMax = 20000
)

// assignServicePorts gives every port definition with port 0 (and every
// port mapping with servicePort 0) a service port, as Marathon's
// AssignDynamicServiceLogic does: one from 10000–20000 that no other app
// uses. mesosbox takes the lowest free one, so the result is
// deterministic. Where the previous version of the app had a port at the
// same index, it is kept, so a patch does not move service ports.
func assignServicePorts(a, prev *app.App, used map[int]bool) {
	taken := map[int]bool{}
	for p := range used {
		taken[p] = true
	}
	for _, p := range servicePorts(a) {
		if p != 0 {
			taken[p] = true
		}
	}
	var prevPorts []int
	if prev != nil {
		prevPorts = servicePorts(prev)
	}
	next := servicePortMin
	pick := func(i int) int {
		if i < len(prevPorts) && prevPorts[i] != 0 && !taken[prevPorts[i]] {
			taken[prevPorts[i]] = true
			return prevPorts[i]
		}
		for ; next <= servicePortMax; next++ {
			if !taken[next] {
				taken[next] = true
				return next
			}
		}
		return 0
	}
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		for i := range a.Container.PortMappings {
			if a.Container.PortMappings[i].ServicePort == 0 {
				a.Container.PortMappings[i].ServicePort = pick(i)
			}
		}
		return
	}
	for i := range a.PortDefinitions {
		if a.PortDefinitions[i].Port == 0 {
			a.PortDefinitions[i].Port = pick(i)
		}
	}
}
