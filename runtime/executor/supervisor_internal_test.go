package executor

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDialExitingSupervisor: a supervisor on its way out closes new
// connections before greeting them, which the agent reads as "gone".
func TestDialExitingSupervisor(t *testing.T) {
	root := t.TempDir()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(root, supervisorSock), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	s := &supervisor{root: root, ln: ln, exiting: true, clients: map[*supClient]struct{}{}, running: map[string]bool{}}
	go func() {
		if conn, err := ln.AcceptUnix(); err == nil {
			s.admit(conn)
		}
	}()
	if _, err := dialSupervisor(root); !errors.Is(err, errSupervisorGone) {
		t.Fatalf("dial: %v, want %v", err, errSupervisorGone)
	}
	ln.Close()
	if len(s.clients) != 0 {
		t.Errorf("an exiting supervisor admitted a client")
	}
}

// TestLaunchWaitsForExitingSupervisor: while the lock is held by a
// supervisor that no longer listens (one exiting), the supervisors Launch
// starts step aside, and Launch retries until the lock is free.
func TestLaunchWaitsForExitingSupervisor(t *testing.T) {
	state := t.TempDir()
	root := filepath.Join(state, "process")
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(root, supervisorLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ns := "test-busy-" + filepath.Base(state)
	if h, err := hostCgroups(); err == nil {
		t.Cleanup(func() { _ = h.cgroup("/" + ns).remove(0) })
	}
	e, err := newProcess(Options{StateDir: state, Namespace: ns, Logger: quiet}, self)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	type result struct {
		task Task
		err  error
	}
	done := make(chan result, 1)
	go func() {
		task, err := e.Launch(context.Background(), Spec{TaskID: "patient", Sandbox: t.TempDir(), Command: "exit 3", Shell: true})
		done <- result{task, err}
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		log, _ := os.ReadFile(filepath.Join(root, supervisorLog))
		if strings.Contains(string(log), "another supervisor holds the lock") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no supervisor was turned away by the held lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case r := <-done:
		t.Fatalf("launch returned while the lock was held: %v", r.err)
	default:
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		select {
		case <-r.task.Done():
		case <-time.After(time.Minute):
			t.Fatal("task did not exit")
		}
		if x := r.task.Exit(); x.Code != 3 {
			t.Errorf("exit %+v, want code 3", x)
		}
	case <-time.After(time.Minute):
		t.Fatal("launch did not go through once the lock was free")
	}
}
