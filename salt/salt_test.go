// Package salt holds the Salt state that installs mesosbox on a cluster
// (salt/mesosbox). Salt itself is not installable here, so the tests render
// the state the way Salt does — Jinja with the jinja2.ext.do extension and
// Salt's salt['pillar.get'], grains and pillar — through Debian's
// python3-jinja2, then parse the result with python3-yaml.
package salt

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/auth"
)

// renderPy renders init.sls for one minion and the sysconfig template that
// its file.managed state names, with the context that state gives it.
const renderPy = `
import json, sys, jinja2, yaml

root, pillar_path, minion, os_family = sys.argv[1:5]
pillar = yaml.safe_load(open(pillar_path))

def pillar_get(key, default=''):
    cur = pillar
    for part in key.split(':'):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur

grains = {'id': minion, 'os_family': os_family}
salt = {'pillar.get': pillar_get}
env = jinja2.Environment(loader=jinja2.FileSystemLoader(root),
                         extensions=['jinja2.ext.do'],
                         undefined=jinja2.StrictUndefined)
base = {'salt': salt, 'grains': grains, 'pillar': pillar}
text = env.get_template('mesosbox/init.sls').render(**base)
sls = yaml.safe_load(text)
files = {}
for sid, body in sls.items():
    for fn, args in body.items():
        if fn != 'file.managed':
            continue
        opts = {}
        for a in args:
            opts.update(a)
        assert opts.get('template') == 'jinja', opts
        src = opts['source']
        assert src.startswith('salt://'), src
        ctx = dict(base)
        ctx.update(opts.get('context', {}))
        files[opts['name']] = env.get_template(src[len('salt://'):]).render(**ctx)
json.dump({'yaml': text, 'sls': sls, 'files': files}, sys.stdout)
`

type rendered struct {
	YAML  string                                 `json:"yaml"`
	SLS   map[string]map[string][]map[string]any `json:"sls"`
	Files map[string]string                      `json:"files"`
}

func render(t *testing.T, pillar, minion, osFamily string) rendered {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", "-c", renderPy, ".", pillar, minion, osFamily)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("render for %s: %v\n%s", minion, err, stderr.String())
	}
	var r rendered
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("render output: %v\n%s", err, out)
	}
	return r
}

// arg returns the value of key in a state's argument list.
func arg(t *testing.T, r rendered, id, fn, key string) any {
	t.Helper()
	st, ok := r.SLS[id]
	if !ok {
		t.Fatalf("no state %q in:\n%s", id, r.YAML)
	}
	args, ok := st[fn]
	if !ok {
		t.Fatalf("state %q has no %s:\n%s", id, fn, r.YAML)
	}
	for _, a := range args {
		if v, ok := a[key]; ok {
			return v
		}
	}
	t.Fatalf("state %q %s has no %s:\n%s", id, fn, key, r.YAML)
	return nil
}

// envLines are the KEY=value lines of an environment file, comments left out.
func envLines(text string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}

func TestStateRendersForEachNodeOfThePillarExample(t *testing.T) {
	pillar := filepath.Join("mesosbox", "pillar.example")
	nodes := []string{"mesos1.example.com", "mesos2.example.com", "mesos3.example.com"}
	const token = `"5d0f6a4e2c1b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b"`
	for i, node := range nodes {
		r := render(t, pillar, node, "RedHat")
		wantIDs := []string{"mesosbox-repo", "mesosbox-pkg", "mesosbox-sysconfig", "mesosbox-credentials", "mesosbox-firewall", "mesosbox-service"}
		for _, id := range wantIDs {
			if _, ok := r.SLS[id]; !ok {
				t.Errorf("%s: no state %s", node, id)
			}
		}
		if len(r.SLS) != len(wantIDs) {
			t.Errorf("%s: %d states, want %d:\n%s", node, len(r.SLS), len(wantIDs), r.YAML)
		}
		if got := arg(t, r, "mesosbox-pkg", "pkg.installed", "name"); got != "mesosbox" {
			t.Errorf("pkg name %v", got)
		}
		if got := arg(t, r, "mesosbox-repo", "pkgrepo.managed", "baseurl"); got != "http://repo.example.com/mesosbox/" {
			t.Errorf("repo baseurl %v", got)
		}
		if got := arg(t, r, "mesosbox-sysconfig", "file.managed", "name"); got != "/etc/sysconfig/mesosbox" {
			t.Errorf("sysconfig path %v", got)
		}
		if got := arg(t, r, "mesosbox-sysconfig", "file.managed", "mode"); got != "0600" {
			t.Errorf("sysconfig mode %v, want '0600' (it holds the join token)", got)
		}
		if got := arg(t, r, "mesosbox-firewall", "firewalld.present", "name"); got != "internal" {
			t.Errorf("firewall zone %v", got)
		}
		if got := arg(t, r, "mesosbox-firewall", "firewalld.present", "services"); !reflect.DeepEqual(got, []any{"mesosbox"}) {
			t.Errorf("firewall services %v", got)
		}
		if got := arg(t, r, "mesosbox-firewall", "firewalld.present", "sources"); !reflect.DeepEqual(got, []any{"10.0.0.0/24"}) {
			t.Errorf("firewall sources %v", got)
		}
		if got := arg(t, r, "mesosbox-service", "service.running", "enable"); got != true {
			t.Errorf("service enable %v", got)
		}
		watch := arg(t, r, "mesosbox-service", "service.running", "watch")
		if !reflect.DeepEqual(watch, []any{map[string]any{"pkg": "mesosbox-pkg"}, map[string]any{"file": "mesosbox-sysconfig"}, map[string]any{"file": "mesosbox-credentials"}}) {
			t.Errorf("service watch %v", watch)
		}

		env := envLines(r.Files["/etc/sysconfig/mesosbox"])
		if env["MESOSBOX_JOIN_TOKEN"] != token {
			t.Errorf("%s: token %q", node, env["MESOSBOX_JOIN_TOKEN"])
		}
		wantJoin := ""
		if i > 0 { // the first node starts the cluster; the others join the rest
			var others []string
			for _, n := range nodes {
				if n != node {
					others = append(others, n)
				}
			}
			wantJoin = `"` + strings.Join(others, ",") + `"`
		}
		if env["MESOSBOX_JOIN"] != wantJoin {
			t.Errorf("%s: MESOSBOX_JOIN %q, want %q", node, env["MESOSBOX_JOIN"], wantJoin)
		}
		checkCredentials(t, r, node, env)
		if want := `"10.0.0.1` + string(rune('1'+i)) + `"`; env["MESOSBOX_BIND"] != want {
			t.Errorf("%s: MESOSBOX_BIND %q, want %s", node, env["MESOSBOX_BIND"], want)
		}
		if env["MESOSBOX_LOG_LEVEL"] != `"info"` || env["MESOSBOX_CLUSTER"] != `"prod"` || env["MESOSBOX_EXECUTOR"] != `"auto"` {
			t.Errorf("%s: settings not written: %v", node, env)
		}
		for k := range env {
			if !strings.HasPrefix(k, "MESOSBOX_") {
				t.Errorf("%s: line %q is not a MESOSBOX_ variable", node, k)
			}
		}
	}
}

func TestStateOnDebianAndWithoutOptionalPillar(t *testing.T) {
	dir := t.TempDir()
	minimal := filepath.Join(dir, "pillar.sls")
	if err := os.WriteFile(minimal, []byte("mesosbox:\n  firewalld: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := render(t, minimal, "solo", "Debian")
	for _, id := range []string{"mesosbox-repo", "mesosbox-firewall"} {
		if _, ok := r.SLS[id]; ok {
			t.Errorf("state %s rendered without its pillar", id)
		}
	}
	if got := arg(t, r, "mesosbox-sysconfig", "file.managed", "name"); got != "/etc/default/mesosbox" {
		t.Errorf("Debian sysconfig path %v", got)
	}
	if _, ok := r.SLS["mesosbox-credentials"]; ok {
		t.Error("credentials file state without the pillar")
	}
	env := envLines(r.Files["/etc/default/mesosbox"])
	if len(env) != 0 {
		t.Errorf("a lone node without settings has variables %v", env)
	}
}

// checkCredentials: the example pillar's logins land in one 0600 file,
// which the node is pointed at and which mesosbox reads (the example's
// admin hash is of "pa55word", as in the README).
func checkCredentials(t *testing.T, r rendered, node string, env map[string]string) {
	t.Helper()
	const path = "/etc/mesosbox/http-credentials"
	if env["MESOSBOX_HTTP_CREDENTIALS"] != `"`+path+`"` {
		t.Errorf("%s: MESOSBOX_HTTP_CREDENTIALS %q", node, env["MESOSBOX_HTTP_CREDENTIALS"])
	}
	if got := arg(t, r, "mesosbox-credentials", "file.managed", "mode"); got != "0600" {
		t.Errorf("%s: credentials mode %v", node, got)
	}
	creds, err := auth.Parse(strings.NewReader(r.Files[path]), path)
	if err != nil {
		t.Fatalf("%s: %v\n%s", node, err, r.Files[path])
	}
	if !creds.Check("admin", "pa55word") || creds.Users() != 1 {
		t.Errorf("%s: the example login does not work:\n%s", node, r.Files[path])
	}
}
