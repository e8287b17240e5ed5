// Package storetest opens real one-node stores for tests: Raft on a free
// loopback port with fast timeouts, bbolt in a temp dir, already leading.
package storetest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/store"
)

// Quiet is a logger that drops everything, for components under test.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// FreeAddr is an unused 127.0.0.1 host:port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Open returns a store that leads its own one-voter cluster; it is closed
// at the end of the test.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Config{Dir: t.TempDir(), NodeID: "n1", Bind: FreeAddr(t), Bootstrap: true,
		Timeouts: store.FastTimeouts, Logger: Quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !st.IsLeader() {
		if ctx.Err() != nil {
			t.Fatal("the test store never became leader")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return st
}
