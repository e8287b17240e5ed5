package auth

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func hash(t testing.TB, pass string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestParseAcceptsPlainAndBcryptLines(t *testing.T) {
	b := hash(t, "s3cret")
	// htpasswd -nbB writes $2y$; the same hash with that prefix must work.
	y := "$2y$" + strings.TrimPrefix(b, "$2a$")
	file := "# users\n\nalice:wonder:land\r\nbob:" + b + "\n  # indented comment\ncarol:" + y + "\n"
	c, err := Parse(strings.NewReader(file), "creds")
	if err != nil {
		t.Fatal(err)
	}
	if c.Users() != 3 {
		t.Fatalf("users %d", c.Users())
	}
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{
		{"alice", "wonder:land", true}, // the password is everything after the first colon
		{"alice", "wonder", false},
		{"bob", "s3cret", true},
		{"bob", "s3cret", true}, // again, from the cache
		{"bob", "S3cret", false},
		{"carol", "s3cret", true},
		{"dave", "s3cret", false},
		{"", "", false},
		{NodeUser, "", false},
	} {
		if got := c.Check(tc.user, tc.pass); got != tc.ok {
			t.Errorf("Check(%q, %q) = %v, want %v", tc.user, tc.pass, got, tc.ok)
		}
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"alice:x\nno-colon\n", "creds:2: expected user:password"},
		{"\n:pass\n", "creds:2: the user name is empty"},
		{"alice:\n", "creds:1: user \"alice\" has an empty password"},
		{"alice:x\nalice:y\n", "creds:2: user \"alice\" is listed twice"},
		{"mesosbox-node:x\n", "creds:1: user \"mesosbox-node\" is reserved"},
		{"bob:$2y$10$tooshort\n", "creds:1: user \"bob\": the bcrypt hash is malformed"},
		{"bob:$apr1$abc$def\n", "creds:1: user \"bob\": only bcrypt hashes are supported"},
		{"bob:{SHA}abc=\n", "only bcrypt hashes are supported"},
		{" bob:x\n", "creds:1: user \" bob\" has spaces"},
		{"# only comments\n\n", "creds: no user:password line"},
		{"", "creds: no user:password line"},
	} {
		_, err := Parse(strings.NewReader(tc.file), "creds")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.file, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error is not one line: %q", tc.file, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "credentials file") || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err %v", err)
	}
}

// TestBcryptCacheIsBounded fills the cache past its bound: it starts over
// instead of growing, and logins keep working.
func TestBcryptCacheIsBounded(t *testing.T) {
	c, err := Parse(strings.NewReader("bob:"+hash(t, "pw")+"\n"), "creds")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if !c.Check("bob", "pw") {
			t.Fatal("login refused")
		}
	}
	if len(c.good) != 1 {
		t.Fatalf("cache holds %d entries, want 1", len(c.good))
	}
	for i := 0; len(c.good) < maxGoodPairs; i++ { // other good pairs, as if many users logged in
		c.good[[32]byte{byte(i), byte(i >> 8), 1}] = struct{}{}
	}
	if !c.Check("bob", "pw") || !c.Check("bob", "pw") {
		t.Fatal("login refused after the cache filled")
	}
	if len(c.good) > maxGoodPairs {
		t.Fatalf("cache grew to %d", len(c.good))
	}
	if c.Check("bob", "wrong") {
		t.Fatal("wrong password admitted")
	}
}

func TestGenerateWritesAWorkingPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "http-credentials")
	if err := Generate(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	user, pass, _ := strings.Cut(lines[len(lines)-1], ":")
	if user != GeneratedUser || len(pass) < 20 || !c.Check(user, pass) {
		t.Fatalf("generated %q:%q does not log in", user, pass)
	}
	if err := Generate(path); err == nil {
		t.Fatal("Generate overwrote an existing file")
	}
	other := filepath.Join(t.TempDir(), "again")
	Generate(other)
	b2, _ := os.ReadFile(other)
	if string(b2) == string(b) {
		t.Fatal("two generated files hold the same password")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("alice:secret\n")
	f.Add("# comment\n\nbob:$2a$04$" + strings.Repeat("a", 53) + "\n")
	f.Add("carol:$2y$04$abc\n")
	f.Add("dave:$apr1$x$y\r\n:\n")
	f.Add("mesosbox-node:x")
	f.Fuzz(func(t *testing.T, file string) {
		c, err := Parse(strings.NewReader(file), "fuzz")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if c.Users() == 0 {
			t.Fatal("no users and no error")
		}
		// Every plain line parsed must log in with exactly its password.
		for _, line := range strings.Split(file, "\n") {
			line = strings.TrimSuffix(line, "\r")
			user, pass, ok := strings.Cut(line, ":")
			s, known := c.users[user]
			if !ok || !known || s.plain == nil || strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			if !c.Check(user, pass) || c.Check(user, pass+"x") {
				t.Fatalf("user %q: login with its own password fails or a longer one passes", user)
			}
		}
	})
}

// TestCheckConcurrently logs in from many goroutines at once, as the four
// listeners do (run with -race).
func TestCheckConcurrently(t *testing.T) {
	c, err := Parse(strings.NewReader("bob:"+hash(t, "pw")+"\nalice:plain\n"), "creds")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	fails := make(chan string, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				if !c.Check("bob", "pw") || !c.Check("alice", "plain") || c.Check("bob", "nope") {
					fails <- "wrong answer"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(fails)
	for f := range fails {
		t.Fatal(f)
	}
}

// BenchmarkCheck compares a login's cost: plain, bcrypt (cost 10, what
// htpasswd -B uses) on its first check, and bcrypt once remembered.
func BenchmarkCheck(b *testing.B) {
	h, err := bcrypt.GenerateFromPassword([]byte("pw"), 10)
	if err != nil {
		b.Fatal(err)
	}
	c, err := Parse(strings.NewReader("bob:"+string(h)+"\nalice:pw\n"), "creds")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			c.Check("alice", "pw")
		}
	})
	b.Run("bcrypt-first", func(b *testing.B) {
		for b.Loop() {
			clear(c.good)
			c.Check("bob", "pw")
		}
	})
	b.Run("bcrypt-remembered", func(b *testing.B) {
		c.Check("bob", "pw")
		for b.Loop() {
			c.Check("bob", "pw")
		}
	})
}
