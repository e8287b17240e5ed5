package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Play-JSON error codes, as Marathon's RAML-generated readers emit them.
const (
	codeString   = "error.expected.jsstring"
	codeNumber   = "error.expected.jsnumber"
	codeInt      = "error.expected.int"
	codeLong     = "error.expected.long"
	codeBoolean  = "error.expected.jsboolean"
	codeArray    = "error.expected.jsarray"
	codeObject   = "error.expected.jsobject"
	codeMissing  = "error.path.missing"
	codeMin      = "error.min"
	codeMax      = "error.max"
	codeMinLen   = "error.minLength"
	codeMaxLen   = "error.maxLength"
	codePattern  = "error.pattern"
	codeEnum     = "error.unknown.enum.literal"
	codeDateTime = "error.expected.date.isoformat"
)

// parseJSON parses body into generic values, keeping numbers as json.Number
// so that integers are not rounded through float64 and constraint values
// keep their literal spelling. Anything but exactly one JSON value is a
// syntax error.
func parseJSON(body []byte) (any, *Error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, syntaxError("No content to map due to end-of-input")
		}
		return nil, syntaxError(err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, syntaxError("Unexpected content after the JSON value")
	}
	return v, nil
}

// reader walks generic JSON values and accumulates Play-style errors, so one
// response lists every type error at once, as Marathon's readers do.
type reader struct {
	errs Violations
}

func (r *reader) fail(path, code string) { r.errs.Add(path, code) }

func (r *reader) err() *Error {
	if r.errs.Empty() {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Message: MessageInvalidJSON, Details: r.errs.Details()}
}

// obj is a JSON object being read at a path.
type obj struct {
	r    *reader
	m    map[string]any
	path string
}

func keyPath(base, key string) string { return base + "/" + key }

func idxPath(base string, i int) string { return base + "(" + strconv.Itoa(i) + ")" }

// asObj converts v (at path) into an object, recording an error otherwise.
func (r *reader) asObj(v any, path string) (obj, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		r.fail(path, codeObject)
		return obj{}, false
	}
	return obj{r: r, m: m, path: path}, true
}

// has reports whether key is present with a non-null value: Marathon's
// readers treat null like an absent field.
func (o obj) has(key string) bool {
	v, ok := o.m[key]
	return ok && v != nil
}

func (o obj) raw(key string) (any, bool) {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

func (o obj) str(key string) (string, bool) {
	v, ok := o.raw(key)
	if !ok {
		return "", false
	}
	return o.r.asString(v, keyPath(o.path, key))
}

// strReq reads a required string; absence is error.path.missing.
func (o obj) strReq(key string) (string, bool) {
	if _, ok := o.m[key]; !ok {
		o.r.fail(keyPath(o.path, key), codeMissing)
		return "", false
	}
	if o.m[key] == nil {
		o.r.fail(keyPath(o.path, key), codeString)
		return "", false
	}
	return o.str(key)
}

func (r *reader) asString(v any, path string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		r.fail(path, codeString)
	}
	return s, ok
}

func (o obj) boolean(key string) (bool, bool) {
	v, ok := o.raw(key)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		o.r.fail(keyPath(o.path, key), codeBoolean)
	}
	return b, ok
}

func (o obj) float(key string) (float64, bool) {
	v, ok := o.raw(key)
	if !ok {
		return 0, false
	}
	return o.r.asFloat(v, keyPath(o.path, key))
}

// asFloat reads a double. Non-finite values (1e400) are refused: they cannot
// be stored or printed as JSON again.
func (r *reader) asFloat(v any, path string) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		r.fail(path, codeNumber)
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		r.fail(path, codeNumber)
		return 0, false
	}
	if f == 0 {
		f = 0 // drop the sign of -0 so values print and compare as 0
	}
	return f, true
}

// integer reads a whole number that fits in bits. Play accepts 1.0 and 1e2
// for an Int (the BigDecimal is whole) and answers error.expected.int (or
// .long) for 1.5 or an out-of-range value.
func (r *reader) asInteger(v any, path string, bits int) (int64, bool) {
	code := codeInt
	if bits == 64 {
		code = codeLong
	}
	n, ok := v.(json.Number)
	if !ok {
		r.fail(path, codeNumber)
		return 0, false
	}
	if i, err := strconv.ParseInt(string(n), 10, bits); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
		r.fail(path, code)
		return 0, false
	}
	limit := math.Ldexp(1, bits-1)
	if f < -limit || f >= limit {
		r.fail(path, code)
		return 0, false
	}
	return int64(f), true
}

func (o obj) int32(key string) (int, bool) {
	v, ok := o.raw(key)
	if !ok {
		return 0, false
	}
	i, ok := o.r.asInteger(v, keyPath(o.path, key), 32)
	return int(i), ok
}

func (o obj) int64(key string) (int64, bool) {
	v, ok := o.raw(key)
	if !ok {
		return 0, false
	}
	return o.r.asInteger(v, keyPath(o.path, key), 64)
}

func (o obj) object(key string) (obj, bool) {
	v, ok := o.raw(key)
	if !ok {
		return obj{}, false
	}
	return o.r.asObj(v, keyPath(o.path, key))
}

func (o obj) array(key string) ([]any, bool) {
	v, ok := o.raw(key)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		o.r.fail(keyPath(o.path, key), codeArray)
	}
	return a, ok
}

// strings reads an array of strings; the result is non-nil when present.
func (o obj) strings(key string) ([]string, bool) {
	a, ok := o.array(key)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(a))
	good := true
	for i, e := range a {
		s, ok := o.r.asString(e, idxPath(keyPath(o.path, key), i))
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// stringMap reads an object whose values are strings (labels, options).
func (o obj) stringMap(key string) (map[string]string, bool) {
	m, ok := o.object(key)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(m.m))
	good := true
	for _, k := range sortedKeys(m.m) {
		s, ok := o.r.asString(m.m[k], keyPath(m.path, k))
		good = good && ok
		out[k] = s
	}
	return out, good
}

// enum reads a RAML enum. Marathon's generated readers compare the lowered
// input with the lowered literals, so "docker" and "Host" are accepted; the
// canonical spelling is returned.
func (o obj) enum(key string, values ...string) (string, bool) {
	s, ok := o.str(key)
	if !ok {
		return "", false
	}
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	o.r.fail(keyPath(o.path, key), codeEnum)
	return "", false
}

// timestamp reads an ISO-8601 date-time, truncated to Marathon's millisecond
// precision.
func (o obj) timestamp(key string) (time.Time, bool) {
	s, ok := o.str(key)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		o.r.fail(keyPath(o.path, key), codeDateTime)
		return time.Time{}, false
	}
	return t, true
}

// Constraint checks of the RAML types (Play's Reads.min, max, minLength, ...).

func (o obj) minF(key string, v, min float64) {
	if v < min {
		o.r.fail(keyPath(o.path, key), codeMin)
	}
}

func (o obj) maxF(key string, v, max float64) {
	if v > max {
		o.r.fail(keyPath(o.path, key), codeMax)
	}
}

func (o obj) minI(key string, v, min int64) {
	if v < min {
		o.r.fail(keyPath(o.path, key), codeMin)
	}
}

func (o obj) rangeI(key string, v, min, max int64) {
	if v < min {
		o.r.fail(keyPath(o.path, key), codeMin)
	} else if v > max {
		o.r.fail(keyPath(o.path, key), codeMax)
	}
}

func (o obj) minLen(key, s string, n int) {
	if len([]rune(s)) < n {
		o.r.fail(keyPath(o.path, key), codeMinLen)
	}
}

func (o obj) maxLen(key, s string, n int) {
	if len([]rune(s)) > n {
		o.r.fail(keyPath(o.path, key), codeMaxLen)
	}
}

func (o obj) pattern(key, s string, re *regexp.Regexp) {
	if !re.MatchString(s) {
		o.r.fail(keyPath(o.path, key), codePattern)
	}
}
