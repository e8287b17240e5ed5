package resources

import (
	"encoding/json"
	"testing"
)

func TestV0(t *testing.T) {
	r := mustParse(t, "cpus:1;mem:128;ports:[31000-31005,31010-31010];bw:0.5")
	got, err := json.Marshal(r.V0())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bw":0.5,"cpus":1,"disk":0,"gpus":0,"mem":128,"ports":"[31000-31005, 31010-31010]"}`
	if string(got) != want {
		t.Fatalf("V0 JSON = %s, want %s", got, want)
	}

	empty, _ := json.Marshal(Resources{}.V0())
	if want := `{"cpus":0,"disk":0,"gpus":0,"mem":0}`; string(empty) != want {
		t.Fatalf("empty V0 JSON = %s, want %s", empty, want)
	}

	// Fixed point survives into JSON: 0.1+0.2 is written as 0.3.
	sum, _ := json.Marshal(mustParse(t, "cpus:0.1").Add(mustParse(t, "cpus:0.2")).V0()["cpus"])
	if string(sum) != "0.3" {
		t.Fatalf("0.1+0.2 cpus in JSON = %s", sum)
	}
}
