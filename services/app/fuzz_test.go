package app

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode: Decode never panics and only returns *Error values; an app
// that decodes and validates encodes, decodes and re-encodes to the same
// value and bytes, and the helpers that take an app do not panic on it.
func FuzzDecode(f *testing.F) {
	for _, name := range fixtures {
		body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, seed := range []string{
		`{"id":"a","cmd":"xx"}`,
		`{"id":"a","args":["x"],"networks":[{"name":"n"}],"container":{"type":"MESOS","portMappings":[{"containerPort":0}]}}`,
		`{"id":"../a/./b","cmd":"xx","dependencies":["c"],"env":{"A":{"secret":"s"}},"secrets":{"s":{"source":"x"}}}`,
		`{"id":"a","cmd":"xx","ipAddress":{"networkName":"mesos-bridge","discovery":{"ports":[{"name":"p","number":1}]}}}`,
		`{"id":"a","container":{"docker":{"image":"i","network":"USER","portMappings":[{"containerPort":1,"hostPort":2}]}},"ipAddress":{"networkName":"x"}}`,
		`{"id":"a","cmd":"xx","container":{"type":"MESOS","volumes":[{"containerPath":"d","persistent":{"size":1,"type":"mount","maxSize":2}}]}}`,
		`{"id":"a","cmd":"xx","healthChecks":[{"command":{"value":"x"}},{"protocol":"MESOS_HTTPS","port":1}],"check":{"exec":{"command":{"argv":["a"]}}}}`,
		`{"id":"a","cmd":"xx","resourceLimits":{"cpus":"unlimited","mem":1e3},"unreachableStrategy":"disabled","readinessChecks":[{"portName":"default"}]}`,
		`{"id":"a","cmd":"xx","constraints":[["h","LIKE","a(b|c)*"],["r","GROUP_BY",2],["x","IS","-1.5"]],"ports":[0,0]}`,
		`{"id":"a","cmd":"xx","version":"2020-01-01T00:00:00.001+05:30","versionInfo":{"lastScalingAt":"2020-01-01T00:00:00Z","lastConfigChangeAt":"2020-01-01T00:00:00Z"}}`,
		`{"id":"a","cmd":"xx","instances":1e2,"cpus":-0,"mem":0}`,
		`[]`, `null`, `{"id":`, `{"id":"a","labels":{"\u0000":"\ud83d\ude00"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := Decode(body, "/g")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Status != 400 && e.Status != 422) {
				t.Fatalf("Decode error %v (%T) is not a 400/422 *Error", err, err)
			}
			if _, jerr := json.Marshal(e); jerr != nil {
				t.Fatalf("error does not render: %v", jerr)
			}
			return
		}
		Defaults(a)
		again := a.Clone()
		Defaults(again)
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("Defaults is not idempotent:\n%+v\n%+v", a, again)
		}
		_ = TaskEnv(a, []uint64{0, 31000, 31001}, "h", NewTaskID(a.ID, testUUID), "/s")
		_ = CanPlace(a.Constraints, Placement{Hostname: "h", Attributes: map[string]string{"rack": "r"}}, []Placement{{Hostname: "h"}})
		if merged, err := Merge(a, body); err == nil {
			Defaults(merged)
			_ = Validate(merged)
		}
		if Validate(a) != nil {
			return
		}
		out, err := Encode(a)
		if err != nil {
			t.Fatalf("Encode of a valid app: %v", err)
		}
		b, err := Decode(out, "/")
		if err != nil {
			t.Fatalf("own output rejected: %v\n%s", err, out)
		}
		Defaults(b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip differs\n in: %s\n%+v\n%+v", out, a, b)
		}
		if out2, _ := Encode(b); !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding differs\n%s\n%s", out, out2)
		}
		if err := Validate(b); err != nil {
			t.Fatalf("round-tripped app invalid: %v", err)
		}
		if IsConfigChange(a, b) {
			t.Fatal("round trip counts as a config change")
		}
	})
}

// escapeSelector escapes every character a selector term does not allow.
func escapeSelector(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 && isTermChar(s[i]) {
			b.WriteByte(s[i])
		} else {
			b.WriteByte('\\')
			b.WriteString(s[i : i+size])
		}
		i += size
		_ = r
	}
	return b.String()
}

// FuzzSelector: parsing never panics, errors read like Marathon's, and any
// label key and value, escaped, select exactly that label.
func FuzzSelector(f *testing.F) {
	f.Add("env==prod, tier in (a, b), flag", "env", "prod")
	f.Add(`\!\!\! in (\-\-\-, \&\&\&)`, "a b", "x,y")
	f.Add("a notin ()", "k", "")
	f.Add("x!=y,,", "é", "\\")
	f.Add("(", "in", "notin")
	f.Fuzz(func(t *testing.T, q, key, value string) {
		s, err := ParseSelector(q)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Can not parse label selector "+q+". Reason: ") {
				t.Fatalf("error %q", err)
			}
		} else {
			_ = s.Matches(map[string]string{key: value, "env": "prod"})
		}
		if key == "" || !utf8.ValidString(key) || !utf8.ValidString(value) ||
			strings.ContainsFunc(key+value, isLineTerminator) {
			return
		}
		k, v := escapeSelector(key), escapeSelector(value)
		for _, sel := range []string{k, k + "==" + v, k + " in (" + v + ", x)", k + " notin (" + v + "x)"} {
			if value == "" && sel != k {
				continue // an empty value is not a term
			}
			s, err := ParseSelector(sel)
			if err != nil {
				t.Fatalf("ParseSelector(%q) for key %q value %q: %v", sel, key, value, err)
			}
			if !s.Matches(map[string]string{key: value}) {
				t.Fatalf("%q does not match %q=%q", sel, key, value)
			}
			if s.Matches(map[string]string{key + "x": value}) {
				t.Fatalf("%q matches another key", sel)
			}
		}
	})
}

// FuzzParseTaskID: parsing never panics, names an absolute app without
// empty segments, and the id of a valid app parses back to it.
func FuzzParseTaskID(f *testing.F) {
	f.Add("prod_web.instance-"+testUUID+"._app.1", "/prod/web", []byte{1, 2, 3})
	f.Add("my.app."+testUUID, "/my.app", []byte{0xff})
	f.Add("a_b.marathon-"+testUUID+".$anon.3", "/a.b/c-d", []byte{})
	f.Add("x_"+testUUID, "/x", []byte("0123456789abcdef"))
	f.Fuzz(func(t *testing.T, s, appID string, raw []byte) {
		if app, ok := ParseTaskID(s); ok {
			segs, abs := splitPath(app)
			if !abs || len(segs) == 0 || strings.Count(app, "/") != len(segs) {
				t.Fatalf("ParseTaskID(%q) = %q", s, app)
			}
			if back, ok := ParseTaskID(NewTaskID(app, testUUID)); !ok || back != app {
				t.Fatalf("NewTaskID(%q) parses to %q %v", app, back, ok)
			}
		}
		var v Violations
		validatePathID(&v, "/id", appID)
		if !v.Empty() || CanonicalPath(appID, "/") != appID {
			return // apps only ever have valid, canonical ids
		}
		var buf [16]byte
		copy(buf[:], raw)
		h := hex.EncodeToString(buf[:])
		uuid := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		id := NewTaskID(appID, uuid)
		if back, ok := ParseTaskID(id); !ok || back != appID {
			t.Fatalf("ParseTaskID(NewTaskID(%q)) = %q %v (id %q)", appID, back, ok, id)
		}
	})
}
