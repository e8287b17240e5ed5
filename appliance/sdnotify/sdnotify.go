// Package sdnotify implements the sender side of systemd's notify protocol
// (sd_notify(3)) without cgo: one datagram to the socket named by
// $NOTIFY_SOCKET.
package sdnotify

import (
	"net"
	"os"
)

// Ready tells systemd the service is up (Type=notify units wait for it).
func Ready() error { return Send("READY=1") }

// Stopping tells systemd the service is shutting down.
func Stopping() error { return Send("STOPPING=1") }

// Send writes state to $NOTIFY_SOCKET. Without the variable (not started by
// systemd) it does nothing. An abstract socket is written with a leading @.
func Send(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] == '@' {
		name = "\x00" + name[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
