package app

import (
	"encoding/json"
	"net/http"
	"sort"
)

// Messages of Marathon's error bodies.
const (
	MessageInvalidJSON = "Invalid JSON"
	MessageNotValid    = "Object is not valid"
)

// Detail is one entry of the "details" array of a Marathon error body.
type Detail struct {
	Path   string   `json:"path"`
	Errors []string `json:"errors"`
}

// Error is an error in Marathon's dialect. Three shapes exist:
//
//   - a JSON syntax error: 400, {"message":"Invalid JSON","details":"<parser message>"}
//   - a JSON type error (Play-JSON codes such as error.expected.jsstring): 422,
//     {"message":"Invalid JSON","details":[{"path":"/id","errors":[...]}]}
//   - a validation failure: 422, {"message":"Object is not valid","details":[...]}
//
// Marathon 1.10's MarathonExceptionMapper answers 422 for a JsResultException
// whose entries all carry errors, which every type error does, and 400 only
// for unparseable JSON.
type Error struct {
	Status  int
	Message string
	Details []Detail // type and validation errors
	Syntax  string   // the parser's message, for syntax errors
}

func (e *Error) Error() string {
	if e.Syntax != "" {
		return e.Message + ": " + e.Syntax
	}
	s := e.Message
	for i, d := range e.Details {
		if i == 0 {
			s += ": "
		} else {
			s += "; "
		}
		s += d.Path + " "
		for j, m := range d.Errors {
			if j > 0 {
				s += ", "
			}
			s += m
		}
	}
	return s
}

// MarshalJSON renders the exact body Marathon sends for this error.
func (e *Error) MarshalJSON() ([]byte, error) {
	if e.Details == nil && e.Syntax != "" {
		return json.Marshal(struct {
			Message string `json:"message"`
			Details string `json:"details"`
		}{e.Message, e.Syntax})
	}
	details := e.Details
	if details == nil {
		details = []Detail{}
	}
	return json.Marshal(struct {
		Message string   `json:"message"`
		Details []Detail `json:"details"`
	}{e.Message, details})
}

func syntaxError(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: MessageInvalidJSON, Syntax: msg}
}

// Violations collects validation failures, grouped by path in the order the
// paths were first reported, with duplicate messages dropped (Marathon groups
// accord violations by path).
type Violations struct {
	order []string
	byKey map[string][]string
}

// Add records a failure at path.
func (v *Violations) Add(path, msg string) {
	if v.byKey == nil {
		v.byKey = map[string][]string{}
	}
	msgs, ok := v.byKey[path]
	if !ok {
		v.order = append(v.order, path)
	}
	for _, m := range msgs {
		if m == msg {
			return
		}
	}
	v.byKey[path] = append(msgs, msg)
}

// Empty reports whether nothing was recorded.
func (v *Violations) Empty() bool { return len(v.order) == 0 }

// Details returns the recorded failures.
func (v *Violations) Details() []Detail {
	out := make([]Detail, 0, len(v.order))
	for _, p := range v.order {
		out = append(out, Detail{Path: p, Errors: append([]string(nil), v.byKey[p]...)})
	}
	return out
}

// asError returns nil when empty, otherwise an *Error with the given message.
func (v *Violations) asError(message string) *Error {
	if v.Empty() {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Message: message, Details: v.Details()}
}

// notValid returns a single-violation "Object is not valid" error.
func notValid(path, msg string) *Error {
	var v Violations
	v.Add(path, msg)
	return v.asError(MessageNotValid)
}

// sortedKeys returns the keys of m in order, so that every walk over a map
// (validation, encoding, environment) is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
