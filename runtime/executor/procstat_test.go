package executor

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	line := "4242 (a (weird) name) S 17 4242 4242 0 -1 4194560 120 0 0 0 250 75 0 0 20 0 1 0 9000 10240000 321 18446744073709551615"
	st, ok := parseProcStat(line)
	if !ok || st.ppid != 17 || st.utime != 250 || st.stime != 75 || st.rssPages != 321 {
		t.Fatalf("%+v %v", st, ok)
	}
	if _, ok := parseProcStat("4242 (cut"); ok {
		t.Fatal("a cut line parsed")
	}
}

// A shell that burns some CPU in a child and then sleeps: the tree's
// usage counts the child's time and everyone's memory.
func TestTreeUsage(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", `sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 100' & wait`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		pt, err := ReadProcessTable()
		if err != nil {
			t.Fatal(err)
		}
		u, ok := pt.TreeUsage(cmd.Process.Pid)
		if !ok {
			t.Fatal("the shell is not in the table")
		}
		if u.User+u.System >= 200*time.Millisecond && u.RSSBytes > 0 {
			t.Logf("usage %+v", u)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage %+v after 30 s", u)
		}
		time.Sleep(50 * time.Millisecond)
	}
	pt, _ := ReadProcessTable()
	if _, ok := pt.TreeUsage(1 << 30); ok {
		t.Fatal("usage of a pid that does not exist")
	}
	self, _ := pt.TreeUsage(os.Getpid())
	if self.RSSBytes == 0 {
		t.Fatal("no memory for the test process")
	}
}
