package drf

import (
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func TestParseMinAllocatable(t *testing.T) {
	got, err := ParseMinAllocatable("cpus:1;mem:32 | disk:100")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Equal(res("cpus:1;mem:32")) || !got[1].Equal(res("disk:100")) {
		t.Fatalf("ParseMinAllocatable = %v", got)
	}

	empty, err := ParseMinAllocatable(" ")
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("ParseMinAllocatable(\" \") = %#v, %v; want an empty non-nil list", empty, err)
	}

	for in, want := range map[string]string{
		"cpus:x":             "not a number",
		"cpus:1|ports:[1-2]": "only scalar quantities",
		"cpus(web):1":        "reservations are not supported",
	} {
		if _, err := ParseMinAllocatable(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMinAllocatable(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestDefaultMinAllocatable(t *testing.T) {
	d := DefaultMinAllocatable()
	if len(d) != 2 || !d[0].Equal(res("cpus:0.01")) || !d[1].Equal(res("mem:32")) {
		t.Fatalf("DefaultMinAllocatable = %v", d)
	}
	d[0] = res("cpus:100") // callers get a copy
	if again := DefaultMinAllocatable(); !again[0].Equal(res("cpus:0.01")) {
		t.Fatalf("DefaultMinAllocatable shares its backing array")
	}
}

func TestAllocatable(t *testing.T) {
	mins := DefaultMinAllocatable()
	for in, want := range map[string]bool{
		"":                      false,
		"cpus:0.01":             true,
		"mem:32":                true,
		"cpus:0.009;mem:31.999": false,
		"disk:1000000":          false,
		"ports:[1-1000]":        false,
	} {
		r := res(in)
		if got := allocatable(&r, mins); got != want {
			t.Errorf("allocatable(%q) = %v, want %v", in, got, want)
		}
	}
	anything := res("ports:[1-1]")
	if !allocatable(&anything, nil) || !allocatable(&anything, []resources.Resources{}) {
		t.Errorf("without a minimum, any non-empty slice is allocatable")
	}
	none := resources.Resources{}
	if allocatable(&none, nil) {
		t.Errorf("an empty slice is never allocatable")
	}
}
