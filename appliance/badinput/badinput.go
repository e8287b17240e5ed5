// Package badinput generates malformed, wrong-typed and hostile variants
// of a valid JSON request body for the APIs' bad-input suites: every
// value of the document replaced by values of the wrong type (or out of
// range), and whole-body attacks (truncation, deep nesting, invalid UTF-8,
// duplicate keys, oversized values).
package badinput

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Case is one bad request body and what was done to make it.
type Case struct {
	What string // e.g. "/container/docker/image = 12"
	Path string // the replaced value in Marathon's path form, "" for whole-body cases
	Body []byte
}

// WrongFunc names the bad replacements for the value v found at path.
type WrongFunc func(path string, v any) []any

// WrongType gives values of another JSON type than v. A null is not
// among them: most APIs read it as "absent".
func WrongType(_ string, v any) []any {
	switch v.(type) {
	case string:
		return []any{12, true, map[string]any{}, []any{"x"}}
	case float64:
		return []any{"12x", true, map[string]any{}, []any{1}, "NaN"}
	case bool:
		return []any{"yes", 1, []any{}}
	case []any:
		return []any{"x", 7, map[string]any{"a": 1}}
	case map[string]any:
		return []any{"x", 7, []any{1, 2}, true}
	}
	return nil
}

// Fields replaces every value below the root of the valid document doc
// with each of wrong's values, one at a time.
func Fields(doc []byte, wrong WrongFunc) []Case {
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		panic(fmt.Sprintf("badinput: the valid document does not parse: %v", err))
	}
	var out []Case
	var walk func(path string, v any, set func(any))
	walk = func(path string, v any, set func(any)) {
		if path != "" {
			for _, w := range wrong(path, v) {
				set(w)
				out = append(out, Case{What: path + " = " + short(w), Path: path, Body: mustMarshal(root)})
			}
			set(v)
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(path+"/"+k, x[k], func(n any) { x[k] = n })
			}
		case []any:
			for i := range x {
				walk(path+"("+strconv.Itoa(i)+")", x[i], func(n any) { x[i] = n })
			}
		}
	}
	walk("", root, nil)
	return out
}

// Hostile are whole-body attacks on the valid document doc: truncations
// at every step bytes, other top-level types, deep nesting (top-level, and
// as the value of key, a field every body of the API must get right),
// invalid UTF-8 and control bytes, trailing garbage. None is valid.
func Hostile(doc []byte, step int, key string) []Case {
	var out []Case
	add := func(what string, body []byte) { out = append(out, Case{What: what, Body: body}) }
	trimmed := bytes.TrimSpace(doc)
	for i := 0; i < len(trimmed)-1; i += step {
		add("truncated at "+strconv.Itoa(i), trimmed[:i])
	}
	for _, b := range []string{"", " ", "[]", `""`, "0", "true", "null ", "[" + string(doc) + "]", "{}{}",
		string(doc) + "}", string(doc) + " x", "{\"a\":1,}", "{'a':1}", "{a:1}", "\xef\xbb\xbf" + string(doc) + "\x00",
		"\xff\xfe{", "{\"\xff\":1}", "/*c*/" + string(doc), "NaN", "-", "1e99999"} {
		add(fmt.Sprintf("body %q", short(b)), []byte(b))
	}
	for _, depth := range []int{200, 20000} {
		add("nested arrays "+strconv.Itoa(depth), []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
		add("nested objects in "+key+" "+strconv.Itoa(depth), Replace(doc, key, strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)))
	}
	return out
}

// Replace sets the top-level field key of doc to v (a JSON text) and
// returns the new body, keys sorted; v may be malformed on purpose, so
// it is spliced in as text.
func Replace(doc []byte, key, v string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		panic(err)
	}
	delete(m, key)
	rest := mustMarshal(m)
	if len(m) == 0 {
		return []byte(`{"` + key + `":` + v + `}`)
	}
	return append([]byte(`{"`+key+`":`+v+`,`), rest[1:]...)
}

// Duplicate adds key with the value v (a JSON text) after the document's
// own key: last-wins decoders see v, first-wins ones the valid value.
func Duplicate(doc []byte, key, v string) []byte {
	d := bytes.TrimSpace(doc)
	return append(append([]byte{}, d[:len(d)-1]...), []byte(`,"`+key+`":`+v+`}`)...)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func short(v any) string {
	s := fmt.Sprint(v)
	if b, err := json.Marshal(v); err == nil {
		s = string(b)
	}
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
