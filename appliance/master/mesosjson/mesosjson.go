// Package mesosjson writes Mesos messages as Mesos' own endpoints write
// them in JSON: mesos-go's generated structs encode an unset repeated or
// message field as null ("port_mappings": null in every container status,
// "pending_tasks": null in GET_TASKS), where Mesos, which writes JSON from
// protobuf, leaves the field out. A client that reads
// .get("port_mappings", []) or iterates the field gets None or a crash.
package mesosjson

import (
	"bytes"
	"encoding/json"
)

// Marshal is json.Marshal without null object members; the rest, field
// order included, is as json.Marshal wrote it.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return stripNullMembers(b), nil
}

// Object is v as a JSON object without null members, to embed in a view;
// nil if v is not an object. Numbers stay as written (json.Number).
func Object(v any) map[string]any {
	b, err := Marshal(v)
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

var null = []byte("null")

// stripNullMembers removes every `"key":null` member from JSON as
// encoding/json writes it (compact: no whitespace), in one pass. Nulls in
// arrays stay: a member cannot be left out of an array.
func stripNullMembers(b []byte) []byte {
	if !bytes.Contains(b, null) {
		return b
	}
	type level struct {
		object    bool
		member    int  // where the current member begins in out
		dropComma bool // the first member was dropped: so is the comma after it
	}
	out := make([]byte, 0, len(b))
	var stack []level
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			out = append(out, c)
			stack = append(stack, level{object: c == '{', member: len(out)})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out = append(out, c)
		case ',':
			if len(stack) == 0 {
				out = append(out, c)
				continue
			}
			top := &stack[len(stack)-1]
			if top.dropComma {
				top.dropComma = false
			} else {
				out = append(out, c)
			}
			top.member = len(out)
		case ':':
			rest := b[i+1:]
			if len(stack) == 0 || !stack[len(stack)-1].object || !bytes.HasPrefix(rest, null) ||
				(len(rest) > len(null) && rest[len(null)] != ',' && rest[len(null)] != '}') {
				out = append(out, c)
				continue
			}
			top := &stack[len(stack)-1]
			out = out[:top.member] // the key goes
			i += len(null)         // and the null
			if n := len(out); n > 0 && out[n-1] == ',' {
				out = out[:n-1]
				top.member = len(out)
			} else {
				top.dropComma = true
			}
		default:
			out = append(out, c)
		}
	}
	return out
}
