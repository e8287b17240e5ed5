package appliance

import "github.com/mesosbox/mesosbox/embedui"

// mountUIs serves the web UIs: Mesos on the master's port (with its proxy
// to the agents' sandboxes), Marathon at /ui/ on 8080 (with the same proxy,
// for task logs from its own origin) and Chronos on 4400.
func (n *Node) mountUIs() {
	agents := embedui.AgentAccess{Scheme: n.scheme(n.cfg.AgentPort), Transport: n.sec.internal}
	embedui.MountMesos(n.routes.Master, n.routes.Master, agents)
	embedui.MountMarathon(n.routes.Marathon)
	embedui.MountAgentProxy(n.routes.Marathon, n.routes.Master, agents)
	embedui.MountChronos(n.routes.Chronos, nil)
}
