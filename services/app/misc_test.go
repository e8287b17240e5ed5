package app

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestCloneIsDeep(t *testing.T) {
	a := loadFixture(t, "docker_deprecated")
	a.Env = map[string]EnvValue{"S": SecretRef("s")}
	a.TaskKillGracePeriodSeconds = ptr(3)
	b := a.Clone()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("clone differs")
	}
	b.Container.Docker.Parameters[0].Value = "changed"
	b.Container.PortMappings[0].Labels["VIP_0"] = "changed"
	*b.Container.PortMappings[0].HostPort = 5
	*b.Env["S"].Secret = "other"
	*b.TaskKillGracePeriodSeconds = 9
	b.Networks[0].Mode = "x"
	b.Dependencies[0] = "x"
	b.UpgradeStrategy.MaximumOverCapacity = 0
	if a.Container.Docker.Parameters[0].Value == "changed" || a.Container.PortMappings[0].Labels["VIP_0"] == "changed" ||
		*a.Container.PortMappings[0].HostPort == 5 || *a.Env["S"].Secret == "other" || *a.TaskKillGracePeriodSeconds == 9 ||
		a.Networks[0].Mode == "x" || a.Dependencies[0] == "x" || a.UpgradeStrategy.MaximumOverCapacity == 0 {
		t.Error("clone shares memory with the original")
	}
	if (*App)(nil).Clone() != nil {
		t.Error("nil clone")
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", 128: "128.0", 0.1: "0.1", 1.15: "1.15", -1: "-1.0", 0.001: "0.001",
		0.0001: "1.0E-4", 12345678: "1.2345678E7", 1e7: "1.0E7", 9999999: "9999999.0", 1.5e-10: "1.5E-10",
		math.MaxFloat64: "1.7976931348623157E308",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestCanonicalPath(t *testing.T) {
	for _, c := range []struct{ id, base, want string }{
		{"", "/", "/"},
		{"/", "/g", "/"},
		{".", "/g", "/g"},
		{"..", "/g/h", "/g"},
		{"a/../../..", "/g", "/"},
		{"//a///b//", "/", "/a/b"},
	} {
		if got := CanonicalPath(c.id, c.base); got != c.want {
			t.Errorf("CanonicalPath(%q, %q) = %q, want %q", c.id, c.base, got, c.want)
		}
	}
}

func TestErrorRendering(t *testing.T) {
	var v Violations
	v.Add("/a", "x")
	v.Add("/b", "y")
	v.Add("/a", "z")
	v.Add("/a", "x")
	e := v.asError(MessageNotValid)
	b, _ := json.Marshal(e)
	if string(b) != `{"message":"Object is not valid","details":[{"path":"/a","errors":["x","z"]},{"path":"/b","errors":["y"]}]}` {
		t.Errorf("body = %s", b)
	}
	if e.Error() != "Object is not valid: /a x, z; /b y" {
		t.Errorf("Error() = %q", e.Error())
	}
	s := syntaxError("unexpected EOF")
	if b, _ := json.Marshal(s); string(b) != `{"message":"Invalid JSON","details":"unexpected EOF"}` || s.Status != 400 {
		t.Errorf("syntax body = %s", b)
	}
	if s.Error() != "Invalid JSON: unexpected EOF" {
		t.Errorf("Error() = %q", s.Error())
	}
	if (&Violations{}).asError(MessageNotValid) != nil {
		t.Error("empty violations produced an error")
	}
}

func TestValidURI(t *testing.T) {
	for u, want := range map[string]bool{
		"http://example.com/a.tgz":       true,
		"hdfs://nn:8020/path/f?x=1#frag": true,
		"file:///tmp/a%20b":              true,
		"relative/path":                  true,
		"http://h/ä":                     true,
		"http://h/a b":                   false,
		"http://h/a%2":                   false,
		"http://h/a%zz":                  false,
		"http://h/<x>":                   false,
		"http://h/\x7f":                  false,
		"http://h/a\u2028":               false,
		"http://[::1":                    false,
	} {
		if got := validURI(u); got != want {
			t.Errorf("validURI(%q) = %v, want %v", u, got, want)
		}
	}
}
