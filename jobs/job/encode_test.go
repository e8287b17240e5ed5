package job

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// keys returns the top-level keys of a JSON object in order.
func keys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestEncodeFieldOrder(t *testing.T) {
	common := "name command shell executor executorFlags taskInfoData retries owner ownerName description " +
		"successCount errorCount lastSuccess lastError cpus disk mem disabled concurrent softError " +
		"dataProcessingJobType errorsSinceLastSuccess maxCompletionTime fetch uris environmentVariables " +
		"arguments highPriority runAsUser constraints"
	sched := decodeOK(t, `{"name":"a","schedule":"R/2024-03-10T00:00:00Z/P1D"}`, Scheduled, Defaults{})
	dep := decodeOK(t, `{"name":"b","parents":["a"]}`, Dependent, Defaults{})
	tests := []struct {
		job  *Job
		mode Mode
		want string
	}{
		{sched, V3, common + " schedule scheduleTimeZone"},
		{dep, V3, common + " parents"},
		{sched, V2, strings.Replace(strings.Replace(common, "shell", "shell epsilon", 1), "description", "description async", 1) + " schedule scheduleTimeZone"},
	}
	for _, tt := range tests {
		if got := strings.Join(keys(t, Encode(tt.job, tt.mode)), " "); got != tt.want {
			t.Errorf("keys:\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestEncodeValues(t *testing.T) {
	j := decodeOK(t, `{"name":"a","command":"echo <&>","schedule":"R/2024-03-10T00:00:00Z/P1D","epsilon":"PT0.5S","async":true}`, Scheduled, Defaults{Mode: V2})
	j.LastSuccess = time.Date(2024, 3, 10, 1, 2, 3, 4e6, time.FixedZone("X", 3600))
	out := string(Encode(j, V2))
	for _, want := range []string{`"command":"echo <&>"`, `"epsilon":"PT0.500S"`, `"async":true`, `"lastSuccess":"2024-03-10T00:02:03.004Z"`, `"lastError":""`} {
		if !strings.Contains(out, want) {
			t.Errorf("Encode lacks %s: %s", want, out)
		}
	}
	if strings.Contains(string(Encode(j, V3)), "epsilon") {
		t.Error("3.x output has epsilon")
	}
	list := EncodeList([]*Job{j, j}, V3)
	var arr []map[string]any
	if err := json.Unmarshal(list, &arr); err != nil || len(arr) != 2 {
		t.Errorf("EncodeList: %v %s", err, list)
	}
	if string(EncodeList(nil, V3)) != "[]" {
		t.Error("empty list")
	}
}

// TestClone: a clone shares no memory with the original.
func TestClone(t *testing.T) {
	body := testdataJob(t, "docker")
	j := decodeOK(t, body, Scheduled, Defaults{})
	j.Container.Volumes = append(j.Container.Volumes, Volume{ContainerPath: "/x", External: &ExternalVolume{Name: "n", Provider: "p", Options: []KeyValue{{"a", "b"}}}})
	c := j.Clone()
	c.Container.Volumes[0].HostPath = "/changed"
	c.Container.Volumes[1].External.Options[0].Value = "changed"
	c.Container.Parameters[0].Value = "changed"
	c.Arguments = append(c.Arguments, "x")
	if j.Container.Volumes[0].HostPath == "/changed" || j.Container.Volumes[1].External.Options[0].Value == "changed" ||
		j.Container.Parameters[0].Value == "changed" || len(j.Arguments) != 0 {
		t.Error("Clone shares memory with the original")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
