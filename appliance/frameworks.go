package appliance

import (
	"github.com/mesosbox/mesosbox/jobs/chronos"
	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/services/marathon"
)

// leaderURL is the base URL of port on the current Raft leader, "" when
// there is none; followers proxy Marathon and Chronos requests there.
func (n *Node) leaderURL(port int) func() string {
	return func() string {
		host := n.LeaderHost()
		if host == "" {
			return ""
		}
		return n.scheme(port) + "://" + n.cfg.addr(host, port)
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

		ProxyTransport: n.sec.proxy,

		FailureRetry: n.cfg.ChronosFailureRetry,
		// Jobs without runAsUser run as the node's default task user, as
		// Chronos' --user sets the default runAsUser.
		Defaults: job.Defaults{User: n.cfg.DefaultTaskUser},
	})
	svc.Mount(n.routes.Chronos)
	n.AddLeaderOnly(svc)
}

// addMarathon plugs in the Marathon service scheduler the same way.
func (n *Node) addMarathon() {
	svc := marathon.New(marathon.Config{
		Store:     n.store,
		Master:    n.master,
		Logger:    n.log,
		LeaderURL: n.leaderURL(n.cfg.MarathonPort),
		Hostname:  n.cfg.Advertise,
		Port:      n.cfg.MarathonPort,
		MasterURL: n.scheme(n.cfg.MasterPort) + "://" + n.cfg.AdvertiseAddr(n.cfg.MasterPort),
		TLS:       n.sec.tls != nil,

		ProxyTransport: n.sec.proxy,
		Abdicate:       n.store.LeadershipTransfer,
	})
	svc.Mount(n.routes.Marathon)
	n.AddLeaderOnly(svc)
}
