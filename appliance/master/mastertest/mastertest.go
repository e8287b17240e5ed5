// Package mastertest starts a real Mesos master on a real one-node store
// for the tests of the frameworks built on it.
package mastertest

import (
	"context"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/store"
	"github.com/mesosbox/mesosbox/store/storetest"
)

// Start runs a master on st (a fresh store when nil) with a quick
// allocation interval; tune changes the configuration before the start.
// The master stops at the end of the test.
func Start(t testing.TB, st *store.Store, tune func(*master.Config)) *master.Master {
	t.Helper()
	if st == nil {
		st = storetest.Open(t)
	}
	cfg := master.Config{Store: st, Logger: storetest.Quiet, Hostname: "127.0.0.1", Port: 5050, AllocationInterval: 20 * time.Millisecond}
	if tune != nil {
		tune(&cfg)
	}
	m := master.New(cfg)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop(context.Background()) })
	return m
}
