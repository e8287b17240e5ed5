package app

import (
	"math"
	"strconv"
)

// Placement describes where something is or could be: an agent offering
// resources, or a task of the app already placed on one. Region and zone
// are the agent's fault domain ("" when it has none).
type Placement struct {
	Hostname   string
	Region     string
	Zone       string
	Attributes map[string]string
}

// CanPlace reports whether a new task of an app with constraints may be
// launched on agent, given the app's tasks already placed (Marathon's
// Constraints.meetsConstraint for each constraint). Fields are "hostname"
// or "@hostname", "@region", "@zone", or an agent attribute name.
//
//   - UNIQUE: no placed task has the agent's value;
//   - CLUSTER v: the agent's value is v; without v, every task goes where
//     the first one went;
//   - GROUP_BY [n]: the agent's value is new, or its group is one of the
//     smallest and at least n groups exist ("inf" counts as unbounded);
//   - LIKE / UNLIKE re: the value fully matches / does not match re;
//   - MAX_PER n: fewer than n placed tasks share the agent's value;
//   - IS v: the value is exactly v.
//
// An agent without the field satisfies UNLIKE only. Constraints that fail
// validation (bad regex, bad number) never match.
func CanPlace(constraints []Constraint, agent Placement, placed []Placement) bool {
	for _, c := range constraints {
		if !meets(c, agent, placed) {
			return false
		}
	}
	return true
}

// fieldValue reads a constraint field of a placement.
func fieldValue(field string, p Placement) (string, bool) {
	switch field {
	case "hostname", "@hostname":
		return p.Hostname, true
	case "@region":
		return p.Region, p.Region != ""
	case "@zone":
		return p.Zone, p.Zone != ""
	}
	v, ok := p.Attributes[field]
	return v, ok
}

func meets(c Constraint, agent Placement, placed []Placement) bool {
	value := ""
	if c.Value != nil {
		value = *c.Value
	}
	offer, ok := fieldValue(c.Field, agent)
	if !ok {
		return c.Operator == OpUnlike
	}
	switch c.Operator {
	case OpLike, OpUnlike:
		if value == "" {
			return false
		}
		re, err := compileFullMatch(value)
		if err != nil {
			return false
		}
		return re.MatchString(offer) == (c.Operator == OpLike)
	case OpUnique:
		for _, p := range placed {
			if v, ok := fieldValue(c.Field, p); ok && v == offer {
				return false
			}
		}
		return true
	case OpCluster:
		if value != "" {
			return offer == value
		}
		if len(placed) == 0 {
			return true
		}
		v, ok := fieldValue(c.Field, placed[0])
		return ok && v == offer
	case OpGroupBy:
		return groupByAllows(c.Field, value, offer, placed)
	case OpMaxPer:
		limit, err := strconv.ParseInt(value, 10, 32)
		if err != nil {
			return false
		}
		n := 0
		for _, p := range placed {
			if v, ok := fieldValue(c.Field, p); ok && v == offer {
				n++
			}
		}
		return int64(n) < limit
	case OpIs:
		return offer == value
	}
	return false
}

// groupByAllows is Marathon's checkGroupBy. Placed tasks lacking the field
// form a group of their own, as in Marathon.
func groupByAllows(field, value, offer string, placed []Placement) bool {
	minimum := 0
	if value == "inf" {
		minimum = math.MaxInt32
	} else if n, err := strconv.ParseInt(value, 10, 32); err == nil && n > 0 {
		minimum = int(n)
	}
	type key struct {
		v  string
		ok bool
	}
	groups := map[key]int{}
	for _, p := range placed {
		v, ok := fieldValue(field, p)
		groups[key{v, ok}]++
	}
	mine, exists := groups[key{offer, true}]
	if !exists {
		return true
	}
	minCount := math.MaxInt
	for _, n := range groups {
		minCount = min(minCount, n)
	}
	return len(groups) >= minimum && mine == minCount
}
