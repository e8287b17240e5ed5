package app

import (
	"regexp"
	"strconv"
)

// Validation follows Marathon 1.10's AppValidation (API level) and
// AppDefinition.validAppDefinition (model level), with their wording and
// paths: "/" for rules on the whole app, "/field/sub" for fields and
// "(n)" for array elements, as Marathon renders accord violations.
//
// Feature flags: mesosbox behaves as a Marathon with the "secrets" feature
// enabled (secret references are checked against App.Secrets) and without
// "external_volumes" (there is no volume driver here).

// executorPattern is quoted in the executor error message; Java's full match
// makes the alternation anchored at both ends.
const executorPattern = `^(//cmd)|(/?[^/]+(/[^/]+)*)|$`

var executorRe = regexp.MustCompile(`^(?:(//cmd)|(/?[^/]+(/[^/]+)*)|)$`)

// isLiteralOrFloat is SchedulingValidationMessages.MesosLiteralOrFloatValue:
// IS only compares Mesos text and scalar attributes.
var isLiteralOrFloat = regexp.MustCompile(`^[a-zA-Z0-9_/.-]*$`)

// Labels with a meaning to Marathon.
const (
	LabelSingleInstanceApp        = "MARATHON_SINGLE_INSTANCE_APP"
	LabelDcosMigrationAPIVersion  = "DCOS_MIGRATION_API_VERSION"
	LabelDcosMigrationAPIPath     = "DCOS_MIGRATION_API_PATH"
	LabelDcosPackageFrameworkName = "DCOS_PACKAGE_FRAMEWORK_NAME"
)

// Constraint messages (SchedulingValidationMessages).
const (
	msgConstraintField    = "missing field for constraint declaration"
	msgConstraintOperator = "operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER or UNLIKE"
	msgUniqueValue        = "UNIQUE does not accept a value"
	msgGroupByValue       = "GROUP BY must define an integer value or else no value at all"
	msgMaxPerValue        = "MAX_PER requires an integer value"
	msgLikeValue          = "LIKE and UNLIKE require a non-empty, regular expression value"
	msgBadRegex           = "is not a valid regular expression"
	msgIsValue            = "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)"
)

// Validate checks a (defaulted) app and returns nil or an *Error rendered as
// 422 {"message":"Object is not valid","details":[...]}.
func Validate(a *App) error {
	var v Violations
	validateIdentity(&v, a)
	validateResources(&v, a)
	validateStrategies(&v, a)
	for i, c := range a.Constraints {
		validateConstraint(&v, idxPath("/constraints", i), c)
	}
	validateNetworking(&v, a)
	if a.Container != nil {
		validateContainer(&v, a)
	}
	validateHealthChecks(&v, a)
	validateReadiness(&v, a)
	if a.Check != nil {
		validateCheck(&v, a.Check)
	}
	validateMaps(&v, a)
	for i, f := range a.Fetch {
		p := keyPath(idxPath("/fetch", i), "uri")
		if f.URI == "" {
			v.Add(p, "must not be empty")
		} else if !validURI(f.URI) {
			v.Add(p, "URI has invalid syntax.")
		}
	}
	if e := v.asError(MessageNotValid); e != nil {
		return e
	}
	return nil
}

func validateIdentity(v *Violations, a *App) {
	validatePathID(v, "/id", a.ID)
	if segs, abs := splitPath(a.ID); abs && len(segs) == 0 {
		v.Add("/", "must not be root")
	}
	for i, dep := range a.Dependencies {
		validatePathID(v, idxPath("/dependencies", i), dep)
	}
	if !executorRe.MatchString(a.Executor) {
		v.Add("/executor", "must fully match regular expression '"+executorPattern+"'")
	}
	cmd, args := a.Cmd != "", len(a.Args) > 0
	container := a.Container != nil && a.Container.Docker != nil
	if !((cmd != args) || (!(cmd && args) && container)) {
		v.Add("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
	}
	// Marathon checks `cmd.length() > 1`, so a one-character cmd is refused
	// with this message too; kept for compatibility.
	if cmd && utf16Len(a.Cmd) <= 1 {
		v.Add("/", "must not be an empty string")
	}
	if a.AcceptedResourceRoles != nil && len(a.AcceptedResourceRoles) == 0 {
		v.Add("/acceptedResourceRoles", "must not be empty")
	}
	if ver, ok := a.Labels[LabelDcosMigrationAPIVersion]; ok && ver != "" {
		if ver != "v1" || a.Labels[LabelDcosPackageFrameworkName] == "" || a.Labels[LabelDcosMigrationAPIPath] == "" {
			v.Add("/", "DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION")
		}
	}
}

// MaxInstances bounds an app's instances. Marathon has no such limit,
// but one request asking for millions would make a node plan and hold
// millions of tasks; a cluster that mesosbox runs never needs more.
const MaxInstances = 10000

func validateResources(v *Violations, a *App) {
	atLeastF(v, "/cpus", a.Cpus, 0.001)
	atLeastF(v, "/mem", a.Mem, 0)
	atLeastF(v, "/disk", a.Disk, 0)
	atLeastI(v, "/gpus", int64(a.Gpus), 0)
	atLeastI(v, "/instances", int64(a.Instances), 0)
	if a.Instances > MaxInstances {
		v.Add("/instances", "got "+strconv.Itoa(a.Instances)+", expected "+strconv.Itoa(MaxInstances)+" or less")
	}
	atLeastI(v, "/backoffSeconds", int64(a.BackoffSeconds), 0)
	atLeastF(v, "/backoffFactor", a.BackoffFactor, 1)
	atLeastI(v, "/maxLaunchDelaySeconds", int64(a.MaxLaunchDelaySeconds), 0)
	if a.TaskKillGracePeriodSeconds != nil {
		atLeastI(v, "/taskKillGracePeriodSeconds", int64(*a.TaskKillGracePeriodSeconds), 0)
	}
	if a.KillSelection != KillYoungestFirst && a.KillSelection != KillOldestFirst {
		v.Add("/killSelection", "is not one of ("+KillYoungestFirst+","+KillOldestFirst+")")
	}
	if a.Gpus > 0 && a.Container != nil && a.Container.Type == ContainerDocker {
		v.Add("/", "GPU resources only work with the Mesos containerizer")
	}
	if rl := a.ResourceLimits; rl != nil {
		// A limit is "unlimited" or at least the requested amount.
		if rl.Cpus != nil && !rl.Cpus.Unlimited {
			atLeastF(v, "/resourceLimits/cpus", rl.Cpus.Value, a.Cpus)
		}
		if rl.Mem != nil && !rl.Mem.Unlimited {
			atLeastF(v, "/resourceLimits/mem", rl.Mem.Value, a.Mem)
		}
	}
}

func validateStrategies(v *Violations, a *App) {
	singleInstance := a.Labels[LabelSingleInstanceApp] == "true"
	if singleInstance && a.Instances > 1 {
		v.Add("/", "Single instance app may only have one instance")
	}
	if u := a.UpgradeStrategy; u != nil {
		betweenF(v, "/upgradeStrategy/minimumHealthCapacity", u.MinimumHealthCapacity, 0, 1)
		betweenF(v, "/upgradeStrategy/maximumOverCapacity", u.MaximumOverCapacity, 0, 1)
		if singleInstance {
			equalF(v, "/upgradeStrategy/minimumHealthCapacity", u.MinimumHealthCapacity, 0)
			equalF(v, "/upgradeStrategy/maximumOverCapacity", u.MaximumOverCapacity, 0)
		}
		if a.IsResident() {
			atMostF(v, "/upgradeStrategy/minimumHealthCapacity", u.MinimumHealthCapacity, 0.5)
			equalF(v, "/upgradeStrategy/maximumOverCapacity", u.MaximumOverCapacity, 0)
		}
	}
	if u := a.UnreachableStrategy; u != nil {
		if u.Disabled {
			return
		}
		if a.IsResident() {
			v.Add("/", "unreachableStrategy must be disabled for resident tasks")
		}
		atLeastI(v, "/unreachableStrategy/inactiveAfterSeconds", u.InactiveAfterSeconds, 0)
		atLeastI(v, "/unreachableStrategy/expungeAfterSeconds", u.ExpungeAfterSeconds, 0)
		if u.InactiveAfterSeconds > u.ExpungeAfterSeconds {
			v.Add("/unreachableStrategy/inactiveAfterSeconds",
				"got "+strconv.FormatInt(u.InactiveAfterSeconds, 10)+", expected "+strconv.FormatInt(u.ExpungeAfterSeconds, 10)+" or less")
		}
	}
}

// validateConstraint is Marathon's complyWithAppConstraintRules.
func validateConstraint(v *Violations, path string, c Constraint) {
	if c.Field == "" {
		v.Add(path, msgConstraintField)
		return
	}
	value := ""
	if c.Value != nil {
		value = *c.Value
	}
	switch c.Operator {
	case OpUnique:
		if c.Value != nil {
			v.Add(path, msgUniqueValue)
		}
	case OpCluster:
		// The value is optional: without one, the first placement decides.
	case OpGroupBy:
		if c.Value != nil && !isInt32(value) {
			v.Add(path, msgGroupByValue)
		}
	case OpMaxPer:
		if c.Value == nil || !isInt32(value) {
			v.Add(path, msgMaxPerValue)
		}
	case OpLike, OpUnlike:
		if c.Value == nil {
			v.Add(path, msgLikeValue)
		} else if _, err := compileFullMatch(value); err != nil {
			v.Add(path, msgBadRegex)
		}
	case OpIs:
		if !isLiteralOrFloat.MatchString(value) {
			v.Add(path, msgIsValue)
		}
	default:
		v.Add(path, msgConstraintOperator)
	}
}

// isInt32 is Scala's String.toInt: an optional sign and decimal digits that
// fit in an Int.
func isInt32(s string) bool {
	_, err := strconv.ParseInt(s, 10, 32)
	return err == nil
}

// compileFullMatch compiles a constraint regular expression for Java's
// String.matches semantics (the whole value must match). Go's RE2 syntax
// lacks Java's look-around and back-references; such patterns are refused.
func compileFullMatch(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)$`)
}

func validateMaps(v *Violations, a *App) {
	for _, k := range sortedKeys(a.Env) {
		p := keyPath("/env", k)
		if k == "" {
			v.Add(p, "must not be empty")
		}
		if utf16Len(k) >= 255 {
			v.Add(p, "variable name must be 254 chars or less")
		}
		if ref := a.Env[k].Secret; ref != nil {
			if _, ok := a.Secrets[*ref]; !ok {
				v.Add(p, "references an undefined secret")
			}
		}
	}
	for _, k := range sortedKeys(a.Labels) {
		if k == "" {
			v.Add("/labels/", "must not be empty")
		}
	}
	for _, k := range sortedKeys(a.Secrets) {
		if k == "" {
			v.Add("/secrets/", "must not be empty")
		}
		if a.Secrets[k].Source == "" {
			v.Add(keyPath(keyPath("/secrets", k), "source"), "must not be empty")
		}
	}
}

// accord's messages for numeric rules.

func atLeastF(v *Violations, path string, got, min float64) {
	if got < min {
		v.Add(path, "got "+javaDouble(got)+", expected "+javaDouble(min)+" or more")
	}
}

func atMostF(v *Violations, path string, got, max float64) {
	if got > max {
		v.Add(path, "got "+javaDouble(got)+", expected "+javaDouble(max)+" or less")
	}
}

func betweenF(v *Violations, path string, got, lo, hi float64) {
	if got < lo || got > hi {
		v.Add(path, "got "+javaDouble(got)+", expected between "+javaDouble(lo)+" and "+javaDouble(hi))
	}
}

func equalF(v *Violations, path string, got, want float64) {
	if got != want {
		v.Add(path, "does not equal "+javaDouble(want))
	}
}

func atLeastI(v *Violations, path string, got, min int64) {
	if got < min {
		v.Add(path, "got "+strconv.FormatInt(got, 10)+", expected "+strconv.FormatInt(min, 10)+" or more")
	}
}

func portNumber(v *Violations, path string, p int) {
	if p < 0 {
		v.Add(path, "got "+strconv.Itoa(p)+", expected 0 or more")
	} else if p > 65535 {
		v.Add(path, "got "+strconv.Itoa(p)+", expected 65535 or less")
	}
}
