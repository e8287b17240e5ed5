package mesosjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// A container status as mesos-go encodes it has null members; Mesos'
// JSON has none, and the order of the fields, numbers and escaping stay
// as encoding/json wrote them.
func TestNoNulls(t *testing.T) {
	ip := "10.0.0.1"
	pid := uint32(4242)
	cs := &mesos.ContainerStatus{ExecutorPID: &pid,
		NetworkInfos: []mesos.NetworkInfo{{IPAddresses: []mesos.NetworkInfo_IPAddress{{IPAddress: &ip}}}}}
	plain, _ := json.Marshal(cs)
	if !strings.Contains(string(plain), `"port_mappings":null`) {
		t.Fatalf("mesos-go's encoding changed: %s", plain)
	}
	got, err := Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"network_infos":[{"ip_addresses":[{"ip_address":"10.0.0.1"}]}],"executor_pid":4242}`; string(got) != want {
		t.Fatalf("Marshal:\n got %s\nwant %s", got, want)
	}
	if o := Object(cs); o["network_infos"] == nil || o["executor_pid"] != json.Number("4242") {
		t.Fatalf("Object: %v", o)
	}
	for in, want := range map[string]string{
		`{"a":null}`:       `{}`,
		`{"a":null,"b":1}`: `{"b":1}`,
		`{"a":1,"b":null}`: `{"a":1}`,
		`{"a":null,"b":null,"c":[null,{"d":null}]}`: `{"c":[null,{}]}`,
		`{"s":"x\":null,\\","n":null,"t":"null"}`:   `{"s":"x\":null,\\","t":"null"}`,
		`[{"a":{"b":null},"c":null},null]`:          `[{"a":{}},null]`,
		`null`:                                      `null`,
	} {
		if got := stripNullMembers([]byte(in)); string(got) != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// FuzzStripNullMembers: for any value encoding/json writes, the result is
// valid JSON and means the value without its null members.
func FuzzStripNullMembers(f *testing.F) {
	for _, s := range []string{`{"a":null,"b":[1,null,{"c":null,"d":"e"}]}`, `[]`, `"x"`, `{"":{"":null}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			return
		}
		got := stripNullMembers(b)
		var gv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("%s -> invalid %s: %v", b, got, err)
		}
		dropNulls(v)
		if !reflect.DeepEqual(gv, v) {
			t.Fatalf("%s -> %s, want the same without null members", b, got)
		}
	})
}

func dropNulls(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range x {
			dropNulls(e)
		}
	}
}
