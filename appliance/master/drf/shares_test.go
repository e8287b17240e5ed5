package drf

import (
	"reflect"
	"testing"
)

func TestShares(t *testing.T) {
	s := Snapshot{
		Agents: []Agent{
			agent("a0", "cpus:8;mem:8192"),
			{ID: "a1", Total: res("cpus:2;mem:2048")}, // inactive: still counts
			agent("a0", "cpus:100"),                   // duplicate: ignored
		},
		Frameworks: []Framework{
			allocated(fw("f2", "web"), "web", "cpus:2;mem:1024"),
			allocated(fw("f1", "web", "batch"), "web", "cpus:1;mem:4096"),
			allocated(fw("f3"), "old", "mem:512"), // holds resources in a role it left
			fw("f1", "ignored"),                   // duplicate
		},
		Weights: map[string]float64{"web": 2, "reserved-for-later": 0.5, "": 9},
	}
	got := Shares(s)
	want := []RoleShare{
		{Role: "batch", Weight: 1, Frameworks: []string{"f1"}},
		{Role: "old", Weight: 1, Frameworks: []string{"f3"}, Allocated: res("mem:512"), DominantShare: 512.0 / 10240},
		{Role: "reserved-for-later", Weight: 0.5},
		{Role: "web", Weight: 2, Frameworks: []string{"f1", "f2"}, Allocated: res("cpus:3;mem:5120"), DominantShare: 0.5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Shares =\n%+v\nwant\n%+v", got, want)
	}
}

func TestSharesEmpty(t *testing.T) {
	if got := Shares(Snapshot{}); len(got) != 0 {
		t.Fatalf("Shares of an empty snapshot = %v", got)
	}
}
