package appliance

import "github.com/mesosbox/mesosbox/embedui"

// mountUIs serves the web UIs: Mesos on the master's port (with its proxy
// to the agents' sandboxes), Marathon at /ui/ on 8080 and Chronos on 4400.
func (n *Node) mountUIs() {
	embedui.MountMesos(n.routes.Master, n.routes.Master,
		embedui.AgentAccess{Scheme: n.scheme(n.cfg.AgentPort), Transport: n.sec.internal})
	embedui.MountMarathon(n.routes.Marathon)
	embedui.MountChronos(n.routes.Chronos, nil)
}
