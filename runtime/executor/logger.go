package executor

import (
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// runLogger is the logging binary containerd's shim starts for each task
// (a "binary://" log URI): the task's stdout arrives on fd 3, its stderr on
// fd 4, and closing fd 5 tells the shim the logger is ready. It appends
// both to the sandbox's stdout and stderr files until the task's streams
// close. The shim owns this process, so it outlives agent restarts.
//
// It must keep reading whatever happens: a logger that stops would fill
// the pipe and block the task. A sandbox file that cannot be opened
// therefore discards instead of failing, and hangups are ignored.
func runLogger(sandbox string) int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
	streams := []struct {
		in   *os.File
		name string
	}{
		{os.NewFile(3, "stdout-pipe"), "stdout"},
		{os.NewFile(4, "stderr-pipe"), "stderr"},
	}
	outs := make([]io.Writer, len(streams))
	for i, s := range streams {
		f, err := os.OpenFile(filepath.Join(sandbox, s.name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			outs[i] = io.Discard
			continue
		}
		defer f.Close()
		outs[i] = f
	}
	if ready := os.NewFile(5, "ready"); ready != nil {
		ready.Close()
	}
	var wg sync.WaitGroup
	for i, s := range streams {
		if s.in == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			drain(outs[i], s.in)
		}()
	}
	wg.Wait()
	return 0
}

// drain copies src to dst until src ends, and keeps reading when dst fails
// (a full disk): losing output is better than blocking the task.
func drain(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				dst = io.Discard
			}
		}
		if err != nil {
			return
		}
	}
}
