package store

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// TLS makes the Raft transport mutual TLS: Server must require and verify
// client certificates (tls.RequireAndVerifyClientCert with the cluster's
// CA), Client presents this node's certificate and trusts the same CA.
type TLS struct {
	Server *tls.Config
	Client *tls.Config
}

// Transport settings shared by the plain and the TLS transport.
const (
	transportPool    = 3
	transportTimeout = 10 * time.Second
)

// newTransport is the Raft transport on cfg.Bind: plain TCP, or mutual
// TLS when cfg.TLS is set.
func (s *Store) newTransport(adv *net.TCPAddr, hlog hclog.Logger) (*raft.NetworkTransport, error) {
	if s.cfg.TLS == nil {
		return raft.NewTCPTransportWithLogger(s.cfg.Bind, adv, transportPool, transportTimeout, hlog)
	}
	if s.cfg.TLS.Server == nil || s.cfg.TLS.Client == nil {
		return nil, errors.New("store: TLS needs both a server and a client configuration")
	}
	if s.cfg.TLS.Server.ClientAuth != tls.RequireAndVerifyClientCert {
		return nil, errors.New("store: the Raft TLS server must require and verify client certificates")
	}
	l, err := net.Listen("tcp", s.cfg.Bind)
	if err != nil {
		return nil, err
	}
	layer := &tlsStreamLayer{Listener: tls.NewListener(l, s.cfg.TLS.Server), advertise: adv, client: s.cfg.TLS.Client}
	return raft.NewNetworkTransportWithLogger(layer, transportPool, transportTimeout, hlog), nil
}

// tlsStreamLayer is a raft.StreamLayer over TLS: it accepts only peers
// whose certificate the CA signed, and dials peers checking theirs the
// same way.
type tlsStreamLayer struct {
	net.Listener
	advertise net.Addr
	client    *tls.Config
}

// Addr is the advertised address, which other members dial.
func (t *tlsStreamLayer) Addr() net.Addr { return t.advertise }

// Dial opens a TLS connection to a member and finishes the handshake
// before Raft writes to it, so that a bad certificate fails here, with
// the peer's address in the error.
func (t *tlsStreamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: t.client}
	conn, err := dialer.Dial("tcp", string(address))
	if err != nil {
		return nil, fmt.Errorf("raft tls dial %s: %w", address, err)
	}
	return conn, nil
}
