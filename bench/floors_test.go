package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
	"github.com/mesosbox/mesosbox/store"
	"github.com/mesosbox/mesosbox/store/storetest"
)

// The floors of the layers under the pipeline: a write through the store
// beside bare hashicorp/raft, and a task run to its exit by the executor
// alone beside fork/exec and the containerd client.

// quiet drops the store's logs, which would break up the table.
var quiet = storetest.Quiet

type benchPut struct{ K, V string }

func (benchPut) CommandType() string { return "bench.put" }

func init() {
	store.Register(func(tx *bolt.Tx, c benchPut) (any, error) {
		bk, err := tx.CreateBucketIfNotExists([]byte("bench"))
		if err != nil {
			return nil, err
		}
		return nil, bk.Put([]byte(c.K), []byte(c.V))
	})
}

func freeAddr(b testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// leadingStore is a one-node store on a temporary directory, leading;
// it is closed at the end of the benchmark.
func leadingStore(b testing.TB) *store.Store {
	st, err := store.Open(store.Config{Dir: b.TempDir(), NodeID: "bench", Bind: freeAddr(b), Bootstrap: true, Timeouts: store.FastTimeouts, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	for !st.IsLeader() {
		time.Sleep(5 * time.Millisecond)
	}
	return st
}

// storeApply is mesosbox's write path: a typed command through Raft into
// the bbolt state machine, one at a time.
func storeApply(b testing.TB, n int) sample {
	st := leadingStore(b)
	s, err := measure("store.Apply (raft + bbolt FSM)", n, func(i int) error {
		_, err := st.Apply(context.Background(), benchPut{K: fmt.Sprint(i), V: "value"})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

type nopFSM struct{}

func (nopFSM) Apply(*raft.Log) interface{}         { return nil }
func (nopFSM) Snapshot() (raft.FSMSnapshot, error) { return nil, errors.New("no snapshots") }
func (nopFSM) Restore(io.ReadCloser) error         { return nil }

// bareRaftApply is the consensus floor: hashicorp/raft with raft-boltdb on
// the same disk and an FSM that does nothing.
func bareRaftApply(b testing.TB, n int) sample {
	r := bareRaft(b)
	defer r.Shutdown()
	s, err := measure("hashicorp/raft Apply, no-op FSM", n, func(i int) error {
		return r.Apply([]byte(fmt.Sprintf(`{"k":"%d","v":"value"}`, i)), 10*time.Second).Error()
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func runToExit(e executor.Executor, b testing.TB, i int, image string) error {
	dir := filepath.Join(b.TempDir(), "sandbox")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t, err := e.Launch(context.Background(), executor.Spec{TaskID: fmt.Sprintf("bench-%s-%d", e.Name(), i), Sandbox: dir,
		Command: "true", Shell: false, Image: image})
	if err != nil {
		return err
	}
	<-t.Done()
	if x := t.Exit(); x.Code != 0 {
		return fmt.Errorf("exit %+v", x)
	}
	return t.Remove(context.Background())
}

func processExecutor(b testing.TB, n int) sample {
	e, err := executor.New(context.Background(), executor.Options{Mode: executor.ModeProcess, StateDir: b.TempDir(), Namespace: "mesosbox-bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s, err := measure("process executor: launch true, wait", n, func(i int) error { return runToExit(e, b, i, "") })
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func forkExecWait(b testing.TB, n int) sample {
	s, err := measure("fork/exec /bin/true, wait", n, func(int) error { return exec.Command("/bin/true").Run() })
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func containerdExecutor(b testing.TB, sock, ns string, n int) sample {
	e, err := executor.New(context.Background(), executor.Options{Mode: executor.ModeContainerd, Socket: sock, Namespace: ns, StateDir: b.TempDir(), Offline: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s, err := measure("containerd executor: busybox true", n, func(i int) error { return runToExit(e, b, i, "busybox") })
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// containerdClient is the container floor: the containerd Go client
// creating, starting, waiting for and deleting the same image's container.
func containerdClient(b testing.TB, sock, ns string, n int) sample {
	c, err := client.New(sock)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := namespaces.WithNamespace(context.Background(), ns)
	img, err := c.GetImage(ctx, containerdtest.BusyboxRef)
	if err != nil {
		b.Fatal(err)
	}
	s, err := measure("containerd client: busybox true", n, func(i int) error {
		id := fmt.Sprintf("floor-%d", i)
		ctr, err := c.NewContainer(ctx, id, client.WithNewSnapshot(id, img), client.WithNewSpec(oci.WithImageConfig(img), oci.WithProcessArgs("true")))
		if err != nil {
			return err
		}
		defer ctr.Delete(ctx, client.WithSnapshotCleanup)
		task, err := ctr.NewTask(ctx, cio.NullIO)
		if err != nil {
			return err
		}
		exit, err := task.Wait(ctx)
		if err != nil {
			return err
		}
		if err := task.Start(ctx); err != nil {
			return err
		}
		<-exit
		_, err = task.Delete(ctx)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
