// Package streamtest holds what the slow-consumer tests of the event
// streams (Marathon's /v2/events, the Mesos operator SUBSCRIBE) share: a
// client that subscribes and never reads, and the checks that it was cut
// off without the node keeping what it missed.
package streamtest

import (
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Silent connects to baseURL ("http://host:port"), sends a raw HTTP
// request and never reads. Its receive buffer is fixed (no autotuning to
// megabytes), so the server's writes block after a few hundred KiB.
func Silent(t testing.TB, baseURL, request string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.(*net.TCPConn).SetReadBuffer(64 << 10)
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	return c
}

// HeapInUse is the heap in use after a garbage collection.
func HeapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// CheckCutOff checks that the heap did not grow by more than slack
// between two measurements and that the server closed the silent
// connection: reading what the kernel buffered for it ends.
func CheckCutOff(t testing.TB, silent net.Conn, before, after, slack uint64) {
	t.Helper()
	if after > before+slack {
		t.Errorf("heap grew from %d to %d bytes while the silent client read nothing", before, after)
	}
	// The minute only bounds a broken run.
	_ = silent.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.Copy(io.Discard, silent); err != nil {
		t.Errorf("the silent client's connection was not closed: %v", err)
	}
}
