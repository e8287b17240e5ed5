package store

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/auth"
	"github.com/mesosbox/mesosbox/appliance/auth/authtest"
)

func nodeTLS(t *testing.T, ca *authtest.CA, name string) *auth.TLS {
	t.Helper()
	cert, key := ca.Issue(t, name, "127.0.0.1")
	tl, err := auth.LoadTLS(cert, key, ca.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func openTLS(t *testing.T, id, addr string, bootstrap bool, tl *auth.TLS) *Store {
	t.Helper()
	s, err := Open(Config{Dir: t.TempDir(), NodeID: id, Bind: addr, Bootstrap: bootstrap, Timeouts: FastTimeouts,
		TLS: &TLS{Server: tl.MutualServer(), Client: tl.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRaftOverMutualTLS: two members with certificates from the cluster's
// CA replicate over TLS; a peer with a certificate from another CA is
// refused in both directions — the cluster will not take its connection,
// and the cluster's dialer will not trust it.
func TestRaftOverMutualTLS(t *testing.T) {
	ca, other := authtest.NewCA(t, "cluster"), authtest.NewCA(t, "other")
	a := openTLS(t, "a", freePort(t), true, nodeTLS(t, ca, "a"))
	waitLeader(t, a)
	bAddr := freePort(t)
	b := openTLS(t, "b", bAddr, false, nodeTLS(t, ca, "b"))
	if err := a.AddVoter("b", bAddr); err != nil {
		t.Fatal(err)
	}
	applyEventually(t, putCmd{Key: "k", Value: "over tls"}, a, b)
	deadline := time.Now().Add(10 * time.Second)
	for v, _ := get(t, b, "k"); v != "over tls"; v, _ = get(t, b, "k") {
		if time.Now().After(deadline) {
			t.Fatal("b never received the write")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A rogue peer trusts the cluster's CA (so it can see the server) but
	// shows a certificate the other CA signed: the handshake is refused.
	rogue := nodeTLS(t, other, "rogue").Client()
	rogue.RootCAs = nodeTLS(t, ca, "peek").Client().RootCAs
	// Go's client would send no certificate at all to a server asking for
	// another CA's; this one insists on showing its own.
	rogueCert := rogue.Certificates[0]
	rogue.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &rogueCert, nil }
	raftAddr := string(a.trans.LocalAddr())
	conn, err := tls.Dial("tcp", raftAddr, rogue)
	if err == nil {
		// TLS 1.3 reports the server's refusal on the first read.
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("raft port took a certificate from another CA: %v", err)
	}
	// Plain TCP speaking Raft gets nothing either.
	plain, err := net.DialTimeout("tcp", raftAddr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	plain.SetDeadline(time.Now().Add(10 * time.Second))
	plain.Write(make([]byte, 16)) // an AppendEntries type byte and zeros: not a TLS record
	var ne net.Error
	if _, err := io.ReadAll(plain); err != nil && errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the TLS Raft port kept a plain TCP connection open")
	}
	plain.Close()

	// The other way: a member of another CA's cluster is not trusted when
	// the cluster dials it.
	r := openTLS(t, "r", freePort(t), true, nodeTLS(t, other, "r"))
	layer := &tlsStreamLayer{client: nodeTLS(t, ca, "dialer").Client()}
	if c, err := layer.Dial(r.trans.LocalAddr(), time.Second); err == nil {
		err = c.(*tls.Conn).HandshakeContext(context.Background())
		c.Close()
		if err == nil {
			t.Fatal("dialed a peer of another CA without an error")
		}
	} else if !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("dial error %v", err)
	}
}

func TestRaftTLSNeedsClientCertificates(t *testing.T) {
	tl := nodeTLS(t, authtest.NewCA(t, "cluster"), "a")
	for _, cfg := range []*TLS{
		{Server: tl.HTTPSServer(), Client: tl.Client()},
		{Server: tl.MutualServer()},
	} {
		_, err := Open(Config{Dir: t.TempDir(), NodeID: "a", Bind: freePort(t), Bootstrap: true, Timeouts: FastTimeouts, TLS: cfg})
		if err == nil {
			t.Fatalf("Open took %+v", cfg)
		}
	}
}
