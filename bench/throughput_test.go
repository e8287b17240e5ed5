package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/store"
)

// A rate is a throughput figure: how many operations per second, and
// against which floor.
type rate struct {
	what, name, floorName string
	n                     int
	perSec, floorPerSec   float64
}

// entry is the rate's line in the report, against a target of at least
// minPerSec.
func (r rate) entry(minPerSec float64) entry {
	return entry{what: r.what + ": " + r.name, n: r.n, median: fmt.Sprintf("%.0f/s", r.perSec),
		base: r.floorName, baseMedian: fmt.Sprintf("%.0f/s", r.floorPerSec), ratio: r.perSec / r.floorPerSec,
		target: fmt.Sprintf(">= %.0f/s", minPerSec), met: verdict(r.perSec >= minPerSec)}
}

// concurrently runs n operations from `writers` goroutines, each op
// handling a batch of `per` items, and returns items per second.
func concurrently(n, writers, per int, op func(first, count int) error) (float64, error) {
	work := make(chan int, writers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range work {
				if err := op(first, min(per, n-first)); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for first := 0; first < n; first += per {
		work <- first
	}
	close(work)
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), firstErr
}

// statusWrites is the state-write figure: task status updates of a
// realistic size committed through the store by 64 writers that batch
// what they have (16 a batch), as the master's registry writer does; the
// floor is bare hashicorp/raft with a no-op FSM, one update per entry,
// from as many concurrent appliers (raft batches those itself).
func statusWrites(b testing.TB, n int) rate {
	const writers, per = 64, 16
	value := strings.Repeat("s", 400) // a TaskStatus with its ids is a few hundred bytes
	st := leadingStore(b)
	ours, err := concurrently(n, writers, per, func(first, count int) error {
		cmds := make([]store.Command, count)
		for i := range cmds {
			cmds[i] = benchPut{K: strconv.Itoa(first + i), V: value}
		}
		_, err := st.ApplyBatch(context.Background(), cmds)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	var stored int
	if err := st.View(func(tx *bolt.Tx) error {
		stored = tx.Bucket([]byte("bench")).Stats().KeyN
		return nil
	}); err != nil || stored != n {
		b.Fatalf("%d updates stored of %d (%v)", stored, n, err)
	}
	r := bareRaft(b)
	defer r.Shutdown()
	floor, err := concurrently(n, writers*per, 1, func(first, _ int) error {
		return r.Apply([]byte(`{"k":"`+strconv.Itoa(first)+`","v":"`+value+`"}`), 10*time.Second).Error()
	})
	if err != nil {
		b.Fatal(err)
	}
	return rate{what: "state writes", name: "store.ApplyBatch, 64 writers x 16", n: n, perSec: ours,
		floorName: "hashicorp/raft Apply, no-op FSM, 1024 writers", floorPerSec: floor}
}

// bareRaft is a one-voter hashicorp/raft with raft-boltdb on the same
// disk and an FSM that does nothing, already leading.
func bareRaft(b testing.TB) *raft.Raft {
	dir := b.TempDir()
	logs, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(dir, "raft.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logs.Close() })
	trans, err := raft.NewTCPTransport(freeAddr(b), nil, 3, time.Second, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { trans.Close() })
	cfg := raft.DefaultConfig()
	cfg.LocalID = "bare"
	cfg.LogOutput = io.Discard
	cfg.HeartbeatTimeout, cfg.ElectionTimeout, cfg.LeaderLeaseTimeout, cfg.CommitTimeout = 50*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond, 5*time.Millisecond
	snaps := raft.NewInmemSnapshotStore()
	if err := raft.BootstrapCluster(cfg, logs, logs, snaps, trans, raft.Configuration{Servers: []raft.Server{{ID: "bare", Address: trans.LocalAddr()}}}); err != nil {
		b.Fatal(err)
	}
	r, err := raft.NewRaft(cfg, nopFSM{}, logs, logs, snaps, trans)
	if err != nil {
		b.Fatal(err)
	}
	for r.State() != raft.Leader {
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

// BenchmarkStateWrites prints the state-write row of the report on its
// own (b.N is ignored: run it with -benchtime 1x).
func BenchmarkStateWrites(b *testing.B) {
	printEntries(os.Stdout, []entry{statusWrites(b, full.statusUpdates).entry(5000)})
}
