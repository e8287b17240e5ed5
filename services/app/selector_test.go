package app

import (
	"strings"
	"testing"
)

func TestSelectorMatches(t *testing.T) {
	labels := map[string]string{
		"env":   "prod",
		"tier":  "frontend",
		"flag":  "",
		"a b":   "x,y",
		"!!!":   "---",
		"dot.k": "v.1",
	}
	cases := []struct {
		q    string
		want bool
	}{
		{"", true},
		{"   ", true},
		{"env", true},
		{"missing", false},
		{"flag", true},
		{"env==prod", true},
		{"env == prod", true},
		{"env==qa", false},
		{"env!=qa", true},
		{"env!=prod", false},
		{"missing!=prod", false}, // != requires the label
		{"env in (prod, qa)", true},
		{"env in(qa,dev)", false},
		{"env in ()", false},
		{"env notin (qa, dev)", true},
		{"env notin (prod)", false},
		{"missing notin (prod)", false},
		{"env notin ()", true},
		{"env==prod, tier==frontend", true},
		{"env==prod,tier==backend", false},
		{"env in (prod), tier notin (backend), flag", true},
		{`a\ b==x\,y`, true},
		{`\!\!\! in (\-\-\-, \&\&\&, \+\+\+)`, true},
		{"dot.k==v.1", true},
		{"\tenv\n==\rprod ", true},
	}
	for _, c := range cases {
		s, err := ParseSelector(c.q)
		if err != nil {
			t.Errorf("ParseSelector(%q): %v", c.q, err)
			continue
		}
		if got := s.Matches(labels); got != c.want {
			t.Errorf("%q matches = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestSelectorErrors(t *testing.T) {
	cases := []struct{ q, reason string }{
		{"env==", "label or value expected but end of input found"},
		{"env==prod,", "label or value expected but end of input found"},
		{"a b", "'in', 'notin', '==', '!=', ',' or end of input expected but 'b' found at position 2"},
		{"env in (a", "',' or ')' expected but end of input found"},
		{"env in (a,)", "label or value expected but ')' found at position 10"},
		{"env inx (a)", "'(' expected but 'x' found at position 6"},
		{"a=b", "'in', 'notin', '==', '!=', ',' or end of input expected but '=' found at position 1"},
		{"é", "label or value or end of input expected but 'é' found at position 0"},
		{`a\`, "'in', 'notin', '==', '!=', ',' or end of input expected but '\\' found at position 1"},
		{",", "label or value or end of input expected but ',' found at position 0"},
	}
	for _, c := range cases {
		_, err := ParseSelector(c.q)
		if err == nil {
			t.Errorf("ParseSelector(%q) succeeded", c.q)
			continue
		}
		want := "Can not parse label selector " + c.q + ". Reason: " + c.reason
		if err.Error() != want {
			t.Errorf("ParseSelector(%q):\n got %s\nwant %s", c.q, err, want)
		}
	}
}

func TestSelectorEscapes(t *testing.T) {
	s, err := ParseSelector(`k\é\ \\==v`)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Matches(map[string]string{`ké \`: "v"}) {
		t.Error("escaped key not unescaped")
	}
	if _, err := ParseSelector("k\\\n==v"); err == nil || !strings.Contains(err.Error(), "Reason") {
		t.Errorf("escaped newline accepted: %v", err)
	}
}
