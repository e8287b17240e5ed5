package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var testBucket = []byte("test")

// putCmd is a command used only by these tests: it stores key=value and
// refuses an empty key without writing anything.
type putCmd struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

func (putCmd) CommandType() string { return "test.put" }

func init() {
	Register(func(tx *bolt.Tx, c putCmd) (any, error) {
		if c.Key == "" {
			return nil, errors.New("empty key")
		}
		b, err := tx.CreateBucketIfNotExists(testBucket)
		if err != nil {
			return nil, err
		}
		return len(c.Value), b.Put([]byte(c.Key), []byte(c.Value))
	})
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func openTest(t testing.TB, dir, id, addr string, bootstrap bool) *Store {
	t.Helper()
	s, err := Open(Config{Dir: dir, NodeID: id, Bind: addr, Bootstrap: bootstrap, Timeouts: FastTimeouts})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitLeader(t testing.TB, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !s.IsLeader() {
		select {
		case <-ctx.Done():
			t.Fatal("no leadership")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func get(t testing.TB, s *Store, key string) (string, bool) {
	t.Helper()
	var v []byte
	err := s.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(testBucket); b != nil {
			v = append([]byte(nil), b.Get([]byte(key))...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(v), v != nil
}

func TestApplyAndRead(t *testing.T) {
	s := openTest(t, t.TempDir(), "n1", freePort(t), true)
	defer s.Close()
	waitLeader(t, s)
	res, err := s.Apply(context.Background(), putCmd{Key: "a", Value: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if res.(int) != 5 {
		t.Fatalf("response = %v, want 5", res)
	}
	if v, _ := get(t, s, "a"); v != "hello" {
		t.Fatalf("read %q", v)
	}
	// A refused command returns its error and writes nothing.
	if _, err := s.Apply(context.Background(), putCmd{Value: "x"}); err == nil || !strings.Contains(err.Error(), "empty key") {
		t.Fatalf("want empty key error, got %v", err)
	}
}

func TestLeaderChannel(t *testing.T) {
	s := openTest(t, t.TempDir(), "n1", freePort(t), true)
	defer s.Close()
	select {
	case v := <-s.LeaderCh():
		if !v {
			t.Fatal("first notification should be leadership gained")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no leadership notification")
	}
}

func TestRestartRecovers(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	s := openTest(t, dir, "n1", addr, true)
	waitLeader(t, s)
	for i := 0; i < 50; i++ {
		if _, err := s.Apply(context.Background(), putCmd{Key: fmt.Sprint(i), Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, "n1", addr, true)
	defer s.Close()
	waitLeader(t, s)
	for i := 0; i < 50; i++ {
		if _, ok := get(t, s, fmt.Sprint(i)); !ok {
			t.Fatalf("key %d lost across restart", i)
		}
	}
	if _, err := s.Apply(context.Background(), putCmd{Key: "after", Value: "v"}); err != nil {
		t.Fatal(err)
	}
}

// TestSurvivesKill9 writes from a child process that is killed with SIGKILL
// in the middle of writing; every write the child saw acknowledged must be
// there when the store is reopened.
func TestSurvivesKill9(t *testing.T) {
	if os.Getenv("STORE_KILL_CHILD") != "" {
		runKillChild()
		return
	}
	dir, addr := t.TempDir(), freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSurvivesKill9$")
	cmd.Env = append(os.Environ(), "STORE_KILL_CHILD=1", "STORE_DIR="+dir, "STORE_ADDR="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 1<<16)
	acked := -1
	chunk := make([]byte, 4096)
	for acked < 200 {
		n, err := out.Read(chunk)
		if err != nil {
			t.Fatalf("child stopped early: %v (%s)", err, buf)
		}
		buf = append(buf, chunk[:n]...)
		lines := strings.Split(string(buf), "\n")
		for _, l := range lines[:len(lines)-1] {
			if i, err := strconv.Atoi(strings.TrimPrefix(l, "ack ")); err == nil && strings.HasPrefix(l, "ack ") {
				acked = i
			}
		}
	}
	_ = cmd.Process.Kill() // SIGKILL while the child keeps writing
	_ = cmd.Wait()
	s := openTest(t, dir, "n1", addr, true)
	defer s.Close()
	waitLeader(t, s)
	for i := 0; i <= acked; i++ {
		if _, ok := get(t, s, strconv.Itoa(i)); !ok {
			t.Fatalf("acknowledged write %d of %d lost after kill -9", i, acked)
		}
	}
}

func runKillChild() {
	s, err := Open(Config{Dir: os.Getenv("STORE_DIR"), NodeID: "n1", Bind: os.Getenv("STORE_ADDR"), Bootstrap: true, Timeouts: FastTimeouts})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for !s.IsLeader() {
		time.Sleep(5 * time.Millisecond)
	}
	for i := 0; ; i++ {
		if _, err := s.Apply(context.Background(), putCmd{Key: strconv.Itoa(i), Value: "v"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", i)
	}
}

// TestSnapshotRestoreLostState deletes the state database behind a
// snapshot: the store must rebuild it from the snapshot plus the log.
func TestSnapshotRestoreLostState(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	s := openTest(t, dir, "n1", addr, true)
	waitLeader(t, s)
	for i := 0; i < 20; i++ {
		s.Apply(context.Background(), putCmd{Key: fmt.Sprint(i), Value: "before"})
	}
	if err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	s.Apply(context.Background(), putCmd{Key: "late", Value: "after-snapshot"})
	s.Close()
	if err := os.Remove(filepath.Join(dir, "state.db")); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, "n1", addr, true)
	defer s.Close()
	waitLeader(t, s)
	if err := s.Barrier(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if v, _ := get(t, s, fmt.Sprint(i)); v != "before" {
			t.Fatalf("key %d = %q after restore", i, v)
		}
	}
	if v, _ := get(t, s, "late"); v != "after-snapshot" {
		t.Fatalf("entry after the snapshot = %q", v)
	}
}

// TestSnapshotInstallOnFreshNode adds an empty node to a cluster whose log
// was compacted: the leader must ship its bbolt snapshot, and the new node
// must serve the same data.
func TestSnapshotInstallOnFreshNode(t *testing.T) {
	a, err := Open(Config{Dir: t.TempDir(), NodeID: "a", Bind: freePort(t), Bootstrap: true, Timeouts: FastTimeouts, TrailingLogs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	waitLeader(t, a)
	for i := 0; i < 30; i++ {
		a.Apply(context.Background(), putCmd{Key: fmt.Sprint(i), Value: "x"})
	}
	if err := a.Snapshot(); err != nil {
		t.Fatal(err)
	}
	bAddr := freePort(t)
	b := openTest(t, t.TempDir(), "b", bAddr, false)
	defer b.Close()
	if err := a.AddVoter("b", bAddr); err != nil {
		t.Fatal(err)
	}
	// While b installs the snapshot the two-voter cluster may lose its
	// quorum for a moment (50 ms test timeouts on a busy machine) and
	// re-elect; the write goes through the leader of the moment.
	applyEventually(t, putCmd{Key: "tail", Value: "y"}, a, b)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v, _ := get(t, b, "tail"); v == "y" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fresh node never caught up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 30; i++ {
		if _, ok := get(t, b, fmt.Sprint(i)); !ok {
			t.Fatalf("key %d missing on the fresh node", i)
		}
	}
	members, _ := a.Members()
	if len(members) != 2 {
		t.Fatalf("members = %+v", members)
	}
	follower := b
	if b.IsLeader() {
		follower = a
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	follower.WaitLeader(ctx)
	if _, err := follower.Apply(context.Background(), putCmd{Key: "z", Value: "z"}); err == nil {
		t.Fatal("a follower must refuse writes")
	} else if nl := (*ErrNotLeader)(nil); !errors.As(err, &nl) || nl.Leader == "" {
		t.Fatalf("want ErrNotLeader with the leader address, got %v", err)
	}
}

func applyEventually(t *testing.T, cmd Command, nodes ...*Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		for _, n := range nodes {
			if n.IsLeader() {
				if _, err = n.Apply(context.Background(), cmd); err == nil {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no leader took the write: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUnknownEncodingRejected(t *testing.T) {
	if _, err := applyEncoded(nil, []byte{9, '{', '}'}); err == nil {
		t.Fatal("unknown encoding accepted")
	}
	raw := append([]byte{encodingV1}, []byte(`{"t":"nope","d":{}}`)...)
	if _, err := applyEncoded(nil, raw); !errors.Is(err, ErrUnknownCommand) {
		t.Fatalf("want ErrUnknownCommand, got %v", err)
	}
}

func BenchmarkApply(b *testing.B) {
	s := openTest(b, b.TempDir(), "n1", freePort(b), true)
	defer s.Close()
	waitLeader(b, s)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := s.Apply(context.Background(), putCmd{Key: strconv.Itoa(i), Value: "v"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
