package cli

import (
	"bytes"
	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"strings"
	"testing"
)

func TestCLIErrorsAreOneLine(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"serve", "--master-port", "x"}, 2, "invalid value"},
		{[]string{"serve", "--data-dir", "/proc/none/x"}, 1, "data directory /proc/none/x is not usable"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := Run(c.args, &out, &errb)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errb.String())
		}
		msg := errb.String()
		if !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v: stderr %q, want one line containing %q", c.args, msg, c.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run([]string{"serve", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("serve --help exit %d", code)
	}
	for _, want := range []string{"--data-dir", "MESOSBOX_DATA_DIR", "/var/lib/mesosbox", "--raft-port", "5049"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
	out.Reset()
	if code := Run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "mesosbox ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}

func TestImageImport(t *testing.T) {
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	tar := containerdtest.BusyboxImage(t)
	var out, errb bytes.Buffer
	code := Run([]string{"image", "import", tar, "--containerd-socket", sock, "--containerd-namespace", ns}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "imported docker.io/library/busybox:latest") {
		t.Fatalf("exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := Run([]string{"image", "list", "--containerd-socket", sock, "--containerd-namespace", ns}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "docker.io/library/busybox:latest") || !strings.Contains(out.String(), "sha256:") {
		t.Fatalf("image list: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := Run([]string{"image", "import", "/nonexistent.tar", "--containerd-socket", sock}, &out, &errb); code != 1 || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("missing file: exit %d, %q", code, errb.String())
	}
}
