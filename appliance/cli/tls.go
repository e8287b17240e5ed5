package cli

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
)

// caEnv names the cluster's CA certificate (PEM) for the CLI, the same
// variable `mesosbox serve` reads for --tls-ca: a node started with
// --tls-* serves only HTTPS, so with it set every call is https and
// trusts that CA alone.
const caEnv = "MESOSBOX_TLS_CA"

// scheme is "https" when MESOSBOX_TLS_CA is set, else "http".
func scheme() string {
	if os.Getenv(caEnv) != "" {
		return "https"
	}
	return "http"
}

// hostOf is a base URL without its scheme, for messages.
func hostOf(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
}

// cliTransport is the CLI's transport: the default one, trusting the CA
// of MESOSBOX_TLS_CA when it is set. A CA file that cannot be read fails
// each call with a one-line error.
type cliTransport struct{}

var transports struct {
	sync.Mutex
	caFile string
	rt     http.RoundTripper
	err    error
}

func (cliTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	caFile := os.Getenv(caEnv)
	transports.Lock()
	if transports.rt == nil && transports.err == nil || transports.caFile != caFile {
		transports.caFile = caFile
		transports.rt, transports.err = newTransport(caFile)
	}
	rt, err := transports.rt, transports.err
	transports.Unlock()
	if err != nil {
		return nil, err
	}
	return rt.RoundTrip(r)
}

func newTransport(caFile string) (http.RoundTripper, error) {
	if caFile == "" {
		return http.DefaultTransport, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", caEnv, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s=%s holds no PEM certificate", caEnv, caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
	return tr, nil
}
