package executor

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// fdWatch is the supervisor's one loop over every descriptor it waits on:
// each task's pidfd and, on cgroup v1, its OOM eventfd. One epoll and one
// thread for all tasks, where a goroutine per descriptor would cost a
// stack per task, which with a thousand tasks is most of the supervisor's
// memory.
type fdWatch struct {
	epfd int
	mu   sync.Mutex
	on   map[int32]func() (done bool) // by descriptor
}

func newFDWatch() (*fdWatch, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	w := &fdWatch{epfd: epfd, on: map[int32]func() bool{}}
	go w.loop()
	return w, nil
}

// add calls ready each time fd is readable (level-triggered) until it
// returns true; fd is then closed. ready runs on the loop: it must not
// block.
func (w *fdWatch) add(fd int, ready func() (done bool)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.on[int32(fd)] = ready
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if err := unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		delete(w.on, int32(fd))
		return err
	}
	return nil
}

func (w *fdWatch) loop() {
	events := make([]unix.EpollEvent, 64)
	for {
		n, err := unix.EpollWait(w.epfd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			panic("supervisor: epoll_wait: " + err.Error()) // only a bug gets here
		}
		for _, ev := range events[:n] {
			w.mu.Lock()
			ready := w.on[ev.Fd]
			w.mu.Unlock()
			if ready == nil || !ready() {
				continue
			}
			w.mu.Lock()
			_ = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, int(ev.Fd), nil)
			delete(w.on, ev.Fd)
			unix.Close(int(ev.Fd))
			w.mu.Unlock()
		}
	}
}
