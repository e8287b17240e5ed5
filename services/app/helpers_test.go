package app

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// decodeDefault decodes body against "/" and applies Defaults.
func decodeDefault(t *testing.T, body string) *App {
	t.Helper()
	a, err := Decode([]byte(body), "/")
	if err != nil {
		t.Fatalf("Decode(%s): %v", body, err)
	}
	Defaults(a)
	return a
}

// asError extracts the *Error of err.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}

// wantBody checks the rendered error body.
func wantBody(t *testing.T, err error, status int, body string) {
	t.Helper()
	e := asError(t, err)
	if e.Status != status {
		t.Errorf("status = %d, want %d", e.Status, status)
	}
	got, _ := json.Marshal(e)
	if !jsonEqual(t, got, []byte(body)) {
		t.Errorf("body\n got %s\nwant %s", got, body)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("bad JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// encodeMap encodes a and parses the result into a generic map.
func encodeMap(t *testing.T, a *App) map[string]any {
	t.Helper()
	b, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }
