package store

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func readTest(t *testing.T, s *Store, key string) string {
	t.Helper()
	var v string
	if err := s.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(testBucket); b != nil {
			v = string(b.Get([]byte(key)))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestApplyBatchKeepsOrderAndIsolatesFailures(t *testing.T) {
	s := openTest(t, t.TempDir(), "n1", freePort(t), true)
	defer s.Close()
	waitLeader(t, s)
	// More than one entry's worth, with a refused command in the middle
	// and later writes of the same key that must win.
	var cmds []Command
	for i := range maxBatch + 10 {
		cmds = append(cmds, putCmd{Key: "k" + strconv.Itoa(i%7), Value: strconv.Itoa(i)})
	}
	cmds[3] = putCmd{Key: "", Value: "refused"}
	res, err := s.ApplyBatch(context.Background(), cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(cmds) {
		t.Fatalf("%d results for %d commands", len(res), len(cmds))
	}
	if e, ok := res[3].(error); !ok || e.Error() != "empty key" {
		t.Fatalf("refused command: want its error, got %#v", res[3])
	}
	if res[4] != 1 { // putCmd answers the length of its value
		t.Fatalf("result of command 4: %#v", res[4])
	}
	for k := range 7 {
		want := ""
		for i := len(cmds) - 1; i >= 0; i-- {
			if c := cmds[i].(putCmd); c.Key == "k"+strconv.Itoa(k) {
				want = c.Value
				break
			}
		}
		if got := readTest(t, s, "k"+strconv.Itoa(k)); got != want {
			t.Fatalf("k%d = %q, want the last write %q", k, got, want)
		}
	}
}

func TestApplyBatchSurvivesRestart(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	s := openTest(t, dir, "n1", addr, true)
	waitLeader(t, s)
	if _, err := s.ApplyBatch(context.Background(), []Command{putCmd{Key: "a", Value: "1"}, putCmd{Key: "b", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, "n1", addr, false)
	defer s.Close()
	if got := readTest(t, s, "a") + readTest(t, s, "b"); got != "12" {
		t.Fatalf("after restart: %q", got)
	}
}

func TestApplyBatchOnFollowerIsNotLeader(t *testing.T) {
	s := openTest(t, t.TempDir(), "n1", freePort(t), false) // never bootstrapped: a follower
	defer s.Close()
	_, err := s.ApplyBatch(context.Background(), []Command{putCmd{Key: "a", Value: "1"}})
	if _, ok := err.(*ErrNotLeader); !ok {
		t.Fatalf("want *ErrNotLeader, got %v", err)
	}
}

// BenchmarkStatusUpdates is the state-write figure: b.N task status
// updates (a task record of realistic size each) committed through Raft by
// 64 writers that batch what they have, as the master's registry writer
// does. Compare with BenchmarkApply (one command per entry).
func BenchmarkStatusUpdates(b *testing.B) {
	s := openTest(b, b.TempDir(), "n1", freePort(b), true)
	defer s.Close()
	waitLeader(b, s)
	value := fmt.Sprintf("%0400d", 0) // a TaskStatus with its ids is a few hundred bytes
	const writers, perBatch = 64, 16
	b.ResetTimer()
	work := make(chan int, writers)
	errs := make(chan error, writers)
	for range writers {
		go func() {
			var err error
			for n := range work {
				cmds := make([]Command, perBatch)
				for i := range cmds {
					cmds[i] = putCmd{Key: strconv.Itoa(n*perBatch + i), Value: value}
				}
				if err == nil {
					_, err = s.ApplyBatch(context.Background(), cmds)
				}
			}
			errs <- err
		}()
	}
	for n := range (b.N + perBatch - 1) / perBatch {
		work <- n
	}
	close(work)
	for range writers {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
