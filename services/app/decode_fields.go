package app

import (
	"encoding/json"
	"strings"
)

// Readers for the top-level app fields that need more than a scalar read.

func readResourceLimits(o obj) *ResourceLimits {
	rl, ok := o.object("resourceLimits")
	if !ok {
		return nil
	}
	out := &ResourceLimits{}
	read := func(key string) *ResourceLimit {
		v, ok := rl.raw(key)
		if !ok {
			return nil
		}
		if s, isStr := v.(string); isStr {
			if s == "unlimited" {
				return &ResourceLimit{Unlimited: true}
			}
			rl.r.fail(keyPath(rl.path, key), codeNumber)
			return nil
		}
		f, ok := rl.r.asFloat(v, keyPath(rl.path, key))
		if !ok {
			return nil
		}
		rl.minF(key, f, 0)
		return &ResourceLimit{Value: f}
	}
	out.Cpus = read("cpus")
	out.Mem = read("mem")
	return out
}

// readEnv reads the legacy env map: values are strings or {"secret": name}.
func readEnv(o obj) map[string]EnvValue {
	m, ok := o.object("env")
	if !ok {
		return nil
	}
	out := make(map[string]EnvValue, len(m.m))
	for _, k := range sortedKeys(m.m) {
		p := keyPath(m.path, k)
		switch v := m.m[k].(type) {
		case string:
			out[k] = Literal(v)
		case map[string]any:
			ref := obj{r: o.r, m: v, path: p}
			if s, ok := ref.strReq("secret"); ok {
				out[k] = SecretRef(s)
			}
		default:
			o.r.fail(p, codeString)
		}
	}
	return out
}

func readSecrets(o obj) map[string]Secret {
	m, ok := o.object("secrets")
	if !ok {
		return nil
	}
	out := make(map[string]Secret, len(m.m))
	for _, k := range sortedKeys(m.m) {
		s, ok := o.r.asObj(m.m[k], keyPath(m.path, k))
		if !ok {
			continue
		}
		if src, ok := s.strReq("source"); ok {
			s.minLen("source", src, 1)
			out[k] = Secret{Source: src}
		}
	}
	return out
}

// readConstraints reads `[field, OPERATOR, value?]` arrays. Marathon 1.x
// refused a JSON number as the value (issue #3857); mesosbox accepts it and
// keeps its literal spelling, so ["rack", "GROUP_BY", 3] means "3". The
// operator is matched case-insensitively, as Marathon's validator does, and
// stored upper-case. An array that does not have 2 or 3 elements cannot be
// a Constraint; it is reported with Marathon's message.
func readConstraints(o obj, viol *Violations) []Constraint {
	a, ok := o.array("constraints")
	if !ok {
		return nil
	}
	out := make([]Constraint, 0, len(a))
	for i, e := range a {
		p := idxPath("/constraints", i)
		items, ok := e.([]any)
		if !ok {
			o.r.fail(p, codeArray)
			continue
		}
		strs := make([]string, 0, len(items))
		good := true
		for j, it := range items {
			switch v := it.(type) {
			case string:
				strs = append(strs, v)
			case json.Number:
				strs = append(strs, string(v))
			default:
				o.r.fail(idxPath(p, j), codeString)
				good = false
			}
		}
		if !good {
			continue
		}
		if len(strs) < 2 || len(strs) > 3 {
			viol.Add(p, "Each constraint must have either 2 or 3 fields")
			continue
		}
		c := Constraint{Field: strs[0], Operator: strs[1]}
		if up := strings.ToUpper(strs[1]); isOperator(up) {
			c.Operator = up
		}
		if len(strs) == 3 {
			v := strs[2]
			c.Value = &v
		}
		out = append(out, c)
	}
	return out
}

func isOperator(op string) bool {
	switch op {
	case OpUnique, OpCluster, OpGroupBy, OpLike, OpUnlike, OpMaxPer, OpIs:
		return true
	}
	return false
}

func readFetch(o obj) []Fetch {
	a, ok := o.array("fetch")
	if !ok {
		return nil
	}
	out := make([]Fetch, 0, len(a))
	for i, e := range a {
		f, ok := o.r.asObj(e, idxPath("/fetch", i))
		if !ok {
			continue
		}
		item := Fetch{Extract: true}
		if u, ok := f.strReq("uri"); ok {
			f.minLen("uri", u, 1)
			f.maxLen("uri", u, 1024)
			item.URI = u
		}
		if b, ok := f.boolean("extract"); ok {
			item.Extract = b
		}
		item.Executable, _ = f.boolean("executable")
		item.Cache, _ = f.boolean("cache")
		if p, ok := f.str("destPath"); ok {
			f.minLen("destPath", p, 1)
			f.maxLen("destPath", p, 1024)
			item.DestPath = p
		}
		out = append(out, item)
	}
	return out
}

func readUpgradeStrategy(u obj) *UpgradeStrategy {
	s := &UpgradeStrategy{MinimumHealthCapacity: 1, MaximumOverCapacity: 1}
	if f, ok := u.float("minimumHealthCapacity"); ok {
		u.minF("minimumHealthCapacity", f, 0)
		u.maxF("minimumHealthCapacity", f, 1)
		s.MinimumHealthCapacity = f
	}
	if f, ok := u.float("maximumOverCapacity"); ok {
		u.minF("maximumOverCapacity", f, 0)
		u.maxF("maximumOverCapacity", f, 1)
		s.MaximumOverCapacity = f
	}
	return s
}

// readUnreachable reads the union `"disabled" | {inactiveAfterSeconds,
// expungeAfterSeconds}`. As with Play's orElse, a value that is neither
// reports the object reader's error.
func readUnreachable(o obj) *UnreachableStrategy {
	v, _ := o.raw("unreachableStrategy")
	if s, ok := v.(string); ok && strings.EqualFold(s, "disabled") {
		return &UnreachableStrategy{Disabled: true}
	}
	u, ok := o.object("unreachableStrategy")
	if !ok {
		return nil
	}
	out := &UnreachableStrategy{}
	if i, ok := u.int64("inactiveAfterSeconds"); ok {
		u.minI("inactiveAfterSeconds", i, 0)
		out.InactiveAfterSeconds = i
	}
	if i, ok := u.int64("expungeAfterSeconds"); ok {
		u.minI("expungeAfterSeconds", i, 0)
		out.ExpungeAfterSeconds = i
	}
	return out
}
