package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLS is a node's certificate and the CA that signs every node's.
type TLS struct {
	cert tls.Certificate
	ca   *x509.CertPool
}

// LoadTLS reads --tls-cert, --tls-key and --tls-ca (PEM); all three or
// none must be given.
func LoadTLS(certFile, keyFile, caFile string) (*TLS, error) {
	set := 0
	for _, f := range []string{certFile, keyFile, caFile} {
		if f != "" {
			set++
		}
	}
	switch set {
	case 0:
		return nil, nil
	case 3:
	default:
		return nil, errors.New("--tls-cert, --tls-key and --tls-ca go together: give all three or none")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s / --tls-key %s: %v", certFile, keyFile, err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--tls-ca %s holds no PEM certificate", caFile)
	}
	return &TLS{cert: cert, ca: pool}, nil
}

// HTTPSServer is the configuration of the HTTPS ports: browsers and
// clients need no certificate of their own; one that is presented must be
// signed by the CA.
func (t *TLS) HTTPSServer() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{t.cert},
		ClientCAs: t.ca, ClientAuth: tls.VerifyClientCertIfGiven}
}

// MutualServer is the configuration of Raft's listener: only nodes with a
// certificate the CA signed get in.
func (t *TLS) MutualServer() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{t.cert},
		ClientCAs: t.ca, ClientAuth: tls.RequireAndVerifyClientCert}
}

// Client is how this node dials another: it trusts only the CA and shows
// its own certificate.
func (t *TLS) Client() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{t.cert}, RootCAs: t.ca}
}
