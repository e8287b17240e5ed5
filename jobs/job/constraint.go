package job

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// The constraint operators Chronos knows. Any other operator is dropped
// without a word, as Chronos' deserializer does.
const (
	OpEquals = "EQUALS"
	OpLike   = "LIKE"
	OpUnlike = "UNLIKE"
)

// Constraint restricts the agents a job may run on: ["rack", "EQUALS", "r1"].
type Constraint struct {
	Attribute string
	Operator  string
	Value     string
}

// decodeConstraints reads [[attribute, operator, value], ...].
func decodeConstraints(o object) ([]Constraint, error) {
	entries, err := o.array("constraints")
	if err != nil {
		return nil, err
	}
	var out []Constraint
	for i, e := range entries {
		var parts []json.RawMessage
		if kindOf(e) != '[' || json.Unmarshal(e, &parts) != nil || len(parts) < 2 {
			return nil, fmt.Errorf("constraints[%d] must be [attribute, operator, value]", i)
		}
		texts := make([]string, len(parts))
		for k, p := range parts {
			s, ok := scalarText(p)
			if !ok {
				return nil, fmt.Errorf("constraints[%d] must be an array of strings", i)
			}
			texts[k] = s
		}
		c := Constraint{Attribute: texts[0], Operator: texts[1]}
		switch c.Operator {
		case OpEquals, OpLike, OpUnlike:
		default:
			continue
		}
		if len(texts) < 3 {
			return nil, fmt.Errorf("constraints[%d]: %s needs a value", i, c.Operator)
		}
		c.Value = texts[2]
		if c.Operator != OpEquals {
			if _, err := c.regexp(); err != nil {
				return nil, fmt.Errorf("constraints[%d]: %s regex %q is invalid: %v", i, c.Operator, c.Value, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// regexp compiles a LIKE/UNLIKE value to match the whole attribute, as
// Java's Matcher.matches() does. Go's RE2 syntax lacks look-around and
// back-references; such patterns are refused when the job is posted.
func (c Constraint) regexp() (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + c.Value + `)$`)
}

// Matches reports whether an agent with these attributes satisfies c. Every
// operator needs the attribute to be present: an agent without "rack"
// matches neither ["rack","LIKE",...] nor ["rack","UNLIKE",...].
func (c Constraint) Matches(attributes map[string]string) bool {
	v, ok := attributes[c.Attribute]
	if !ok {
		return false
	}
	switch c.Operator {
	case OpEquals:
		return v == c.Value
	case OpLike, OpUnlike:
		re, err := c.regexp()
		if err != nil {
			return false
		}
		return re.MatchString(v) == (c.Operator == OpLike)
	}
	return true
}

// MatchConstraints reports whether an agent satisfies every constraint. The
// attributes are the agent's text and scalar attributes by name, plus
// "hostname", which Chronos always provides.
func MatchConstraints(constraints []Constraint, attributes map[string]string) bool {
	for _, c := range constraints {
		if !c.Matches(attributes) {
			return false
		}
	}
	return true
}
