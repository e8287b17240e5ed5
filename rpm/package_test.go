// Package rpm holds the nfpm description of mesosbox's RPM and deb
// (nfpm.yaml, scriptlets, /etc/sysconfig/mesosbox) and their tests. The
// tests build the real packages with the Makefile's targets into a temp dir
// (make rpm deb repo DIST=...) and install them with rpm --root, dnf
// --installroot and, in boot_test.go, inside a systemd booted by
// systemd-nspawn. They need root and the Debian packages rpm, dnf,
// createrepo-c, dpkg, firewalld, systemd-container and busybox-static.
package rpm

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// nfpmCmd is the nfpm the Makefile runs (NFPM), for the tests' helper
// packages.
const nfpmCmd = "github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2"

// artifacts are the packages every test shares, built once.
type artifacts struct {
	dir        string
	rpm1, rpm2 string // mesosbox 1.0.0 and 1.0.1; 1.0.1's sysconfig differs
	deb        string // mesosbox 1.0.0
	repo       string // `make repo` with both RPMs
	flagsTxt   string // `mesosbox serve --help` of the packaged binary
	sysconfig1 []byte
	sysconfig2 []byte
	shRPM      string // testroot-sh: a static /bin/sh for an empty root
	shProvRPM  string // testroot-sh-provides: Provides /bin/sh, no files
}

var (
	buildOnce sync.Once
	built     *artifacts
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(bootDriverEnv); dir != "" {
		os.Exit(bootDriver(dir)) // inside the booted container
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func repoRoot() string { return filepath.Clean("..") }

// build makes the packages once for all tests.
func build(t *testing.T) *artifacts {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the packaging tests need root (rpm --root, dnf --installroot, systemd-nspawn)")
	}
	buildOnce.Do(func() {
		start := time.Now()
		built, buildErr = buildArtifacts()
		t.Logf("built the packages for all tests in %v", time.Since(start).Round(time.Second))
	})
	if buildErr != nil {
		t.Fatalf("building the packages: %v", buildErr)
	}
	return built
}

func buildArtifacts() (*artifacts, error) {
	var err error
	buildDir, err = os.MkdirTemp("", "mesosbox-pkg-")
	if err != nil {
		return nil, err
	}
	dir := buildDir
	a := &artifacts{
		dir:       dir,
		rpm1:      filepath.Join(dir, "mesosbox-1.0.0.x86_64.rpm"),
		rpm2:      filepath.Join(dir, "mesosbox-1.0.1.x86_64.rpm"),
		deb:       filepath.Join(dir, "mesosbox_1.0.0-1_amd64.deb"),
		repo:      filepath.Join(dir, "repo"),
		flagsTxt:  filepath.Join(dir, "serve-flags.txt"),
		shRPM:     filepath.Join(dir, "helpers", "testroot-sh.rpm"),
		shProvRPM: filepath.Join(dir, "helpers", "testroot-sh-provides.rpm"),
	}
	make := func(args ...string) error {
		cmd := exec.Command("make", append([]string{"-C", repoRoot(), "--no-print-directory"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("make %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := make("rpm", "deb", "DIST="+dir, "PKGVERSION=1.0.0"); err != nil {
		return nil, err
	}
	if a.sysconfig1, err = os.ReadFile(filepath.Join(repoRoot(), "rpm", "mesosbox.sysconfig")); err != nil {
		return nil, err
	}
	// 1.0.1 ships a changed sysconfig, so that an upgrade has to choose
	// between the admin's file and the package's (noreplace: the admin's).
	a.sysconfig2 = append(append([]byte{}, a.sysconfig1...), "\n# mesosbox 1.0.1\n"...)
	sys2 := filepath.Join(dir, "sysconfig-1.0.1")
	if err := os.WriteFile(sys2, a.sysconfig2, 0o644); err != nil {
		return nil, err
	}
	if err := make("repo", "DIST="+dir, "PKGVERSION=1.0.1", "SYSCONFIG="+sys2); err != nil {
		return nil, err
	}
	if err := buildHelpers(a); err != nil {
		return nil, err
	}
	return a, nil
}

// buildHelpers makes two tiny packages that stand in for a distribution's
// base system: a root made by rpm --root or dnf --installroot is empty, and
// the scriptlets and mesosbox's Requires: /bin/sh need a shell.
func buildHelpers(a *artifacts) error {
	dir := filepath.Dir(a.shRPM)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	busybox := "/bin/busybox" // busybox-static: runs in a root without libc
	if f, err := elf.Open(busybox); err != nil {
		return fmt.Errorf("%s (Debian package busybox-static): %v", busybox, err)
	} else {
		static := true
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				static = false
			}
		}
		f.Close()
		if !static {
			return fmt.Errorf("%s is not static: install busybox-static", busybox)
		}
	}
	configs := map[string]string{
		a.shRPM: `name: testroot-sh
arch: amd64
version: 1.0.0
maintainer: mesosbox tests
description: a static /bin/sh for test roots
license: GPL-2.0
contents:
  - src: ` + busybox + `
    dst: /usr/bin/busybox
    file_info: {mode: 0755}
  - src: /usr/bin/busybox
    dst: /bin/sh
    type: symlink
`,
		a.shProvRPM: `name: testroot-sh-provides
arch: amd64
version: 1.0.0
maintainer: mesosbox tests
description: stands for the /bin/sh of a booted system
license: GPL-2.0
provides:
  - /bin/sh
`,
	}
	for target, config := range configs {
		path := strings.TrimSuffix(target, ".rpm") + ".yaml"
		if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
			return err
		}
		cmd := exec.Command("go", "run", nfpmCmd, "package", "--config", path, "--packager", "rpm", "--target", target)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("nfpm %s: %v\n%s", path, err, out)
		}
	}
	return nil
}

// run runs a command and returns its stdout; it fails the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := tryRun(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func tryRun(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// rpmRoot runs rpm on a root made by rpm --root, with the database at
// /var/lib/rpm inside it (Debian's rpm defaults to ~/.rpmdb).
func rpmRoot(t *testing.T, root string, args ...string) string {
	t.Helper()
	return run(t, "rpm", append([]string{"--root", root, "--dbpath", "/var/lib/rpm"}, args...)...)
}

// installRoot installs 1.0.0 with rpm --root into a fresh root.
func installRoot(t *testing.T, a *artifacts) string {
	t.Helper()
	root := t.TempDir()
	rpmRoot(t, root, "-i", a.shRPM, a.rpm1)
	return root
}

// wantFiles is what the RPM holds: path, mode, flags (c: config, n: noreplace).
var wantFiles = []struct{ path, perms, flags string }{
	{"/etc/sysconfig/mesosbox", "-rw-------", "cn"},
	{"/usr/bin/mesosbox", "-rwxr-xr-x", ""},
	{"/usr/lib/firewalld/services/mesosbox.xml", "-rw-r--r--", ""},
	{"/usr/lib/systemd/system/mesosbox.service", "-rw-r--r--", ""},
	{"/usr/lib/tmpfiles.d/mesosbox.conf", "-rw-r--r--", ""},
	{"/usr/share/doc/mesosbox", "drwxr-xr-x", ""},
	{"/usr/share/doc/mesosbox/README", "-rw-r--r--", ""},
	{"/usr/share/doc/mesosbox/serve-flags.txt", "-rw-r--r--", ""},
	{"/var/lib/mesosbox", "drwx--x--x", ""},
}

func TestRPMNameVersionAndFileList(t *testing.T) {
	a := build(t)
	if got := run(t, "rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}", a.rpm1); got != "mesosbox 1.0.0 1 x86_64" {
		t.Errorf("name/version/release/arch %q", got)
	}
	var paths []string
	for _, f := range wantFiles {
		paths = append(paths, f.path)
	}
	if got := lines(run(t, "rpm", "-qpl", a.rpm1)); strings.Join(got, "\n") != strings.Join(paths, "\n") {
		t.Errorf("rpm -qpl:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(paths, "\n"))
	}
	got := lines(run(t, "rpm", "-qp", "--qf", `[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags}\n]`, a.rpm1))
	var want []string
	for _, f := range wantFiles {
		want = append(want, strings.TrimSpace(fmt.Sprintf("%s %s root:root %s", f.path, f.perms, f.flags)))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files, modes, owners and flags:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := lines(run(t, "rpm", "-qp", "--configfiles", a.rpm1)); len(got) != 1 || got[0] != "/etc/sysconfig/mesosbox" {
		t.Errorf("config files %v", got)
	}
}

func TestRPMScriptletsFollowFedoraSystemdGuidelines(t *testing.T) {
	a := build(t)
	out := run(t, "rpm", "-qp", "--scripts", a.rpm1)
	sections := map[string]string{}
	var cur string
	for _, l := range strings.Split(out, "\n") {
		if m := regexp.MustCompile(`^(\w+) scriptlet \(using /bin/sh\):$`).FindStringSubmatch(l); m != nil {
			cur = m[1]
			continue
		}
		if cur != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			sections[cur] += l + "\n"
		}
	}
	var names []string
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "postinstall postuninstall preuninstall" {
		t.Fatalf("scriptlets %v, want postinstall, preuninstall, postuninstall:\n%s", names, out)
	}
	post, preun, postun := sections["postinstall"], sections["preuninstall"], sections["postuninstall"]
	if !strings.Contains(post, "systemctl daemon-reload") {
		t.Errorf("%%post does not reload systemd:\n%s", post)
	}
	// Enable nothing, start nothing on install.
	if regexp.MustCompile(`\b(enable|preset|start|restart)\b`).MatchString(post) {
		t.Errorf("%%post enables or starts something:\n%s", post)
	}
	if !strings.Contains(post, "firewall-cmd --reload") {
		t.Errorf("%%post does not tell firewalld about the service:\n%s", post)
	}
	if !regexp.MustCompile(`(?s)if \[ "\$1" -eq 0 \].*systemctl --no-reload disable --now mesosbox\.service`).MatchString(preun) {
		t.Errorf("%%preun does not stop and disable on erase only:\n%s", preun)
	}
	if !regexp.MustCompile(`(?s)systemctl daemon-reload.*if \[ "\$1" -ge 1 \].*systemctl try-restart mesosbox\.service`).MatchString(postun) {
		t.Errorf("%%postun does not restart-if-running on upgrade only:\n%s", postun)
	}
	if strings.Contains(postun+preun, "rm ") {
		t.Errorf("scriptlets remove files; the data dir must survive:\n%s", out)
	}
	for name, body := range sections {
		if _, err := tryRun("sh", "-n", "-c", body); err != nil {
			t.Errorf("%s is not valid sh: %v", name, err)
		}
	}
}

func TestRPMRequiresAndRecommends(t *testing.T) {
	a := build(t)
	if got := lines(run(t, "rpm", "-qp", "--requires", a.rpm1)); strings.Join(got, ",") != "/bin/sh" {
		t.Errorf("requires %q, want only /bin/sh (the binary is static)", got)
	}
	if got := lines(run(t, "rpm", "-qp", "--recommends", a.rpm1)); strings.Join(got, ",") != "(containerd or containerd.io)" {
		t.Errorf("recommends %q", got)
	}
	if got := lines(run(t, "rpm", "-qp", "--provides", a.rpm1)); !contains(got, "mesosbox = 1.0.0-1") {
		t.Errorf("provides %q", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestRPMInstallVerifyUpgradeErase(t *testing.T) {
	a := build(t)
	root := installRoot(t, a)

	if got := rpmRoot(t, root, "-q", "mesosbox"); strings.TrimSpace(got) != "mesosbox-1.0.0-1.x86_64" {
		t.Fatalf("installed %q", got)
	}
	if out, err := tryRun("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-V", "mesosbox"); err != nil || out != "" {
		t.Fatalf("rpm -V after install: %v\n%s", err, out)
	}
	checkModes(t, root)
	checkStaticBinary(t, filepath.Join(root, "usr/bin/mesosbox"))
	if got := run(t, filepath.Join(root, "usr/bin/mesosbox"), "version"); !strings.HasPrefix(got, "mesosbox ") {
		t.Errorf("mesosbox version: %q", got)
	}

	// The admin edits the settings; rpm -V notices, an upgrade keeps them.
	sysconfig := filepath.Join(root, "etc/sysconfig/mesosbox")
	edited := append(append([]byte{}, a.sysconfig1...), "MESOSBOX_BIND=10.0.0.11\n"...)
	if err := os.WriteFile(sysconfig, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := tryRun("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-V", "mesosbox")
	if err == nil || !regexp.MustCompile(`(?m)^S\.5\S*\s+c /etc/sysconfig/mesosbox$`).MatchString(out) {
		t.Errorf("rpm -V does not report the edited config file: %v\n%s", err, out)
	}

	rpmRoot(t, root, "-U", a.rpm2)
	if got := rpmRoot(t, root, "-q", "mesosbox"); strings.TrimSpace(got) != "mesosbox-1.0.1-1.x86_64" {
		t.Fatalf("after upgrade %q", got)
	}
	checkUpgradeKeptSysconfig(t, root, edited, a.sysconfig2)
	if out, err := tryRun("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-V", "--noconfig", "mesosbox"); err != nil || out != "" {
		t.Fatalf("rpm -V --noconfig after upgrade: %v\n%s", err, out)
	}

	// Erase keeps the cluster's data and the admin's settings.
	token := filepath.Join(root, "var/lib/mesosbox/join-token")
	if err := os.WriteFile(token, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rpmRoot(t, root, "-e", "mesosbox")
	for _, gone := range []string{"usr/bin/mesosbox", "usr/lib/systemd/system/mesosbox.service", "usr/lib/firewalld/services/mesosbox.xml"} {
		if _, err := os.Lstat(filepath.Join(root, gone)); err == nil {
			t.Errorf("/%s is left after rpm -e", gone)
		}
	}
	if b, err := os.ReadFile(token); err != nil || string(b) != "secret\n" {
		t.Errorf("rpm -e lost the data dir: %v", err)
	}
	if b, err := os.ReadFile(sysconfig + ".rpmsave"); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("rpm -e did not keep the edited settings as .rpmsave: %v", err)
	}
}

func checkModes(t *testing.T, root string) {
	t.Helper()
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{"etc/sysconfig/mesosbox", 0o600},
		{"var/lib/mesosbox", os.ModeDir | 0o711},
		{"usr/bin/mesosbox", 0o755},
		{"usr/lib/systemd/system/mesosbox.service", 0o644},
	} {
		fi, err := os.Stat(filepath.Join(root, c.path))
		if err != nil {
			t.Errorf("/%s: %v", c.path, err)
			continue
		}
		if fi.Mode() != c.mode {
			t.Errorf("/%s mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
}

func checkStaticBinary(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked", path)
		}
	}
}

func checkUpgradeKeptSysconfig(t *testing.T, root string, edited, packaged []byte) {
	t.Helper()
	sysconfig := filepath.Join(root, "etc/sysconfig/mesosbox")
	if b, err := os.ReadFile(sysconfig); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("upgrade replaced the edited /etc/sysconfig/mesosbox: %v\n%s", err, b)
	}
	if fi, err := os.Stat(sysconfig); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("/etc/sysconfig/mesosbox after upgrade: %v %v", fi.Mode(), err)
	}
	if b, err := os.ReadFile(sysconfig + ".rpmnew"); err != nil || !bytes.Equal(b, packaged) {
		t.Errorf("the new package's settings are not in .rpmnew: %v", err)
	}
}

func TestDNFInstallAndUpgradeFromMakeRepo(t *testing.T) {
	a := build(t)
	if _, err := os.Stat(filepath.Join(a.repo, "repodata", "repomd.xml")); err != nil {
		t.Fatalf("make repo made no repository: %v", err)
	}
	root := t.TempDir()
	dnf := func(args ...string) string {
		t.Helper()
		return run(t, "dnf", append([]string{"-y", "--installroot", root, "--releasever", "1",
			"--setopt=reposdir=/dev/null", "--setopt=cachedir=/var/cache/dnf", "--nogpgcheck",
			"--repofrompath=mesosbox,file://" + a.repo, "--repo=mesosbox"}, args...)...)
	}
	// Both versions are in the repository; install the older one first.
	if got := lines(dnf("repoquery", "-q", "--qf", "%{name}-%{version}-%{release}.%{arch}", "mesosbox")); strings.Join(got, " ") != "mesosbox-1.0.0-1.x86_64 mesosbox-1.0.1-1.x86_64" {
		t.Fatalf("repository holds %v", got)
	}
	// The helper provides /bin/sh, as a distribution's base system would;
	// the recommended containerd is not in the repository and is skipped.
	dnf("install", a.shRPM, "mesosbox-1.0.0")
	q := func() string { return strings.TrimSpace(run(t, "rpm", "--root", root, "-q", "mesosbox")) }
	if got := q(); got != "mesosbox-1.0.0-1.x86_64" {
		t.Fatalf("installed %q", got)
	}
	if out, err := tryRun("rpm", "--root", root, "-V", "mesosbox"); err != nil || out != "" {
		t.Fatalf("rpm -V: %v\n%s", err, out)
	}
	checkModes(t, root)

	edited := append(append([]byte{}, a.sysconfig1...), "MESOSBOX_JOIN=mesos1.example.com\n"...)
	if err := os.WriteFile(filepath.Join(root, "etc/sysconfig/mesosbox"), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	dnf("upgrade", "mesosbox")
	if got := q(); got != "mesosbox-1.0.1-1.x86_64" {
		t.Fatalf("after dnf upgrade %q", got)
	}
	checkUpgradeKeptSysconfig(t, root, edited, a.sysconfig2)
	if out, err := tryRun("rpm", "--root", root, "-V", "--noconfig", "mesosbox"); err != nil || out != "" {
		t.Fatalf("rpm -V --noconfig after upgrade: %v\n%s", err, out)
	}
}

func TestDebPackage(t *testing.T) {
	a := build(t)
	fields := run(t, "dpkg-deb", "-f", a.deb, "Package", "Version", "Architecture", "Depends", "Recommends")
	for _, want := range []string{"Package: mesosbox", "Version: 1.0.0-1", "Architecture: amd64", "Recommends: containerd | containerd.io"} {
		if !strings.Contains(fields, want+"\n") {
			t.Errorf("deb control lacks %q:\n%s", want, fields)
		}
	}
	if strings.Contains(fields, "Depends:") {
		t.Errorf("deb depends on something (/bin/sh is essential on Debian):\n%s", fields)
	}

	// Install into an empty dpkg root, with a static /bin/sh for the
	// maintainer scripts, which dpkg runs chrooted into it.
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "bin", "usr/bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "/bin/busybox", filepath.Join(root, "bin/sh"), 0o755)
	dpkg := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("dpkg", append([]string{"--root", root, "--force-unsafe-io", "--log=/dev/null"}, args...)...)
		cmd.Env = append(os.Environ(), "DPKG_ROOT="+root, "PATH=/usr/sbin:/usr/bin:/sbin:/bin")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	dpkg("-i", a.deb)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{"etc/default/mesosbox", 0o600},
		{"var/lib/mesosbox", os.ModeDir | 0o711},
		{"usr/bin/mesosbox", 0o755},
		{"usr/lib/systemd/system/mesosbox.service", 0o644},
		{"usr/lib/firewalld/services/mesosbox.xml", 0o644},
	} {
		fi, err := os.Stat(filepath.Join(root, c.path))
		if err != nil {
			t.Errorf("/%s: %v", c.path, err)
		} else if fi.Mode() != c.mode {
			t.Errorf("/%s mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/sysconfig")); err == nil {
		t.Errorf("the deb installs /etc/sysconfig")
	}
	if out := dpkg("--verify", "mesosbox"); out != "" {
		t.Errorf("dpkg --verify: %s", out)
	}
	if got := dpkg("-s", "mesosbox"); !strings.Contains(got, "Conffiles:\n /etc/default/mesosbox ") {
		t.Errorf("/etc/default/mesosbox is not a conffile:\n%s", got)
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

// The unit as installed, with the packaged binary at /usr/bin/mesosbox
// (an overlay on /usr in a private mount namespace, since the host has
// none): systemd-analyze verify must be silent.
func TestSystemdUnitVerifies(t *testing.T) {
	a := build(t)
	root := installRoot(t, a)
	unit := filepath.Join(root, "usr/lib/systemd/system/mesosbox.service")
	script := `set -e
mount -t overlay overlay -o lowerdir="$1/usr":/usr /usr
test -x /usr/bin/mesosbox
exec systemd-analyze verify "$2"`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", root, unit)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}

	text, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{}
	for _, l := range strings.Split(string(text), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			settings[k] = append(settings[k], v)
		}
	}
	for key, want := range map[string]string{
		"Type":            "notify",
		"ExecStart":       "/usr/bin/mesosbox serve",
		"EnvironmentFile": "-/etc/default/mesosbox -/etc/sysconfig/mesosbox",
		"After":           "network-online.target containerd.service",
		"Wants":           "network-online.target containerd.service",
		"Restart":         "on-failure",
		"KillMode":        "process",
		"Delegate":        "yes",
		"LimitNOFILE":     "1048576",
		"WantedBy":        "multi-user.target",
	} {
		if got := strings.Join(settings[key], " "); got != want {
			t.Errorf("%s=%s, want %s", key, got, want)
		}
	}
}

func TestFirewalldServiceValidates(t *testing.T) {
	a := build(t)
	root := installRoot(t, a)
	dir := t.TempDir()
	def, sys := filepath.Join(dir, "default"), filepath.Join(dir, "system")
	run(t, "cp", "-a", "/usr/lib/firewalld", def)
	run(t, "cp", filepath.Join(root, "usr/lib/firewalld/services/mesosbox.xml"), filepath.Join(def, "services"))
	if err := os.MkdirAll(sys, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "cp", "/etc/firewalld/firewalld.conf", sys)
	fw := func(args ...string) string {
		t.Helper()
		return run(t, "firewall-offline-cmd", append([]string{"--default-config", def, "--system-config", sys}, args...)...)
	}
	fw("--check-config")
	info := fw("--info-service=mesosbox")
	if !strings.Contains(info, "ports: 5050/tcp 5051/tcp 8080/tcp 4400/tcp 5049/tcp\n") {
		t.Errorf("service ports:\n%s", info)
	}
	// What the README tells the admin to run, against the temp config.
	fw("--zone=public", "--add-service=mesosbox")
	if got := fw("--zone=public", "--list-services"); !contains(strings.Fields(got), "mesosbox") {
		t.Errorf("public zone services: %q", got)
	}
	fw("--check-config")
}

// Every flag of `mesosbox serve` is documented in the sysconfig, commented
// out, and nothing else is.
func TestSysconfigDocumentsEveryFlag(t *testing.T) {
	a := build(t)
	help, err := os.ReadFile(a.flagsTxt)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, v := range regexp.MustCompile(`\bMESOSBOX_[A-Z0-9_]+\b`).FindAllString(string(help), -1) {
		vars[v] = true
	}
	if len(vars) < 10 {
		t.Fatalf("found only %d variables in serve --help:\n%s", len(vars), help)
	}
	documented := map[string]bool{}
	for i, l := range strings.Split(string(a.sysconfig1), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, "#") {
			t.Errorf("line %d is not commented out: %q", i+1, l)
			continue
		}
		if m := regexp.MustCompile(`^#(MESOSBOX_[A-Z0-9_]+)=`).FindStringSubmatch(l); m != nil {
			documented[m[1]] = true
			if !vars[m[1]] {
				t.Errorf("line %d sets %s, which `mesosbox serve` does not know", i+1, m[1])
			}
		}
	}
	for v := range vars {
		if !documented[v] {
			t.Errorf("%s (mesosbox serve --help) is not in rpm/mesosbox.sysconfig: add a commented #%s=DEFAULT line", v, v)
		}
	}
}
