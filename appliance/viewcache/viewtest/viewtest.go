// Package viewtest helps the tests of cached views: GETs that see the
// answer as sent, and readers racing writers.
package viewtest

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"sync"
	"testing"
)

// Get GETs url with the Accept-Encoding given and without the client's
// transparent decompression. It returns the status, the Content-Encoding,
// the body as sent and the body decoded (the same bytes when not gzipped).
// Failures are reported with t.Error, so that reader goroutines may call it.
func Get(t testing.TB, url, acceptEncoding string) (code int, encoding string, sent, body []byte) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Error(err)
		return 0, "", nil, nil
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", nil, nil
	}
	defer resp.Body.Close()
	sent, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	encoding = resp.Header.Get("Content-Encoding")
	if encoding != "gzip" {
		return resp.StatusCode, encoding, sent, sent
	}
	zr, err := gzip.NewReader(bytes.NewReader(sent))
	if err != nil {
		t.Error(err)
		return resp.StatusCode, encoding, sent, nil
	}
	if body, err = io.ReadAll(zr); err != nil {
		t.Error(err)
	}
	return resp.StatusCode, encoding, sent, body
}

// Readers runs n goroutines calling read in a loop until read returns
// false or the returned stop is called; stop waits for them.
func Readers(n int, read func() bool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if !read() {
					return
				}
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}
