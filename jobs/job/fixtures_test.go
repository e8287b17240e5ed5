package job

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// fixtureNow is when the fixtures are posted.
var fixtureNow = time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)

// TestFixtures decodes the job examples of Chronos' API docs (and two of our
// own) and compares what GET would print with the golden files; re-run with
// -update after a deliberate change and read the diff.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
		mode Mode
	}{
		{"scheduled", Scheduled, V3},
		{"scheduled", Scheduled, V2},
		{"dependent", Dependent, V3},
		{"docker", Scheduled, V3},
		{"fetch", Scheduled, V3},
		{"uris", Scheduled, V3},
		{"runonce", Scheduled, V2},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.mode == V2 {
			name += ".v2"
		}
		t.Run(name, func(t *testing.T) {
			j, err := Decode([]byte(testdataJob(t, tt.file)), tt.kind, Defaults{Mode: tt.mode}, fixtureNow)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, Encode(j, tt.mode), "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Encode differs from %s:\n%s", golden, got.String())
			}
			// What GET prints posts back to the same job.
			again, err := Decode(Encode(j, V2), tt.kind, Defaults{Mode: V2}, fixtureNow)
			if err != nil {
				t.Fatalf("re-Decode: %v", err)
			}
			if !reflect.DeepEqual(j, again) {
				t.Errorf("round trip changed the job:\n%+v\n%+v", j, again)
			}
		})
	}
}

// testdataJob reads a fixture.
func testdataJob(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
