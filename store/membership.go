package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Member is one server of the Raft configuration as this node sees it.
type Member struct {
	ID     string `json:"name"`
	Addr   string `json:"address"`
	Voter  bool   `json:"voter"`
	Leader bool   `json:"leader"`
}

// Members lists the servers of the latest Raft configuration.
func (s *Store) Members() ([]Member, error) {
	r := s.raft()
	f := r.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("store: configuration: %w", err)
	}
	_, leaderID := r.LeaderWithID()
	var out []Member
	for _, srv := range f.Configuration().Servers {
		out = append(out, Member{
			ID:     string(srv.ID),
			Addr:   string(srv.Address),
			Voter:  srv.Suffrage == raft.Voter,
			Leader: srv.ID == leaderID,
		})
	}
	return out, nil
}

// AddVoter adds (or re-adds with a new address) a voting member. Only the
// leader can do it.
func (s *Store) AddVoter(id, addr string) error {
	// A cluster of more than one needs timeouts that tolerate a network.
	if err := s.useClusterTimeouts(); err != nil {
		return err
	}
	return s.raft().AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, 10*time.Second).Error()
}

// useClusterTimeouts replaces a Raft instance running with SoloTimeouts by
// one with the configured timeouts, before a second voter is added. Only
// the heartbeat and election timeouts can be reloaded; the leader lease
// cannot, so the instance is shut down and started again on the same log,
// state and snapshots (the state machine skips the entries it holds). The
// node loses leadership for one election — once in a cluster's life.
func (s *Store) useClusterTimeouts() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if !s.solo || s.closed {
		return nil
	}
	s.logger.Info("a second member joins: restarting Raft with the cluster's timeouts",
		"heartbeat", s.cfg.Timeouts.Heartbeat, "lease", s.cfg.Timeouts.LeaderLease)
	if err := s.raft().Shutdown().Error(); err != nil { // closes the transport
		return fmt.Errorf("store: stop solo raft: %w", err)
	}
	trans, err := s.newTransport(s.adv, s.hlog)
	if err != nil {
		return fmt.Errorf("store: raft transport on %s: %w", s.cfg.Bind, err)
	}
	r, err := raft.NewRaft(s.raftConfig(s.cfg.Timeouts), s.fsm, s.glogs, s.glogs, s.snaps, trans)
	if err != nil {
		trans.Close()
		return fmt.Errorf("store: restart raft: %w", err)
	}
	s.trans = trans
	s.rp.Store(r)
	s.solo = false
	// The configuration still has one voter: it elects itself again.
	deadline := time.Now().Add(10*s.cfg.Timeouts.Election + 10*time.Second)
	for r.State() != raft.Leader {
		if time.Now().After(deadline) {
			return errors.New("store: raft did not lead again after the restart")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// RemoveServer takes a member out of the configuration.
func (s *Store) RemoveServer(id string) error {
	return s.raft().RemoveServer(raft.ServerID(id), 0, 10*time.Second).Error()
}

// State is this node's Raft state: Leader, Follower, Candidate or Shutdown.
func (s *Store) State() string { return s.raft().State().String() }

// ErrSoleVoter is returned by LeadershipTransfer when no other voter could
// take over: a one-node cluster keeps its leader.
var ErrSoleVoter = errors.New("store: no other voter to transfer leadership to")

// LeadershipTransfer hands leadership to another voter and waits until it
// took over (or the transfer failed). Only the leader can do it.
func (s *Store) LeadershipTransfer() error {
	f := s.raft().GetConfiguration()
	if err := f.Error(); err != nil {
		return fmt.Errorf("store: configuration: %w", err)
	}
	others := 0
	for _, srv := range f.Configuration().Servers {
		if srv.Suffrage == raft.Voter && srv.ID != raft.ServerID(s.cfg.NodeID) {
			others++
		}
	}
	if others == 0 {
		return ErrSoleVoter
	}
	if err := s.raft().LeadershipTransfer().Error(); err != nil {
		return fmt.Errorf("store: leadership transfer: %w", err)
	}
	return nil
}
