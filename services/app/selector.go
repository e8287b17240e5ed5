package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Label selectors filter GET /v2/apps?label=... with Marathon's grammar
// (LabelSelectorParsers):
//
//	query    = [ selector { "," selector } ]     comma means AND
//	selector = term ("in" | "notin") "(" [ term { "," term } ] ")"
//	         | term ("==" | "!=") term
//	         | term                              the label exists
//	term     = { [-A-Za-z0-9_.] | "\" any-character }+
//
// Whitespace may separate tokens. Any character other than
// A-Za-z0-9, '-', '_' and '.' must be escaped with a backslash. Every
// selector but plain existence also requires the label to be present, so
// "tier!=web" does not match an app without a tier label. An empty query
// matches every app.

// Selector is a parsed label selector.
type Selector struct {
	terms []selectorTerm
}

type selectorTerm struct {
	key    string
	op     string // "", "==", "!=", "in", "notin"
	values []string
}

// ParseSelector parses a label selector query. The error reads like
// Marathon's ("Can not parse label selector <q>. Reason: ..."), which it
// returns with status 422.
func ParseSelector(q string) (*Selector, error) {
	p := &selParser{in: q}
	terms, ok := p.selectors()
	if ok {
		p.skipSpace()
		ok = p.pos == len(p.in)
		if !ok && len(terms) == 0 {
			p.failAt(p.pos, "end of input")
		} else if !ok {
			p.failAt(p.pos, "','", "end of input")
		}
	}
	if !ok {
		return nil, fmt.Errorf("Can not parse label selector %s. Reason: %s", q, p.reason())
	}
	return &Selector{terms: terms}, nil
}

// Matches reports whether labels satisfy every selector of s.
func (s *Selector) Matches(labels map[string]string) bool {
	for _, t := range s.terms {
		v, ok := labels[t.key]
		if !ok {
			return false
		}
		switch t.op {
		case "==":
			ok = v == t.values[0]
		case "!=":
			ok = v != t.values[0]
		case "in":
			ok = slices.Contains(t.values, v)
		case "notin":
			ok = !slices.Contains(t.values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

// selParser is a backtracking parser over the query; like Scala's parser
// combinators it reports where parsing got furthest, listing what every
// alternative expected there.
type selParser struct {
	in       string
	pos      int
	failPos  int
	expected []string
}

func (p *selParser) failAt(pos int, expected ...string) {
	if pos > p.failPos || p.expected == nil {
		p.failPos, p.expected = pos, nil
	}
	if pos < p.failPos {
		return
	}
	for _, e := range expected {
		if !slices.Contains(p.expected, e) {
			p.expected = append(p.expected, e)
		}
	}
}

func (p *selParser) reason() string {
	want := p.expected[len(p.expected)-1]
	if n := len(p.expected); n > 1 {
		want = strings.Join(p.expected[:n-1], ", ") + " or " + want
	}
	if p.failPos >= len(p.in) {
		return want + " expected but end of input found"
	}
	r, _ := utf8.DecodeRuneInString(p.in[p.failPos:])
	return fmt.Sprintf("%s expected but '%c' found at position %d", want, r, p.failPos)
}

// skipSpace skips Java's \s: space, \t, \n, \x0B, \f, \r.
func (p *selParser) skipSpace() {
	for p.pos < len(p.in) && strings.IndexByte(" \t\n\x0b\f\r", p.in[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *selParser) literal(s string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.in[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	p.failAt(p.pos, "'"+s+"'")
	return false
}

func isTermChar(b byte) bool {
	return b == '-' || b == '_' || b == '.' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
}

// isLineTerminator lists what Java's "." does not match.
func isLineTerminator(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

func (p *selParser) term() (string, bool) {
	p.skipSpace()
	var b strings.Builder
	start := p.pos
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		if isTermChar(c) {
			b.WriteByte(c)
			p.pos++
			continue
		}
		if c == '\\' && p.pos+1 < len(p.in) {
			r, size := utf8.DecodeRuneInString(p.in[p.pos+1:])
			if !isLineTerminator(r) {
				b.WriteString(p.in[p.pos+1 : p.pos+1+size])
				p.pos += 1 + size
				continue
			}
		}
		break
	}
	if p.pos == start {
		p.failAt(p.pos, "label or value")
		return "", false
	}
	return b.String(), true
}

func (p *selParser) selectors() ([]selectorTerm, bool) {
	var out []selectorTerm
	save := p.pos
	t, ok := p.selector()
	if !ok {
		// repsep accepts zero selectors.
		p.pos = save
		return nil, true
	}
	out = append(out, t)
	for {
		save = p.pos
		if !p.literal(",") {
			p.pos = save
			return out, true
		}
		t, ok = p.selector()
		if !ok {
			return nil, false
		}
		out = append(out, t)
	}
}

func (p *selParser) selector() (selectorTerm, bool) {
	start := p.pos
	if t, ok := p.setSelector(); ok {
		return t, true
	}
	p.pos = start
	if t, ok := p.equalitySelector(); ok {
		return t, true
	}
	p.pos = start
	key, ok := p.term()
	return selectorTerm{key: key}, ok
}

func (p *selParser) setSelector() (selectorTerm, bool) {
	key, ok := p.term()
	if !ok {
		return selectorTerm{}, false
	}
	p.skipSpace()
	var op string
	switch {
	case strings.HasPrefix(p.in[p.pos:], "in"):
		op = "in"
	case strings.HasPrefix(p.in[p.pos:], "notin"):
		op = "notin"
	default:
		p.failAt(p.pos, "'in'", "'notin'")
		return selectorTerm{}, false
	}
	p.pos += len(op)
	if !p.literal("(") {
		return selectorTerm{}, false
	}
	values := []string{}
	save := p.pos
	if v, ok := p.term(); ok {
		values = append(values, v)
		for {
			save = p.pos
			if !p.literal(",") {
				p.pos = save
				break
			}
			v, ok = p.term()
			if !ok {
				return selectorTerm{}, false
			}
			values = append(values, v)
		}
	} else {
		p.pos = save
	}
	if !p.literal(")") {
		return selectorTerm{}, false
	}
	return selectorTerm{key: key, op: op, values: values}, true
}

func (p *selParser) equalitySelector() (selectorTerm, bool) {
	key, ok := p.term()
	if !ok {
		return selectorTerm{}, false
	}
	p.skipSpace()
	var op string
	switch {
	case strings.HasPrefix(p.in[p.pos:], "=="):
		op = "=="
	case strings.HasPrefix(p.in[p.pos:], "!="):
		op = "!="
	default:
		p.failAt(p.pos, "'=='", "'!='")
		return selectorTerm{}, false
	}
	p.pos += 2
	v, ok := p.term()
	if !ok {
		return selectorTerm{}, false
	}
	return selectorTerm{key: key, op: op, values: []string{v}}, true
}
