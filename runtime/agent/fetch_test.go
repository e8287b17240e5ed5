package agent

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

type archiveEntry struct {
	name, body, link string
	dir              bool
}

func writeTarGz(t *testing.T, path string, entries []archiveEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case e.dir:
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case e.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFetch runs a task whose URIs are a local tar.gz (extracted), a
// script over HTTP (made executable) and a file renamed by output_file
// and not extracted; then tasks whose fetch fails.
func TestFetch(t *testing.T) {
	src := t.TempDir()
	writeTarGz(t, filepath.Join(src, "bundle.tar.gz"), []archiveEntry{
		{name: "data/", dir: true},
		{name: "data/hello.txt", body: "from the archive\n"},
		{name: "data/link", link: "hello.txt"},
	})
	if err := os.WriteFile(filepath.Join(src, "plain.tgz"), []byte("not extracted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/scripts/run.sh" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("#!/bin/sh\necho script ran\n"))
	}))
	defer web.Close()

	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	info := shellTask("fetch", "cat data/link && ./run.sh && cat renamed.txt")
	no := false
	yes := true
	info.Command.URIs = []mesos.CommandInfo_URI{
		{Value: "file://" + filepath.Join(src, "bundle.tar.gz")},
		{Value: web.URL + "/scripts/run.sh", Executable: &yes},
		{Value: filepath.Join(src, "plain.tgz"), Extract: &no, OutputFile: new("renamed.txt")},
	}
	h.m.launch(fw, info)
	u := h.m.waitState(t, "fetch", mesos.TASK_FINISHED)
	if out := h.sandboxFile("fetch", "stdout"); out != "from the archive\nscript ran\nnot extracted\n" {
		t.Fatalf("stdout %q (%s); stderr %q", out, u.Status.GetMessage(), h.sandboxFile("fetch", "stderr"))
	}
	if errs := h.sandboxFile("fetch", "stderr"); !strings.Contains(errs, "Fetched '"+web.URL+"/scripts/run.sh'") {
		t.Fatalf("fetch log %q", errs)
	}

	for _, tc := range []struct {
		id, uri, want string
	}{
		{"missing", filepath.Join(src, "nope.tar.gz"), "no such file"},
		{"http404", web.URL + "/nope", "HTTP response code 404"},
		{"hdfs", "hdfs://namenode/x.tar.gz", `scheme "hdfs" is not supported`},
	} {
		info := shellTask(tc.id, "true")
		info.Command.URIs = []mesos.CommandInfo_URI{{Value: tc.uri}}
		h.m.launch(fw, info)
		u := h.m.waitState(t, tc.id, mesos.TASK_FAILED)
		msg := u.Status.GetMessage()
		if !strings.HasPrefix(msg, "Failed to fetch '"+tc.uri+"'") || !strings.Contains(msg, tc.want) ||
			u.Status.GetReason() != mesos.REASON_CONTAINER_LAUNCH_FAILED {
			t.Errorf("%s: %q %s", tc.id, msg, u.Status.GetReason())
		}
	}
}

// TestExtractStaysInside refuses archives whose entries would land
// outside the sandbox, by name or through a planted symlink.
func TestExtractStaysInside(t *testing.T) {
	outside := t.TempDir()
	for name, entries := range map[string][]archiveEntry{
		"dotdot.tar.gz":   {{name: "../escaped", body: "x"}},
		"absolute.tar.gz": {{name: "/" + filepath.Join(outside, "abs"), body: "x"}},
		"symlink.tar.gz":  {{name: "evil", link: outside}, {name: "evil/planted", body: "x"}},
		"deep.tar.gz":     {{name: "evil", link: outside}, {name: "evil/a/b/planted", body: "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sandbox := filepath.Join(dir, "sandbox")
			os.Mkdir(sandbox, 0o755)
			archive := filepath.Join(dir, name)
			writeTarGz(t, archive, entries)
			err := fetchURIs(context.Background(), []mesos.CommandInfo_URI{{Value: archive}}, sandbox)
			if name == "absolute.tar.gz" {
				// A leading "/" is taken relative to the sandbox, as tar does.
				if err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(filepath.Join(sandbox, outside, "abs")); err != nil {
					t.Fatal(err)
				}
			} else if err == nil {
				t.Fatal("extracted")
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Fatalf("wrote outside the sandbox: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
				t.Fatal("wrote next to the sandbox")
			}
		})
	}
}

// TestExtractZip unpacks a zip archive.
func TestExtractZip(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "a.zip")
	f, _ := os.Create(archive)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("sub/file.txt")
	w.Write([]byte("zipped"))
	zw.Close()
	f.Close()
	sandbox := filepath.Join(dir, "sandbox")
	os.Mkdir(sandbox, 0o755)
	if err := fetchURIs(context.Background(), []mesos.CommandInfo_URI{{Value: archive}}, sandbox); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(sandbox, "sub/file.txt")); err != nil || string(b) != "zipped" {
		t.Fatalf("%q %v", b, err)
	}
}
