package resources

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Parse reads Mesos' agent --resources syntax:
//
//	cpus:2;mem:4096;disk:1000;ports:[31000-31999,32005-32010]
//
// Entries are separated by ';' (empty entries are skipped). A name may carry
// the default role, as in "cpus(*):2"; any other role would be a reservation,
// which mesosbox does not support. Scalars are non-negative decimals, rounded
// to three digits; "gpus" must be whole. Only "ports" may hold ranges, written
// "[begin-end, ...]". A name given twice is summed, as Mesos does. The empty
// string is the empty Resources.
//
// Parse(r.String()) returns r for every r that Parse returned.
func Parse(s string) (Resources, error) {
	var r Resources
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		var err error
		if r, err = parseEntry(r, entry); err != nil {
			return Resources{}, fmt.Errorf("invalid resource %q: %w", entry, err)
		}
	}
	return r, nil
}

// parseEntry adds one "name(role):value" entry to r.
func parseEntry(r Resources, entry string) (Resources, error) {
	key, value, ok := strings.Cut(entry, ":")
	if !ok {
		return r, errors.New(`expected "name:value"`)
	}
	name, err := parseKey(key)
	if err != nil {
		return r, err
	}
	value = strings.TrimSpace(value)
	switch {
	case strings.HasPrefix(value, "["):
		if name != Ports {
			return r, fmt.Errorf("only %q may hold ranges", Ports)
		}
		ranges, err := parseRanges(value)
		if err != nil {
			return r, err
		}
		r.Ports = r.Ports.Add(ranges)
		return r, nil
	case strings.HasPrefix(value, "{"):
		return r, errors.New("set-valued resources are not supported")
	case name == Ports:
		return r, fmt.Errorf(`%q must be ranges such as "[31000-32000]"`, Ports)
	}
	v, err := parseScalar(value)
	if err != nil {
		return r, err
	}
	if name == GPUs && v%scalarUnit != 0 {
		return r, fmt.Errorf("%q must be a whole number", GPUs)
	}
	sum := r.Scalar(name) + v // both at most MaxScalar: cannot overflow
	if sum > MaxScalar {
		return r, fmt.Errorf("total exceeds the maximum %s", MaxScalar)
	}
	return r.WithScalar(name, sum)
}

// parseKey validates "name" or "name(*)" and returns the name.
func parseKey(key string) (string, error) {
	key = strings.TrimSpace(key)
	name := key
	if i := strings.IndexByte(key, '('); i >= 0 {
		if !strings.HasSuffix(key, ")") {
			return "", errors.New(`unterminated role, expected "name(*)"`)
		}
		name = strings.TrimSpace(key[:i])
		role := strings.TrimSpace(key[i+1 : len(key)-1])
		if role != "*" {
			return "", fmt.Errorf("role %q: reservations are not supported, only the default role \"*\"", role)
		}
	}
	return name, validName(name)
}

// validName accepts the characters Mesos resource names use in practice,
// which also keeps String's output parseable.
func validName(name string) error {
	if name == "" {
		return errors.New("empty resource name")
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
		default:
			return fmt.Errorf("resource name %q: only letters, digits, '_', '-' and '.' are allowed", name)
		}
	}
	return nil
}

// parseScalar reads a non-negative decimal such as "2", "0.5" or "1e3".
func parseScalar(s string) (Scalar, error) {
	if s == "" {
		return 0, errors.New("missing value")
	}
	// strconv accepts "Inf", "NaN", hex floats and underscores; Mesos does
	// not, so restrict the alphabet first.
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a number", s)
	case f < 0:
		return 0, fmt.Errorf("%q is negative", s)
	case f > MaxScalar.Float64():
		return 0, fmt.Errorf("%q exceeds the maximum %s", s, MaxScalar)
	}
	return ScalarOf(f), nil
}

// parseRanges reads "[a-b, c-d]"; "[]" is the empty set.
func parseRanges(s string) (Ranges, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, errors.New(`unterminated ranges, expected "[begin-end, ...]"`)
	}
	body := strings.TrimSpace(s[1 : len(s)-1])
	if body == "" {
		return nil, nil
	}
	var rs []Range
	for part := range strings.SplitSeq(body, ",") {
		b, e, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("range %q: expected \"begin-end\"", strings.TrimSpace(part))
		}
		begin, err1 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		end, err2 := strconv.ParseUint(strings.TrimSpace(e), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("range %q: bounds must be non-negative integers", strings.TrimSpace(part))
		}
		if begin > end {
			return nil, fmt.Errorf("range %q: begin is greater than end", strings.TrimSpace(part))
		}
		rs = append(rs, Range{begin, end})
	}
	return NewRanges(rs...), nil
}

// String formats r in the syntax Parse reads, standard scalars first, then
// other scalars by name, then ports: "cpus:2;mem:4096;ports:[31000-32000]".
// Zero quantities are left out; the empty Resources is "".
func (r Resources) String() string {
	var b strings.Builder
	for name, v := range r.Scalars() {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(v.String())
	}
	if len(r.Ports) > 0 {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(Ports)
		b.WriteByte(':')
		b.WriteString(r.Ports.String())
	}
	return b.String()
}
