package cli

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/auth/authtest"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestCLIOverTLS runs the CLI against a node with --tls-*, whose every
// port serves only HTTPS: with MESOSBOX_TLS_CA naming the cluster's CA,
// status (master, Marathon, Chronos) and app commands work; without it the
// plain-HTTP call fails; a CA that did not sign the node's certificate is
// refused, and a missing CA file is a one-line error.
func TestCLIOverTLS(t *testing.T) {
	ca := authtest.NewCA(t, "cluster")
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	cfg.TLSCert, cfg.TLSKey = ca.Issue(t, cfg.NodeName, "127.0.0.1")
	cfg.TLSCA = ca.CertFile
	n := nodetest.Start(t, cfg, nil)
	marathon := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "https://")
	chronos := strings.TrimPrefix(nodetest.URL(n, cfg.ChronosPort), "https://")
	master := strings.TrimPrefix(nodetest.URL(n, cfg.MasterPort), "https://")

	t.Setenv(caEnv, ca.CertFile)
	nodetest.WaitFor(t, 30*time.Second, "Marathon over https", func() bool {
		code, _, _ := runCLI("app", "list", "--marathon", marathon)
		return code == 0
	})
	file := writeFile(t, "web.json", `{"id": "/tls-web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 0}`)
	if code, out, errs := runCLI("app", "apply", file, "--marathon", marathon, "--detach"); code != 0 || !strings.Contains(out, "created /tls-web") {
		t.Fatalf("app apply over https: %d %q %q", code, out, errs)
	}
	var status string
	defer func() {
		if t.Failed() {
			t.Logf("last status: %s", status)
		}
	}()
	nodetest.WaitFor(t, 30*time.Second, "status over https", func() bool {
		code, out, errs := runCLI("status", "--address", master, "--marathon", marathon, "--chronos", chronos)
		status = fmt.Sprintf("exit %d\n%s\n%s", code, out, errs)
		return code == 0 && strings.Contains(out, "Apps: 1") && strings.Contains(out, "Agents: 1")
	})

	// doctor knows the node's ports as mesosbox's, over https.
	_, out, _ := runCLI("doctor", "--ports", strconv.Itoa(cfg.MasterPort)+","+strconv.Itoa(cfg.MarathonPort))
	for _, port := range []int{cfg.MasterPort, cfg.MarathonPort} {
		if l := doctorLine(out, "port "+strconv.Itoa(port)); !strings.HasPrefix(l, "OK   port "+strconv.Itoa(port)+" is served by mesosbox") {
			t.Errorf("doctor on a TLS node: %q\n%s", l, out)
		}
	}

	t.Setenv(caEnv, "")
	if code, _, errs := runCLI("app", "list", "--marathon", marathon); code == 0 || strings.Count(errs, "\n") != 1 {
		t.Fatalf("plain http to an https port: exit %d %q", code, errs)
	}
	other := authtest.NewCA(t, "other")
	t.Setenv(caEnv, other.CertFile)
	if code, _, errs := runCLI("app", "list", "--marathon", marathon); code == 0 || !strings.Contains(errs, "certificate") {
		t.Fatalf("another CA: exit %d %q", code, errs)
	}
	t.Setenv(caEnv, "/nonexistent/ca.pem")
	if code, _, errs := runCLI("app", "list", "--marathon", marathon); code == 0 || !strings.Contains(errs, "MESOSBOX_TLS_CA") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("a missing CA file: exit %d %q", code, errs)
	}
}
