package agent

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// ParseAttributes reads Mesos' agent --attributes syntax:
//
//	rack:a;zone:z1;cores:8;slots:[1-4,10-12];tags:{ssd,gpu}
//
// Entries are separated by ';' (empty ones are skipped) and split at the
// first ':'. As in Mesos' values::parse, a value is RANGES when it starts
// with '[', SET when it starts with '{', SCALAR when it is a number, and
// TEXT otherwise. Constraints in Marathon and Chronos match on these, so a
// typo must fail loudly at start-up rather than produce an attribute nobody
// matches: every error names the entry.
func ParseAttributes(s string) ([]mesos.Attribute, error) {
	var out []mesos.Attribute
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		a, err := parseAttribute(entry)
		if err != nil {
			return nil, fmt.Errorf("invalid attribute %q: %w", entry, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func parseAttribute(entry string) (mesos.Attribute, error) {
	name, value, ok := strings.Cut(entry, ":")
	if !ok {
		return mesos.Attribute{}, errors.New(`expected "name:value"`)
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if name == "" {
		return mesos.Attribute{}, errors.New("empty attribute name")
	}
	if strings.ContainsAny(name, "[]{},:") {
		return mesos.Attribute{}, fmt.Errorf("attribute name %q contains one of []{},:", name)
	}
	if value == "" {
		return mesos.Attribute{}, errors.New("empty value")
	}
	a := mesos.Attribute{Name: name}
	switch {
	case strings.HasPrefix(value, "["):
		rs, err := parseRanges(value)
		if err != nil {
			return a, err
		}
		a.Type = mesos.RANGES
		a.Ranges = &mesos.Value_Ranges{Range: rs}
	case strings.HasPrefix(value, "{"):
		items, err := parseSet(value)
		if err != nil {
			return a, err
		}
		a.Type = mesos.SET
		a.Set = &mesos.Value_Set{Item: items}
	default:
		if f, ok := parseNumber(value); ok {
			a.Type = mesos.SCALAR
			a.Scalar = &mesos.Value_Scalar{Value: f}
			break
		}
		if strings.ContainsAny(value, "[]{},") {
			return a, fmt.Errorf("text value %q contains one of []{},", value)
		}
		a.Type = mesos.TEXT
		a.Text = &mesos.Value_Text{Value: value}
	}
	return a, nil
}

// parseNumber accepts plain decimals only: strconv alone would also take
// "Inf", "NaN", "0x10" and "1_000", which Mesos reads as text.
func parseNumber(s string) (float64, bool) {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// parseRanges reads "[a-b, c-d]"; a bare "n" inside stands for "n-n".
func parseRanges(s string) ([]mesos.Value_Range, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, errors.New(`unterminated ranges, expected "[begin-end, ...]"`)
	}
	body := strings.TrimSpace(s[1 : len(s)-1])
	if body == "" {
		return nil, errors.New("empty ranges")
	}
	var out []mesos.Value_Range
	for part := range strings.SplitSeq(body, ",") {
		part = strings.TrimSpace(part)
		b, e, ok := strings.Cut(part, "-")
		if !ok {
			e = b
		}
		begin, err1 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		end, err2 := strconv.ParseUint(strings.TrimSpace(e), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("range %q: bounds must be non-negative integers", part)
		}
		if begin > end {
			return nil, fmt.Errorf("range %q: begin is greater than end", part)
		}
		out = append(out, mesos.Value_Range{Begin: begin, End: end})
	}
	return out, nil
}

// parseSet reads "{a,b,c}".
func parseSet(s string) ([]string, error) {
	if !strings.HasSuffix(s, "}") {
		return nil, errors.New(`unterminated set, expected "{a,b,...}"`)
	}
	var items []string
	for item := range strings.SplitSeq(s[1:len(s)-1], ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, errors.New("empty item in set")
		}
		if strings.ContainsAny(item, "[]{}") {
			return nil, fmt.Errorf("set item %q contains one of []{}", item)
		}
		items = append(items, item)
	}
	return items, nil
}

// attributesV0 is the flat map of the v0 /state endpoints: text and
// scalars as themselves, ranges and sets in their Mesos string form.
func attributesV0(attrs []mesos.Attribute) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		switch a.Type {
		case mesos.SCALAR:
			m[a.Name] = a.GetScalar().GetValue()
		case mesos.RANGES:
			parts := make([]string, 0, len(a.GetRanges().GetRange()))
			for _, r := range a.GetRanges().GetRange() {
				parts = append(parts, fmt.Sprintf("%d-%d", r.Begin, r.End))
			}
			m[a.Name] = "[" + strings.Join(parts, ", ") + "]"
		case mesos.SET:
			m[a.Name] = "{" + strings.Join(a.GetSet().GetItem(), ",") + "}"
		default:
			m[a.Name] = a.GetText().GetValue()
		}
	}
	return m
}
