package job

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// object reads the fields of one JSON object with the coercions Jackson's
// JsonNode.asText/asBoolean/asInt/asDouble apply in Chronos' deserializer:
// "cpus": "0.5" is 0.5 (the Chronos docs' own Docker example sends strings),
// "command": 42 is "42". Where Jackson would quietly turn nonsense into a
// default (an object as a command, "yes" as a boolean) mesosbox says what is
// wrong instead. JSON null counts as absent, where Jackson produced the text
// "null" or false.
type object struct {
	path   string // where the object sits, for messages: "", "container", "fetch[1]"
	fields map[string]json.RawMessage
}

// parseObject reads raw as a JSON object.
func parseObject(path string, raw json.RawMessage) (object, error) {
	o := object{path: path}
	if kindOf(raw) != '{' {
		if path == "" {
			return o, fmt.Errorf("the job must be a JSON object")
		}
		return o, fmt.Errorf("%s must be a JSON object", path)
	}
	if err := json.Unmarshal(raw, &o.fields); err != nil {
		return o, fmt.Errorf("malformed JSON in %s: %v", o.describe(), err)
	}
	return o, nil
}

func (o object) describe() string {
	if o.path == "" {
		return "the job"
	}
	return o.path
}

// name is the dotted path of a field, for messages.
func (o object) name(field string) string {
	if o.path == "" {
		return field
	}
	return o.path + "." + field
}

// kindOf classifies a JSON value by its first byte: '"' string, '{' object,
// '[' array, 't'/'f' boolean, 'n' null, '0' number, 0 absent.
func kindOf(raw json.RawMessage) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '"', '{', '[', 'n':
		return c
	case 't', 'f':
		return 't'
	}
	return '0'
}

// get returns the field, or nil when it is absent or null.
func (o object) get(field string) json.RawMessage {
	raw := o.fields[field]
	if k := kindOf(raw); k == 0 || k == 'n' {
		return nil
	}
	return raw
}

func (o object) has(field string) bool { return o.get(field) != nil }

// text is Jackson's asText: strings as they are, numbers and booleans as
// written.
func (o object) text(field, def string) (string, error) {
	raw := o.get(field)
	if raw == nil {
		return def, nil
	}
	s, ok := scalarText(raw)
	if !ok {
		return "", fmt.Errorf("%q must be a string", o.name(field))
	}
	return s, nil
}

// scalarText is the text of a string, number or boolean.
func scalarText(raw json.RawMessage) (string, bool) {
	switch kindOf(raw) {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '0', 't':
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// boolean accepts true/false, their strings in any case, and numbers
// (non-zero is true) as Jackson does.
func (o object) boolean(field string, def bool) (bool, error) {
	raw := o.get(field)
	if raw == nil {
		return def, nil
	}
	s, ok := scalarText(raw)
	if ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && kindOf(raw) == '0' {
			return f != 0, nil
		}
	}
	return false, fmt.Errorf("%q must be true or false", o.name(field))
}

// number accepts a JSON number or a string holding one.
func (o object) number(field string, def float64) (float64, error) {
	raw := o.get(field)
	if raw == nil {
		return def, nil
	}
	s, ok := scalarText(raw)
	if ok && kindOf(raw) != 't' {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%q must be a number", o.name(field))
}

// integer accepts what number does and truncates a fraction, as Jackson's
// asInt/asLong do; it rejects values outside [lo, hi].
func (o object) integer(field string, def, lo, hi int64) (int64, error) {
	raw := o.get(field)
	if raw == nil {
		return def, nil
	}
	f, err := o.number(field, 0)
	if err != nil {
		return 0, err
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, fmt.Errorf("%q must be between %d and %d", o.name(field), lo, hi)
	}
	if s, _ := scalarText(raw); !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n, nil
		}
	}
	return int64(f), nil
}

// array returns the elements of an array field (nil when absent).
func (o object) array(field string) ([]json.RawMessage, error) {
	raw := o.get(field)
	if raw == nil {
		return nil, nil
	}
	if kindOf(raw) != '[' {
		return nil, fmt.Errorf("%q must be an array", o.name(field))
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("malformed JSON in %q: %v", o.name(field), err)
	}
	return elems, nil
}

// texts reads an array of strings (numbers and booleans taken as text).
func (o object) texts(field string) ([]string, error) {
	elems, err := o.array(field)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(elems))
	for i, e := range elems {
		s, ok := scalarText(e)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be a string", o.name(field), i)
		}
		out = append(out, s)
	}
	return out, nil
}

// objects reads an array of objects.
func (o object) objects(field string) ([]object, error) {
	elems, err := o.array(field)
	if err != nil {
		return nil, err
	}
	out := make([]object, 0, len(elems))
	for i, e := range elems {
		sub, err := parseObject(fmt.Sprintf("%s[%d]", o.name(field), i), e)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

// child reads an object field; ok is false when it is absent.
func (o object) child(field string) (object, bool, error) {
	raw := o.get(field)
	if raw == nil {
		return object{}, false, nil
	}
	sub, err := parseObject(o.name(field), raw)
	return sub, err == nil, err
}

// required reads a text field that must be present and non-empty.
func (o object) required(field string) (string, error) {
	s, err := o.text(field, "")
	if err == nil && s == "" {
		err = fmt.Errorf("%q is required", o.name(field))
	}
	return s, err
}
