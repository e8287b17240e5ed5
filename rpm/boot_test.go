package rpm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bootDriverEnv, set by the driver unit inside the container, names the
// directory shared with the host; the test binary then runs bootDriver
// instead of the tests.
const bootDriverEnv = "MESOSBOX_BOOT_DRIVER"

// The container's driver unit: runs this test binary once the system is up
// and ends the container with its exit status.
const driverUnit = `[Unit]
Description=mesosbox package boot test
After=multi-user.target

[Service]
Type=oneshot
Environment=` + bootDriverEnv + `=/mnt/t
ExecStart=/mnt/t/driver
TimeoutStartSec=200
StandardOutput=journal+console
StandardError=journal+console
ExecStopPost=/bin/sh -c 'case "$$EXIT_STATUS" in [0-9]*) systemctl exit "$$EXIT_STATUS";; *) systemctl exit 99;; esac'
`

// TestBootWithSystemdNspawn boots systemd with systemd-nspawn on a volatile
// copy of this machine's root (a tmpfs root, the host's /usr under a
// throw-away overlay so that the RPM can write to it, no network but its
// own loopback), and inside it installs the RPM, enables and starts the
// unit, checks every health endpoint, runs a Marathon app, restarts
// mesosbox and upgrades the package without losing the app's task, and
// erases the package. See bootDriver for the steps.
func TestBootWithSystemdNspawn(t *testing.T) {
	a := build(t)
	if _, err := exec.LookPath("systemd-nspawn"); err != nil {
		t.Fatal("systemd-nspawn is missing: apt-get install systemd-container")
	}
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, self, filepath.Join(dir, "driver"), 0o755)
	for _, f := range []string{a.rpm1, a.rpm2, a.shProvRPM} {
		copyFile(t, f, filepath.Join(dir, filepath.Base(f)), 0o644)
	}
	unit := filepath.Join(dir, "boottest.service")
	if err := os.WriteFile(unit, []byte(driverUnit), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "systemd-nspawn",
		"--directory=/", "--volatile=yes", "--overlay=/usr::/usr",
		"--machine=mesosbox-boot-"+strconv.Itoa(os.Getpid()),
		"--register=no", "--keep-unit", "--private-network",
		"--console=read-only", "--quiet",
		"--bind="+dir+":/mnt/t",
		"--bind-ro="+unit+":/etc/systemd/system/boottest.service",
		"--boot", "systemd.firstboot=off", "systemd.wants=boottest.service",
		// Only a loopback: waiting for a network to be online would take
		// systemd-networkd-wait-online's 2-minute timeout.
		"systemd.mask=systemd-networkd-wait-online.service")
	// On timeout ask nspawn to halt the container, then kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var console bytes.Buffer
	cmd.Stdout, cmd.Stderr = &console, &console
	start := time.Now()
	err = cmd.Run()
	log, _ := os.ReadFile(filepath.Join(dir, "driver.log"))
	t.Logf("container ran %v; driver log:\n%s", time.Since(start).Round(time.Second), log)
	if err != nil {
		c := console.String()
		if len(c) > 8000 {
			c = "...\n" + c[len(c)-8000:]
		}
		t.Fatalf("systemd-nspawn: %v\nconsole:\n%s", err, c)
	}
	if !bytes.Contains(log, []byte("boot test passed")) {
		t.Fatal("the driver did not finish")
	}
}

// bootDriver runs inside the booted container as a systemd service. It
// returns the container's exit status.
func bootDriver(shared string) (code int) {
	logf, err := os.Create(filepath.Join(shared, "driver.log"))
	if err != nil {
		fmt.Println(err)
		return 2
	}
	defer logf.Close()
	d := &driver{shared: shared, log: io.MultiWriter(logf, os.Stdout), start: time.Now()}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(driverFailed); !ok {
				panic(r)
			}
			code = 1
		}
	}()
	d.run()
	d.logf("boot test passed")
	return 0
}

type driverFailed struct{}

type driver struct {
	shared string
	log    io.Writer
	start  time.Time
	login  string // user:password for the node's HTTP ports
}

// readGeneratedLogin reads the admin login the node generated in its data
// directory (mode 0600) and uses it from then on, also for the CLI.
func (d *driver) readGeneratedLogin() string {
	const path = "/var/lib/mesosbox/http-credentials"
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		d.fail("generated login %s: %v %v, want mode 0600", path, fi, err)
	}
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "admin:") {
			d.login = line
			os.Setenv("MESOSBOX_HTTP_AUTH", line)
			d.logf("the node generated a login for user admin in %s", path)
			return line
		}
	}
	d.fail("no admin line in %s", path)
	return ""
}

func (d *driver) logf(format string, args ...any) {
	fmt.Fprintf(d.log, "[%5.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

func (d *driver) fail(format string, args ...any) {
	d.logf("FAIL: "+format, args...)
	out, _ := exec.Command("journalctl", "--no-pager", "-n", "60", "-u", "mesosbox").CombinedOutput()
	d.logf("journalctl -u mesosbox:\n%s", out)
	panic(driverFailed{})
}

// sh runs a command and fails unless it exits 0; it returns the output.
func (d *driver) sh(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	d.logf("$ %s %s\n%s", name, strings.Join(args, " "), strings.TrimRight(string(out), "\n"))
	if err != nil {
		d.fail("%s: %v", name, err)
	}
	return string(out)
}

// try runs a command and returns its output and whether it exited 0.
func (d *driver) try(name string, args ...string) (string, bool) {
	out, err := exec.Command(name, args...).CombinedOutput()
	d.logf("$ %s %s (%v)\n%s", name, strings.Join(args, " "), err, strings.TrimRight(string(out), "\n"))
	return strings.TrimSpace(string(out)), err == nil
}

func (d *driver) prop(name string) string {
	out, _ := exec.Command("systemctl", "show", "--value", "-p", name, "mesosbox.service").Output()
	return strings.TrimSpace(string(out))
}

var httpc = &http.Client{Timeout: 5 * time.Second}

// do sends req with the node's login, once it is known.
func (d *driver) do(req *http.Request) (*http.Response, error) {
	if user, pass, ok := strings.Cut(d.login, ":"); ok {
		req.SetBasicAuth(user, pass)
	}
	return httpc.Do(req)
}

func (d *driver) get(url string) (int, []byte) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, []byte(err.Error())
	}
	resp, err := d.do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// eventually polls cond every 250 ms for up to limit.
func (d *driver) eventually(what string, limit time.Duration, cond func() (bool, string)) {
	deadline := time.Now().Add(limit)
	var last string
	for {
		ok, detail := cond()
		if ok {
			d.logf("ok: %s", what)
			return
		}
		last = detail
		if time.Now().After(deadline) {
			d.fail("%s: not within %v; last: %s", what, limit, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// healthy checks the health endpoints, which answer as soon as systemd
// reports the service started (READY=1), then waits for the leader.
func (d *driver) healthy() {
	for _, u := range []string{
		"http://127.0.0.1:5050/master/health",
		"http://127.0.0.1:5051/health",
		"http://127.0.0.1:8080/ping",
		"http://127.0.0.1:4400/ping",
	} {
		code, body := d.get(u)
		if code != http.StatusOK {
			d.fail("GET %s: %d %s", u, code, body)
		}
		d.logf("GET %s: 200", u)
	}
	for _, u := range []string{
		"http://127.0.0.1:8080/v2/leader",
		"http://127.0.0.1:4400/v1/scheduler/leader",
	} {
		d.eventually("GET "+u+" names a leader", 30*time.Second, func() (bool, string) {
			code, body := d.get(u)
			return code == http.StatusOK, fmt.Sprintf("%d %s", code, body)
		})
	}
}

type marathonTask struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

func (d *driver) appTasks() ([]marathonTask, string) {
	code, body := d.get("http://127.0.0.1:8080/v2/apps/sleeper/tasks")
	if code != http.StatusOK {
		return nil, fmt.Sprintf("%d %s", code, body)
	}
	var r struct {
		Tasks []marathonTask `json:"tasks"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err.Error() + ": " + string(body)
	}
	return r.Tasks, string(body)
}

// alive tells whether pid runs (and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

func (d *driver) run() {
	const pidFile = "/tmp/boot-sleeper.pid"
	rpm1 := filepath.Join(d.shared, "mesosbox-1.0.0.x86_64.rpm")
	rpm2 := filepath.Join(d.shared, "mesosbox-1.0.1.x86_64.rpm")

	// The booted root's rpm database is empty: the helper package stands for
	// the distribution's /bin/sh, which the host's /usr provides.
	d.sh("rpm", "-i", filepath.Join(d.shared, "testroot-sh-provides.rpm"), rpm1)
	if out, _ := d.try("systemctl", "is-enabled", "mesosbox"); out != "disabled" {
		d.fail("after install mesosbox is %q, want disabled (enable nothing on install)", out)
	}
	if out, _ := d.try("systemctl", "is-active", "mesosbox"); out != "inactive" {
		d.fail("after install mesosbox is %q, want inactive", out)
	}
	if out, _ := d.try("rpm", "-V", "mesosbox"); out != "" {
		d.fail("rpm -V: %s", out)
	}
	if out := d.sh("systemd-analyze", "verify", "/usr/lib/systemd/system/mesosbox.service"); strings.TrimSpace(out) != "" {
		d.fail("systemd-analyze verify is not silent")
	}

	// Settings through /etc/sysconfig/mesosbox, as an admin would.
	f, err := os.OpenFile("/etc/sysconfig/mesosbox", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		d.fail("%v", err)
	}
	// The package's default bind, 0.0.0.0, is not loopback: without
	// credentials the node generates an admin login, which every call below
	// then uses (that proves the generated password works).
	fmt.Fprint(f, "MESOSBOX_BIND=0.0.0.0\nMESOSBOX_ADVERTISE=127.0.0.1\nMESOSBOX_NODE_NAME=boot-node\nMESOSBOX_EXECUTOR=process\nMESOSBOX_CLUSTER=\"boot cluster\"\n")
	f.Close()

	// Type=notify: enable --now returns once mesosbox said READY=1.
	d.sh("systemctl", "enable", "--now", "mesosbox")
	if s := d.prop("ActiveState"); s != "active" {
		d.fail("ActiveState %q after enable --now", s)
	}
	if code, _ := d.get("http://127.0.0.1:8080/v2/apps"); code != http.StatusUnauthorized {
		d.fail("GET /v2/apps without the login: %d, want 401", code)
	}
	generated := d.readGeneratedLogin()
	d.healthy()
	d.sh("systemctl", "status", "--no-pager", "--lines=5", "mesosbox")
	if out := d.sh("/usr/bin/mesosbox", "members", "--address", "127.0.0.1:5050"); !strings.Contains(out, "boot-node") {
		d.fail("MESOSBOX_NODE_NAME from /etc/sysconfig/mesosbox was not applied")
	}
	if code, body := d.get("http://127.0.0.1:5050/master/state"); code != 200 || !strings.Contains(string(body), `"cluster":"boot cluster"`) {
		d.fail("MESOSBOX_CLUSTER was not applied: %d %.300s", code, body)
	}
	for path, want := range map[string]os.FileMode{"/var/lib/mesosbox": os.ModeDir | 0o711, "/var/lib/mesosbox/join-token": 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode() != want {
			d.fail("%s: %v %v, want mode %v", path, fi.Mode(), err, want)
		}
	}

	// A Marathon app whose task writes its pid.
	app := `{"id":"/sleeper","cmd":"echo $$ > ` + pidFile + `; exec sleep 100000","cpus":0.1,"mem":32,"instances":1}`
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v2/apps", strings.NewReader(app))
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.do(req)
	if err != nil {
		d.fail("POST /v2/apps: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		d.fail("POST /v2/apps: %d %s", resp.StatusCode, body)
	}
	var taskID string
	d.eventually("the app's task is TASK_RUNNING", 60*time.Second, func() (bool, string) {
		tasks, detail := d.appTasks()
		if len(tasks) == 1 && tasks[0].State == "TASK_RUNNING" {
			taskID = tasks[0].ID
			return true, ""
		}
		return false, detail
	})
	var pid int
	d.eventually("the task's process runs", 20*time.Second, func() (bool, string) {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return false, err.Error()
		}
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return pid > 0 && alive(pid), string(b)
	})
	d.logf("task %s runs as pid %d", taskID, pid)

	sameTask := func(what string) {
		if !alive(pid) {
			d.fail("%s killed the task's process %d", what, pid)
		}
		d.eventually("Marathon still has the same running task after "+what, 60*time.Second, func() (bool, string) {
			tasks, detail := d.appTasks()
			return len(tasks) == 1 && tasks[0].ID == taskID && tasks[0].State == "TASK_RUNNING", detail
		})
		d.eventually("the agent re-attached to the task after "+what, 30*time.Second, func() (bool, string) {
			code, body := d.get("http://127.0.0.1:5051/state")
			return code == http.StatusOK && bytes.Contains(body, []byte(taskID)) && bytes.Contains(body, []byte(`"TASK_RUNNING"`)), fmt.Sprintf("%d %.500s", code, body)
		})
		if !alive(pid) {
			d.fail("the task's process %d died after %s", pid, what)
		}
	}

	// systemctl restart leaves the task running (KillMode=process).
	main1 := d.prop("MainPID")
	d.sh("systemctl", "restart", "mesosbox")
	if main2 := d.prop("MainPID"); main2 == main1 || d.prop("ActiveState") != "active" {
		d.fail("restart: MainPID %s -> %s, %s", main1, main2, d.prop("ActiveState"))
	}
	d.healthy()
	sameTask("systemctl restart mesosbox")

	// Upgrade: the settings stay, the running service is restarted, the
	// task survives.
	main2 := d.prop("MainPID")
	d.sh("rpm", "-U", rpm2)
	if q := strings.TrimSpace(d.sh("rpm", "-q", "mesosbox")); q != "mesosbox-1.0.1-1.x86_64" {
		d.fail("after upgrade: %s", q)
	}
	main3 := d.prop("MainPID")
	if main3 == main2 || d.prop("ActiveState") != "active" {
		d.fail("upgrade did not restart the running service: MainPID %s -> %s, %s", main2, main3, d.prop("ActiveState"))
	}
	if b, _ := os.ReadFile("/etc/sysconfig/mesosbox"); !bytes.Contains(b, []byte("MESOSBOX_NODE_NAME=boot-node\n")) {
		d.fail("upgrade lost the edited /etc/sysconfig/mesosbox")
	}
	if again := d.readGeneratedLogin(); again != generated {
		d.fail("the generated login changed across restart and upgrade")
	}
	d.healthy()
	sameTask("rpm -U")

	// Erase stops and disables the service and keeps the data.
	d.sh("rpm", "-e", "mesosbox")
	if s := d.prop("ActiveState"); s == "active" {
		d.fail("mesosbox still %s after rpm -e", s)
	}
	if _, err := os.Stat("/usr/bin/mesosbox"); err == nil {
		d.fail("/usr/bin/mesosbox left after rpm -e")
	}
	if _, err := os.Stat("/var/lib/mesosbox/join-token"); err != nil {
		d.fail("rpm -e lost the data dir: %v", err)
	}
	if _, err := os.Stat("/etc/systemd/system/multi-user.target.wants/mesosbox.service"); err == nil {
		d.fail("rpm -e left the unit enabled")
	}
	syscall.Kill(pid, syscall.SIGKILL)
}
