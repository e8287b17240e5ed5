// Package auth is mesosbox's HTTP basic authentication: the credentials
// file, the middleware every port is wrapped in, and the identity nodes
// use to call each other.
package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// NodeUser is the reserved user nodes authenticate as when they call each
// other; its password is the cluster's join token. A credentials file may
// not name it.
const NodeUser = "mesosbox-node"

// bcryptPrefixes are the bcrypt variants accepted: Go's and OpenBSD's
// ($2a$, $2b$) and htpasswd -B's ($2y$).
var bcryptPrefixes = []string{"$2a$", "$2b$", "$2y$"}

// otherHashPrefixes are htpasswd's other schemes (MD5-crypt, SHA-1,
// crypt(3)'s SHA-256/512): refused with a hint rather than taken for
// plain passwords that happen to start with a '$'.
var otherHashPrefixes = []string{"$apr1$", "{SHA}", "$1$", "$5$", "$6$"}

// maxGoodPairs bounds the cache of verified bcrypt logins; when it is
// full it starts over, so a flood of distinct good logins cannot grow it.
const maxGoodPairs = 1024

// Credentials are the users of a credentials file. Check is safe for
// concurrent use.
type Credentials struct {
	users map[string]secret

	mu sync.Mutex
	// good remembers sha256(user:password) of logins that passed bcrypt,
	// so a browser or client sending the same header on every request pays
	// bcrypt's ~50 ms once, not per request. Only digests are kept.
	good map[[sha256.Size]byte]struct{}
}

type secret struct {
	plain []byte // set for a plain password
	hash  []byte // set for a bcrypt hash
}

// Load reads a credentials file: one `user:password` or `user:BCRYPT-HASH`
// per line; blank lines and lines starting with '#' are ignored. Errors
// name the file and line.
func Load(path string) (*Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads credentials from r; name is the file name used in errors.
func Parse(r io.Reader, name string) (*Credentials, error) {
	c := &Credentials{users: map[string]secret{}, good: map[[sha256.Size]byte]struct{}{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for line := 1; sc.Scan(); line++ {
		user, s, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if user == "" {
			continue
		}
		if _, dup := c.users[user]; dup {
			return nil, fmt.Errorf("%s:%d: user %q is listed twice", name, line, user)
		}
		c.users[user] = s
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(c.users) == 0 {
		return nil, fmt.Errorf("%s: no user:password line", name)
	}
	return c, nil
}

// parseLine reads one line; an empty user means a blank or comment line.
func parseLine(text string) (string, secret, error) {
	text = strings.TrimSuffix(text, "\r")
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return "", secret{}, nil
	}
	user, pass, ok := strings.Cut(text, ":")
	switch {
	case !ok:
		return "", secret{}, errors.New("expected user:password or user:bcrypt-hash")
	case user == "":
		return "", secret{}, errors.New("the user name is empty")
	case strings.TrimSpace(user) != user || strings.ContainsFunc(user, isControl):
		return "", secret{}, fmt.Errorf("user %q has spaces or control characters around or in it", user)
	case user == NodeUser:
		return "", secret{}, fmt.Errorf("user %q is reserved for calls between nodes", NodeUser)
	case pass == "":
		return "", secret{}, fmt.Errorf("user %q has an empty password", user)
	}
	for _, p := range bcryptPrefixes {
		if strings.HasPrefix(pass, p) {
			if _, err := bcrypt.Cost([]byte(pass)); err != nil {
				return "", secret{}, fmt.Errorf("user %q: the bcrypt hash is malformed: %v", user, err)
			}
			return user, secret{hash: []byte(pass)}, nil
		}
	}
	for _, p := range otherHashPrefixes {
		if strings.HasPrefix(pass, p) {
			return "", secret{}, fmt.Errorf("user %q: only bcrypt hashes are supported (htpasswd -nbB USER PASSWORD), not %s", user, p)
		}
	}
	return user, secret{plain: []byte(pass)}, nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// Users is the number of users.
func (c *Credentials) Users() int { return len(c.users) }

// Check tells whether user and password are one of the file's logins.
func (c *Credentials) Check(user, password string) bool {
	s, ok := c.users[user]
	if !ok {
		return false
	}
	if s.plain != nil {
		return subtle.ConstantTimeCompare(s.plain, []byte(password)) == 1
	}
	key := sha256.Sum256([]byte(user + ":" + password))
	c.mu.Lock()
	_, known := c.good[key]
	c.mu.Unlock()
	if known {
		return true
	}
	if bcrypt.CompareHashAndPassword(s.hash, []byte(password)) != nil {
		return false
	}
	c.mu.Lock()
	if len(c.good) >= maxGoodPairs {
		clear(c.good)
	}
	c.good[key] = struct{}{}
	c.mu.Unlock()
	return true
}
