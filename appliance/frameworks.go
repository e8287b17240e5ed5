package appliance

import (
	"github.com/mesosbox/mesosbox/jobs/chronos"
)

// leaderURL is the base URL of port on the current Raft leader, "" when
// there is none; followers proxy Marathon and Chronos requests there.
func (n *Node) leaderURL(port int) func() string {
	return func() string {
		host := n.LeaderHost()
		if host == "" {
			return ""
		}
		return "http://" + n.cfg.addr(host, port)
	}
}

// addChronos plugs in the Chronos job scheduler: a framework on the
// master, started on the leader after it; its API is on every node.
func (n *Node) addChronos() {
	svc := chronos.New(chronos.Config{
		Store:     n.store,
		Master:    n.master,
		Logger:    n.log,
		LeaderURL: n.leaderURL(n.cfg.ChronosPort),
		Hostname:  n.cfg.Advertise,
		Port:      n.cfg.ChronosPort,
	})
	svc.Mount(n.routes.Chronos)
	n.AddLeaderOnly(svc)
}
