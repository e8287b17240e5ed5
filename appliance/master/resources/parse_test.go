package resources

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Resources
	}{
		{"", Resources{}},
		{"cpus:2;mem:4096;disk:1000;ports:[31000-31999,32005-32010]", Resources{
			CPUs: 2000, Mem: 4_096_000, Disk: 1_000_000,
			Ports: Ranges{{31000, 31999}, {32005, 32010}},
		}},
		{"cpus(*):2; mem( * ):512", Resources{CPUs: 2000, Mem: 512_000}},
		{" cpus : 0.5 ;;", Resources{CPUs: 500}},
		{"cpus:1;cpus:0.5", Resources{CPUs: 1500}}, // repeated names add up
		{"ports:[1-5];ports:[3-9]", Resources{Ports: Ranges{{1, 9}}}},
		{"ports:[ 10 - 20 , 1-2 ]", Resources{Ports: Ranges{{1, 2}, {10, 20}}}},
		{"ports:[]", Resources{}},
		{"mem:1e3", Resources{Mem: 1_000_000}},
		{"cpus:0.0015", Resources{CPUs: 2}},
		{"gpus:2", Resources{GPUs: 2000}},
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseCustomScalar(t *testing.T) {
	r, err := Parse("cpus:1;bandwidth:100;fpga.slots:2")
	if err != nil {
		t.Fatal(err)
	}
	if r.Scalar("bandwidth") != ScalarOf(100) || r.Scalar("fpga.slots") != ScalarOf(2) {
		t.Fatalf("custom scalars: %v", r)
	}
	if got, want := r.String(), "cpus:1;bandwidth:100;fpga.slots:2"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for in, wantMsg := range map[string]string{
		"cpus":                           `expected "name:value"`,
		"cpus:":                          "missing value",
		":2":                             "empty resource name",
		"cpus:two":                       "not a number",
		"cpus:-1":                        "negative",
		"cpus:NaN":                       "not a number",
		"cpus:Inf":                       "not a number",
		"cpus:0x10":                      "not a number",
		"cpus:1_0":                       "not a number",
		"cpus:1e400":                     "not a number",
		"mem:1e13":                       "exceeds the maximum",
		"mem:1e12;mem:1":                 "total exceeds the maximum",
		"gpus:0.5":                       "whole number",
		"cpus(web):2":                    "reservations are not supported",
		"cpus(*:2":                       "unterminated role",
		"cpu s:2":                        "only letters",
		"ports:5":                        "must be ranges",
		"ports:[1-2":                     "unterminated ranges",
		"ports:[5-1]":                    "begin is greater than end",
		"ports:[1-2,]":                   `expected "begin-end"`,
		"ports:[7]":                      `expected "begin-end"`,
		"ports:[a-b]":                    "non-negative integers",
		"ports:[-1-5]":                   "non-negative integers",
		"ports:[1-99999999999999999999]": "non-negative integers",
		"mem:[1-2]":                      "only \"ports\" may hold ranges",
		"disks:{a,b}":                    "set-valued resources are not supported",
	} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error containing %q", in, wantMsg)
			continue
		}
		if !strings.Contains(err.Error(), wantMsg) || !strings.Contains(err.Error(), "invalid resource") {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", in, err, wantMsg)
		}
	}
}

func TestString(t *testing.T) {
	r := Resources{CPUs: 2500, Mem: 4_096_000, GPUs: 1000, Ports: Ranges{{31000, 31005}, {31010, 31010}}}
	if got, want := r.String(), "cpus:2.5;mem:4096;gpus:1;ports:[31000-31005, 31010-31010]"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	if got := (Resources{}).String(); got != "" {
		t.Fatalf("empty String = %q", got)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// round-trips through String.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"cpus:2;mem:4096;disk:1000;ports:[31000-31999,32005-32010]",
		"cpus(*):0.25;gpus:1",
		"custom:1.5;ports:[]",
		"ports:[1-2, 3-4];ports:[0-0]",
		"mem:1e3;cpus:0.0005",
		"cpus(role):1",
		"ports:[18446744073709551615-18446744073709551615]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		text := r.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) = %v, but Parse of its String %q failed: %v", s, r, text, err)
		}
		if !again.Equal(r) {
			t.Fatalf("round trip of %q: %q parsed as %v, want %v", s, text, again, r)
		}
		if again.String() != text {
			t.Fatalf("String not stable: %q then %q", text, again.String())
		}
		if !normalized(r.Ports) {
			t.Fatalf("Parse(%q) ports not normalized: %v", s, r.Ports)
		}
		_ = r.V0()
	})
}
