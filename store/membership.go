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
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("store: configuration: %w", err)
	}
	_, leaderID := s.raft.LeaderWithID()
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
	return s.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, 10*time.Second).Error()
}

func (s *Store) useClusterTimeouts() error {
	rc := s.raft.ReloadableConfig()
	if rc.HeartbeatTimeout >= s.cfg.Timeouts.Heartbeat {
		return nil
	}
	rc.HeartbeatTimeout = s.cfg.Timeouts.Heartbeat
	rc.ElectionTimeout = s.cfg.Timeouts.Election
	return s.raft.ReloadConfig(rc)
}

// RemoveServer takes a member out of the configuration.
func (s *Store) RemoveServer(id string) error {
	return s.raft.RemoveServer(raft.ServerID(id), 0, 10*time.Second).Error()
}

// State is this node's Raft state: Leader, Follower, Candidate or Shutdown.
func (s *Store) State() string { return s.raft.State().String() }

// ErrSoleVoter is returned by LeadershipTransfer when no other voter could
// take over: a one-node cluster keeps its leader.
var ErrSoleVoter = errors.New("store: no other voter to transfer leadership to")

// LeadershipTransfer hands leadership to another voter and waits until it
// took over (or the transfer failed). Only the leader can do it.
func (s *Store) LeadershipTransfer() error {
	f := s.raft.GetConfiguration()
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
	if err := s.raft.LeadershipTransfer().Error(); err != nil {
		return fmt.Errorf("store: leadership transfer: %w", err)
	}
	return nil
}
