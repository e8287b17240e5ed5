package executor

import (
	"errors"
	"strings"
	"testing"
)

func TestContainerID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"web.6f2a9c1e-1234-11ee-be56-0242ac120002", "web.6f2a9c1e-1234-11ee-be56-0242ac120002"},
		{"simple", "simple"},
	} {
		if got := containerID(tc.in); got != tc.want {
			t.Errorf("containerID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	seen := map[string]string{}
	for _, in := range []string{"ct:1700000000000:0:backup:", "ct:1700000000000:0:backup::", "a b/c", "__", "-x-", strings.Repeat("long", 40), ""} {
		got := containerID(in)
		if !validID(got) {
			t.Errorf("containerID(%q) = %q is not a valid id", in, got)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("containerID(%q) = containerID(%q) = %q", in, prev, got)
		}
		seen[got] = in
		if containerID(in) != got {
			t.Errorf("containerID(%q) is not stable", in)
		}
	}
	if got := containerID("ct:1700000000000:0:backup:"); !strings.HasPrefix(got, "ct-1700000000000-0-backup-") {
		t.Errorf("readable prefix lost: %q", got)
	}
}

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                          "docker.io/library/busybox:latest",
		"busybox:1.36":                     "docker.io/library/busybox:1.36",
		"me/app":                           "docker.io/me/app:latest",
		"registry.local:5000/team/app":     "registry.local:5000/team/app:latest",
		"docker.io/library/busybox:latest": "docker.io/library/busybox:latest",
	} {
		if got, err := normalizeRef(in); err != nil || got != want {
			t.Errorf("normalizeRef(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := normalizeRef("Busybox"); err == nil {
		t.Error("invalid reference accepted")
	}
	if got := translateRefName("latest"); got != "latest" {
		t.Errorf("bare tag translated to %q", got)
	}
	if got := translateRefName("busybox:1.36"); got != "docker.io/library/busybox:1.36" {
		t.Errorf("ref name translated to %q", got)
	}
}

func TestExitMessages(t *testing.T) {
	for code, want := range map[int]Exit{
		0:   {Code: 0, Message: "Command exited with status 0"},
		1:   {Code: 1, Message: "Command exited with status 1"},
		137: {Code: 137, Signal: 9, Message: "Command terminated with signal Killed"},
		143: {Code: 143, Signal: 15, Message: "Command terminated with signal Terminated"},
		255: {Code: 255, Message: "Command exited with status 255"},
	} {
		if got := exitFromStatus(code); got != want {
			t.Errorf("exitFromStatus(%d) = %+v, want %+v", code, got, want)
		}
	}
	x := exitFromStatus(137).withOOM(32, 33<<20)
	if !x.OOMKilled || x.Message != "Memory limit exceeded: Requested: 32MB Maximum Used: 33MB" {
		t.Errorf("OOM exit %+v", x)
	}
}

func TestRuntimeError(t *testing.T) {
	err := errors.New(`failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown`)
	if got := runtimeError(err).Error(); got != `cannot start the task: exec: "nosuch": executable file not found in $PATH` {
		t.Errorf("runtimeError: %q", got)
	}
}

func TestSpecValidation(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []Spec{
		{Sandbox: dir, Command: "true"},
		{TaskID: "x", Sandbox: "relative", Command: "true"},
		{TaskID: "x", Sandbox: dir + "/missing", Command: "true"},
		{TaskID: "x", Sandbox: dir},
		{TaskID: "x", Sandbox: dir, Shell: true, Image: "busybox"},
		{TaskID: "x", Sandbox: dir, Command: "true", MemMB: -1},
		{TaskID: "x", Sandbox: dir, Command: "true", Env: map[string]string{"A=B": "c"}},
	} {
		if err := s.validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if err := (&Spec{TaskID: "x", Sandbox: dir, Image: "busybox"}).validate(); err != nil {
		t.Errorf("image task without command: %v", err)
	}
}
