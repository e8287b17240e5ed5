package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
)

// authFile is this invocation's --auth-file. Run clears it; the flag sets
// it while Run parses. It is atomic because tests run commands (events
// next to app apply) at the same time.
var authFile atomic.Pointer[string]

// authFileFlag adds --auth-file to a client command's flags.
func authFileFlag(fs *flag.FlagSet) {
	fs.Func("auth-file", "`FILE` with one user:password line for the node's HTTP basic auth (env MESOSBOX_AUTH_FILE; MESOSBOX_HTTP_AUTH=user:password also works)",
		func(v string) error { authFile.Store(&v); return nil })
}

// credentials are the user and password sent with every request, and
// where they came from, for error messages.
type credentials struct {
	user, password, source string
}

// clientCredentials finds this invocation's credentials: --auth-file, else
// MESOSBOX_HTTP_AUTH, else MESOSBOX_AUTH_FILE; nil when none is given.
func clientCredentials() (*credentials, error) {
	if p := authFile.Load(); p != nil && *p != "" {
		return readAuthFile(*p)
	}
	if v := os.Getenv("MESOSBOX_HTTP_AUTH"); v != "" {
		return parseUserPassword(v, "MESOSBOX_HTTP_AUTH")
	}
	if f := os.Getenv("MESOSBOX_AUTH_FILE"); f != "" {
		return readAuthFile(f)
	}
	return nil, nil
}

func readAuthFile(path string) (*credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return parseUserPassword(line, path)
		}
	}
	return nil, fmt.Errorf("auth file %s is empty: want one user:password line", path)
}

func parseUserPassword(s, source string) (*credentials, error) {
	user, password, ok := strings.Cut(s, ":")
	if !ok || user == "" {
		return nil, fmt.Errorf("%s: want user:password", source)
	}
	return &credentials{user: user, password: password, source: source}, nil
}

// authorize adds this invocation's credentials to req.
func authorize(req *http.Request) (*credentials, error) {
	c, err := clientCredentials()
	if c != nil {
		req.SetBasicAuth(c.user, c.password)
	}
	return c, err
}

// unauthorized is the one-line error for a 401: what to set when nothing
// was sent, which credentials were refused otherwise.
func unauthorized(c *credentials) error {
	if c == nil {
		return errors.New("401 Unauthorized: the node asks for credentials: set MESOSBOX_HTTP_AUTH=user:password or --auth-file")
	}
	return fmt.Errorf("401 Unauthorized: the node refused user %q (from %s)", c.user, c.source)
}
