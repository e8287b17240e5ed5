package viewcache

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Requests that arrive while a render runs share the one render that
// starts after it, never the one already running (it may predate them).
func TestRenderCoalescesAfterArrival(t *testing.T) {
	var v Views
	var gen, runs atomic.Uint64
	release := make(chan struct{})
	started := make(chan struct{})
	render := func() (uint64, []byte, error) {
		g, n := gen.Load(), runs.Add(1) // the state render n saw
		if n == 1 {
			close(started)
			<-release
		}
		return g, []byte(strconv.Itoa(int(n))), nil
	}
	first := make(chan string)
	go func() {
		b, _ := v.Render("/state", gen.Load, render)
		first <- string(b.Plain)
	}()
	<-started
	gen.Add(1) // the state changes while render 1 runs
	const waiters = 10
	var wg sync.WaitGroup
	results := make(chan string, waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := v.Render("/state", gen.Load, render)
			results <- string(b.Plain)
		}()
	}
	// Every waiter is queued behind the running render before it ends.
	for {
		v.mu.Lock()
		queued := v.pending["/state"] != nil
		v.mu.Unlock()
		if queued {
			break
		}
	}
	close(release)
	if got := <-first; got != "1" {
		t.Fatalf("first caller got render %s", got)
	}
	wg.Wait()
	close(results)
	for got := range results {
		if got == "1" {
			t.Fatal("a request that came during render 1 was answered with it")
		}
	}
	if n := runs.Load(); n > 1+waiters || n < 2 {
		t.Fatalf("%d renders", n)
	}
	if b, _ := v.Render("/other", gen.Load, render); len(b.Plain) == 0 {
		t.Fatal("another view does not render")
	}
}

// A view is rendered once per generation: reads at an unchanged
// generation reuse the body, the first read after a change renders anew.
func TestRenderOncePerGeneration(t *testing.T) {
	var v Views
	var mu Mutex
	state, runs := 0, 0
	render := func() (uint64, []byte, error) {
		mu.Lock()
		defer mu.UnlockRead()
		runs++
		return mu.Gen(), []byte(strconv.Itoa(state)), nil
	}
	read := func() string {
		b, err := v.Render("k", mu.Gen, render)
		if err != nil {
			t.Fatal(err)
		}
		return string(b.Plain)
	}
	if read() != "0" || read() != "0" || runs != 1 {
		t.Fatalf("two reads of an unchanged state: %d renders", runs)
	}
	mu.Lock()
	state = 7
	mu.Unlock()
	if got := read(); got != "7" {
		t.Fatalf("read after a change: %s, want 7", got)
	}
	mu.Lock()
	_ = state
	mu.UnlockRead()
	if read(); runs != 2 {
		t.Fatalf("a read-only section caused a render (%d renders)", runs)
	}
}

// Concurrent readers during writes always see a state at least as new as
// the last write that returned before their read began.
func TestRenderConcurrentWithWrites(t *testing.T) {
	var v Views
	var mu Mutex
	state := 0
	render := func() (uint64, []byte, error) {
		mu.Lock()
		g, s := mu.Gen(), state
		mu.UnlockRead()
		return g, []byte(strconv.Itoa(s)), nil
	}
	var written atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= 2000; i++ {
			mu.Lock()
			state = i
			mu.Unlock()
			written.Store(int64(i))
		}
		close(stop)
	}()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := written.Load()
				b, err := v.Render("k", mu.Gen, render)
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := strconv.Atoi(string(b.Plain)); int64(got) < floor {
					t.Errorf("read %d after write %d returned", got, floor)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestKeepIsBounded(t *testing.T) {
	var v Views
	for i := range 3 * maxViews {
		v.keep(strconv.Itoa(i), &Body{})
	}
	if len(v.last) > maxViews {
		t.Fatalf("%d views kept", len(v.last))
	}
}

func TestWriteGzipDecodesToPlain(t *testing.T) {
	plain := []byte(`{"tasks":[` + strings.Repeat(`{"id":"task","state":"TASK_RUNNING"},`, 200) + `{}]}`)
	b := &Body{Plain: plain}
	for _, tc := range []struct {
		accept string
		gzip   bool
	}{
		{"", false}, {"gzip", true}, {"deflate, gzip;q=0.5", true}, {"gzip;q=0", false},
		{"*", true}, {"gzip;q=0, *", false}, {"identity", false}, {"br, GZIP", true},
	} {
		req := httptest.NewRequest("GET", "/master/state", nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		w := httptest.NewRecorder()
		Write(w, req, "application/json", b)
		res := w.Result()
		if res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%q: headers %v", tc.accept, res.Header)
		}
		got := w.Body.Bytes()
		if tc.gzip {
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%q: not gzipped", tc.accept)
			}
			got = gunzip(t, got)
		} else if res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%q: gzipped", tc.accept)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("%q: body differs from the plain one", tc.accept)
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
			t.Fatalf("%q: Content-Length %s for %d bytes", tc.accept, res.Header.Get("Content-Length"), w.Body.Len())
		}
	}
}

// A body too small to gain from compression goes out plain.
func TestWriteSmallBodyPlain(t *testing.T) {
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	Write(w, req, "application/json", &Body{Plain: []byte(`{}`)})
	if w.Result().Header.Get("Content-Encoding") != "" || w.Body.String() != `{}` {
		t.Fatalf("small body: %v %q", w.Result().Header, w.Body.String())
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
