package job

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every refusal is an
// *Error (a 400, never a 500), and that an accepted job survives what a
// client does with GET output: posting it back gives the same job (2.x form,
// which carries every field) and the same 3.x output.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, false)
		f.Add(body, true)
	}
	for _, s := range []string{
		`{"name":"a","parents":["b","b"],"schedule":"R/x/P1D"}`,
		`{"name":"a","cpus":"1e3","mem":null,"retries":"2.5","shell":0}`,
		`{"name":"a","uris":["u"],"fetch":[{"uri":"u","extract":"false"}]}`,
		`{"name":"a","container":{"image":"i","volumes":[{"containerPath":"/c","external":{"name":"n","provider":"p"}}],"networkInfos":[{"name":"n","portMappings":[{"containerPort":1}]}]}}`,
		`{"name":"a","constraints":[["h","LIKE","a|b"],["h","CLUSTER"]],"epsilon":"P1Y2M3W4DT5H6M7.008S"}`,
		`{"name":"a","schedule":"0 2 * * *","scheduleTimeZone":"PST","lastSuccess":"2024-01-01T00:00:00.123456789+05:30"}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, dependent bool) {
		kind := Scheduled
		if dependent {
			kind = Dependent
		}
		j, err := Decode(body, kind, Defaults{Mode: V2}, fixtureNow)
		if err != nil {
			var bad *Error
			if !errors.As(err, &bad) {
				t.Fatalf("error %v is a %T", err, err)
			}
			return
		}
		again, err := Decode(Encode(j, V2), kind, Defaults{Mode: V2}, fixtureNow)
		if err != nil {
			t.Fatalf("GET output does not post back: %v\n%s", err, Encode(j, V2))
		}
		if !reflect.DeepEqual(j, again) {
			t.Fatalf("round trip changed the job:\n%+v\n%+v", j, again)
		}
		v3 := Encode(j, V3)
		j3, err := Decode(v3, kind, Defaults{}, fixtureNow)
		if err != nil {
			t.Fatalf("3.x GET output does not post back: %v\n%s", err, v3)
		}
		if out := Encode(j3, V3); !bytes.Equal(out, v3) {
			t.Fatalf("3.x round trip:\n%s\n%s", v3, out)
		}
	})
}
