package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A founding node runs with SoloTimeouts; adding a second voter restarts
// its Raft with the configured ones, on the same log and state: nothing
// written before is lost, the leader leads again, and the pair replicates.
func TestFirstJoinRestartsRaftWithClusterTimeouts(t *testing.T) {
	aAddr := freePort(t)
	a := openTest(t, t.TempDir(), "a", aAddr, true)
	defer a.Close()
	if !a.solo {
		t.Fatal("a bootstrapped node must start with the solo timeouts")
	}
	waitLeader(t, a)
	before := a.raft()
	for i := range 20 {
		if _, err := a.Apply(context.Background(), putCmd{Key: fmt.Sprint(i), Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}

	bAddr := freePort(t)
	b := openTest(t, t.TempDir(), "b", bAddr, false)
	defer b.Close()
	if b.solo {
		t.Fatal("a node waiting to join is not solo")
	}
	if err := a.AddVoter("b", bAddr); err != nil {
		t.Fatal(err)
	}
	if a.solo || a.raft() == before {
		t.Fatal("the founding node still runs its solo Raft after a second voter joined")
	}
	// Adding a third voter does not restart again.
	after := a.raft()
	cAddr := freePort(t)
	c := openTest(t, t.TempDir(), "c", cAddr, false)
	defer c.Close()
	applyEventually(t, putCmd{Key: "tail", Value: "t"}, a, b)
	if leader := leaderOf(t, a, b); leader == a {
		if err := a.AddVoter("c", cAddr); err != nil {
			t.Fatal(err)
		}
		if a.raft() != after {
			t.Fatal("a second join restarted Raft again")
		}
	}
	for _, s := range []*Store{a, b} {
		waitFor(t, func() bool { v, _ := get(t, s, "tail"); return v == "t" })
		for i := range 20 {
			if v, _ := get(t, s, fmt.Sprint(i)); v != "v" {
				t.Fatalf("%s lost key %d across the restart", s.NodeID(), i)
			}
		}
	}
}

func leaderOf(t *testing.T, nodes ...*Store) *Store {
	t.Helper()
	var found *Store
	waitFor(t, func() bool {
		for _, n := range nodes {
			if n.IsLeader() {
				found = n
				return true
			}
		}
		return false
	})
	return found
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 15 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
