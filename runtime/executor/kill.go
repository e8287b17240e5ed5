package executor

import (
	"context"
	"syscall"
	"time"
)

// killWithGrace is Mesos' kill policy: SIGTERM, up to grace for the task to
// exit, then SIGKILL; it returns once the task has exited (done is closed)
// or ctx ends. signal delivers a signal to every process of the task.
func killWithGrace(ctx context.Context, done <-chan struct{}, grace time.Duration, signal func(syscall.Signal) error) error {
	select {
	case <-done:
		return nil
	default:
	}
	if grace > 0 {
		if err := signal(syscall.SIGTERM); err != nil {
			return err
		}
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
			return nil
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := signal(syscall.SIGKILL); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
