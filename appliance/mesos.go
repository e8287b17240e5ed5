package appliance

import (
	"github.com/mesosbox/mesosbox/appliance/master"
)

// addMaster plugs the Mesos master in: its endpoints are served on every
// node (followers redirect to the leader), and it runs on the leader only.
func (n *Node) addMaster() {
	m := master.New(master.Config{
		Store:    n.store,
		Logger:   n.log,
		Hostname: n.cfg.Advertise,
		Port:     n.cfg.MasterPort,
		Cluster:  n.cfg.Cluster,

		AllocationInterval: n.cfg.AllocationInterval,
		OfferTimeout:       n.cfg.OfferTimeout,
	})
	m.Mount(n.routes.Master, func() string {
		if host := n.LeaderHost(); host != "" {
			return n.cfg.addr(host, n.cfg.MasterPort)
		}
		return ""
	})
	n.master = m
	n.AddLeaderOnly(m)
}

// Master is the node's Mesos master (running only while the node leads).
func (n *Node) Master() *master.Master { return n.master }
