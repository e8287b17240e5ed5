package job

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Error is a job definition or request the Chronos API refuses with 400.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// asBadRequest wraps err as an *Error unless it already is one.
func asBadRequest(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &Error{Message: err.Error()}
}

// ErrorBody is the body Chronos sends with a 400:
// {"message":"...","status":"Bad Request"}. Chronos put a Java stack trace in
// the message; clients only look for words in it (yieldbot/chronos-client
// looks for "not found").
func ErrorBody(err error) []byte {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
		Status  string `json:"status"`
	}{err.Error(), "Bad Request"})
	return body
}
