package app

import "regexp"

// Patterns of Marathon's RAML string types.
var (
	// nameRe is strings.Name (network names); it is also limited to 63 characters.
	nameRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// legacyNameRe is strings.LegacyName (port names): Name without the length limit.
	legacyNameRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// appFields are the properties of Marathon's RAML App (and so of AppUpdate),
// including deprecated ones. A PUT body naming only "id" and "version" is a
// rollback; other known fields next to "version" are an error, unknown ones
// are ignored.
var appFields = map[string]bool{
	"id": true, "cmd": true, "args": true, "user": true, "env": true, "instances": true,
	"cpus": true, "mem": true, "disk": true, "gpus": true, "executor": true, "constraints": true,
	"fetch": true, "storeUrls": true, "portDefinitions": true, "requirePorts": true,
	"backoffSeconds": true, "backoffFactor": true, "maxLaunchDelaySeconds": true,
	"container": true, "healthChecks": true, "check": true, "readinessChecks": true,
	"dependencies": true, "upgradeStrategy": true, "labels": true, "acceptedResourceRoles": true,
	"version": true, "versionInfo": true, "residency": true, "secrets": true,
	"taskKillGracePeriodSeconds": true, "unreachableStrategy": true, "killSelection": true,
	"networks": true, "role": true, "resourceLimits": true, "executorResources": true, "tty": true,
	"ipAddress": true, "ports": true, "uris": true,
}

// decoded is an app as read from JSON, before deprecated inputs are
// translated: it remembers which fields the body carried (for PUT patches)
// and the deprecated values.
type decoded struct {
	app     App
	present map[string]bool // canonical top-level fields set by the body

	uris       []string
	ports      []int
	ipAddress  *ipAddress
	dockerNet  string // container.docker.network
	dockerPMs  []PortMapping
	hasDockPMs bool // container.docker.portMappings was given

	viol Violations // semantic errors found while reading
}

// ipAddress is the deprecated IP-per-task request.
type ipAddress struct {
	networkName string
	labels      map[string]string
	discovery   *ipDiscovery
}

type ipDiscovery struct {
	ports []discoveryPort
}

type discoveryPort struct {
	number   int
	name     string
	protocol string
}

// Decode reads a Marathon AppDefinition from a request body (POST
// /v2/apps, or a full app under PUT ?partialUpdate=false) and makes its id
// and dependencies absolute against base ("/" or the group the app is
// posted under).
//
// The errors are *Error values: a syntax error (400), type errors with
// Play-JSON codes (422, "Invalid JSON"), or conflicts between deprecated and
// canonical fields (422, "Object is not valid"). Unknown fields are ignored.
// Deprecated fields are translated to canonical ones. RAML defaults of
// scalar fields are filled; call Defaults next, then Validate.
func Decode(body []byte, base string) (*App, error) {
	v, perr := parseJSON(body)
	if perr != nil {
		return nil, perr
	}
	d, err := decodeValue(v, false)
	if err != nil {
		return nil, err
	}
	canonizeIDs(&d.app, base)
	return &d.app, nil
}

// decodeValue reads an app object. In update mode the id is optional and
// absent fields are simply not present (no deprecated-field defaults).
func decodeValue(v any, update bool) (*decoded, error) {
	r := &reader{}
	o, ok := r.asObj(v, "")
	if !ok {
		return nil, r.err()
	}
	d := readApp(o, update)
	if err := r.err(); err != nil {
		return nil, err
	}
	checkDeprecated(d)
	if e := d.viol.asError(MessageNotValid); e != nil {
		return nil, e
	}
	if e := translateDeprecated(d); e != nil {
		return nil, e
	}
	return d, nil
}

// canonizeIDs applies Marathon's withCanonizedIds.
func canonizeIDs(a *App, base string) {
	if base == "" {
		base = "/"
	}
	a.ID = CanonicalPath(a.ID, base)
	for i, dep := range a.Dependencies {
		a.Dependencies[i] = CanonicalPath(dep, base)
	}
}

func readApp(o obj, update bool) *decoded {
	d := &decoded{present: map[string]bool{}}
	a := &d.app
	set := func(k string) bool {
		if o.has(k) {
			d.present[k] = true
			return true
		}
		return false
	}

	// RAML defaults, as the generated readers apply them.
	a.Cpus, a.Mem, a.Instances = DefaultCpus, DefaultMem, DefaultInstances
	a.BackoffSeconds, a.BackoffFactor = DefaultBackoffSeconds, DefaultBackoffFactor
	a.MaxLaunchDelaySeconds, a.KillSelection = DefaultMaxLaunchDelaySeconds, DefaultKillSelection

	if update {
		if set("id") {
			a.ID, _ = o.str("id")
		}
	} else {
		a.ID, _ = o.strReq("id")
		d.present["id"] = true
	}
	if set("cmd") {
		if s, ok := o.str("cmd"); ok {
			o.minLen("cmd", s, 1)
			a.Cmd = s
		}
	}
	if set("args") {
		a.Args, _ = o.strings("args")
	}
	if set("user") {
		a.User, _ = o.str("user")
	}
	if set("executor") {
		a.Executor, _ = o.str("executor")
	}
	if set("cpus") {
		if f, ok := o.float("cpus"); ok {
			o.minF("cpus", f, 0.001)
			a.Cpus = f
		}
	}
	if set("mem") {
		if f, ok := o.float("mem"); ok {
			o.minF("mem", f, 0)
			a.Mem = f
		}
	}
	if set("disk") {
		if f, ok := o.float("disk"); ok {
			o.minF("disk", f, 0)
			a.Disk = f
		}
	}
	if set("gpus") {
		if i, ok := o.int32("gpus"); ok {
			o.minI("gpus", int64(i), 0)
			a.Gpus = i
		}
	}
	if set("instances") {
		if i, ok := o.int32("instances"); ok {
			o.minI("instances", int64(i), 0)
			a.Instances = i
		}
	}
	if set("resourceLimits") {
		a.ResourceLimits = readResourceLimits(o)
	}
	if set("role") {
		a.Role, _ = o.str("role")
	}
	if set("acceptedResourceRoles") {
		a.AcceptedResourceRoles, _ = o.strings("acceptedResourceRoles")
	}
	if set("env") {
		a.Env = readEnv(o)
	}
	if set("labels") {
		a.Labels, _ = o.stringMap("labels")
	}
	if set("secrets") {
		a.Secrets = readSecrets(o)
	}
	if set("constraints") {
		a.Constraints = readConstraints(o, &d.viol)
	}
	if set("container") {
		if c, ok := o.object("container"); ok {
			a.Container = readContainer(c, d)
		}
	}
	if set("networks") {
		a.Networks = readNetworks(o)
	}
	if set("portDefinitions") {
		a.PortDefinitions = readPortDefinitions(o)
	}
	if set("requirePorts") {
		a.RequirePorts, _ = o.boolean("requirePorts")
	}
	if set("healthChecks") {
		a.HealthChecks = readHealthChecks(o)
	}
	if set("check") {
		if c, ok := o.object("check"); ok {
			a.Check = readCheck(c)
		}
	}
	if set("readinessChecks") {
		a.ReadinessChecks = readReadinessChecks(o)
	}
	if set("dependencies") {
		a.Dependencies, _ = o.strings("dependencies")
	}
	if set("upgradeStrategy") {
		if u, ok := o.object("upgradeStrategy"); ok {
			a.UpgradeStrategy = readUpgradeStrategy(u)
		}
	}
	if set("backoffSeconds") {
		if i, ok := o.int32("backoffSeconds"); ok {
			o.minI("backoffSeconds", int64(i), 0)
			a.BackoffSeconds = i
		}
	}
	if set("backoffFactor") {
		if f, ok := o.float("backoffFactor"); ok {
			o.minF("backoffFactor", f, 1.0)
			a.BackoffFactor = f
		}
	}
	if set("maxLaunchDelaySeconds") {
		if i, ok := o.int32("maxLaunchDelaySeconds"); ok {
			o.minI("maxLaunchDelaySeconds", int64(i), 0)
			a.MaxLaunchDelaySeconds = i
		}
	}
	if set("killSelection") {
		if s, ok := o.enum("killSelection", KillYoungestFirst, KillOldestFirst); ok {
			a.KillSelection = s
		}
	}
	if set("taskKillGracePeriodSeconds") {
		if i, ok := o.int32("taskKillGracePeriodSeconds"); ok {
			o.minI("taskKillGracePeriodSeconds", int64(i), 0)
			a.TaskKillGracePeriodSeconds = &i
		}
	}
	if set("unreachableStrategy") {
		a.UnreachableStrategy = readUnreachable(o)
	}
	if set("fetch") {
		a.Fetch = readFetch(o)
	}
	if set("version") {
		a.Version, _ = o.timestamp("version")
	}
	if set("versionInfo") {
		if vi, ok := o.object("versionInfo"); ok {
			info := &VersionInfo{}
			info.LastScalingAt, _ = vi.timestamp("lastScalingAt")
			info.LastConfigChangeAt, _ = vi.timestamp("lastConfigChangeAt")
			a.VersionInfo = info
		}
	}

	// Deprecated inputs.
	if o.has("uris") {
		if us, ok := o.strings("uris"); ok {
			for i, u := range us {
				p := idxPath("/uris", i)
				if len([]rune(u)) < 1 {
					o.r.fail(p, codeMinLen)
				} else if len([]rune(u)) > 1024 {
					o.r.fail(p, codeMaxLen)
				}
			}
			d.uris = us
		}
	}
	if o.has("ports") {
		if ps, ok := o.array("ports"); ok {
			d.ports = make([]int, 0, len(ps))
			for i, p := range ps {
				path := idxPath("/ports", i)
				n, ok := o.r.asInteger(p, path, 32)
				if ok && n < 0 {
					o.r.fail(path, codeMin)
				} else if ok && n > 65535 {
					o.r.fail(path, codeMax)
				}
				d.ports = append(d.ports, int(n))
			}
		}
	}
	if o.has("ipAddress") {
		if ip, ok := o.object("ipAddress"); ok {
			d.ipAddress = readIPAddress(ip)
		}
	}
	return d
}
