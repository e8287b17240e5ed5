package app

import "time"

// App is a Marathon AppDefinition in canonical form: deprecated inputs
// (uris, ports, ipAddress, container.docker.network and
// container.docker.portMappings) have already been translated.
//
// Scalars with RAML defaults (cpus, mem, instances, backoff...) are filled by
// Decode, exactly as Marathon's generated readers do. Defaults that depend on
// other fields (networks, ports, strategies for resident apps) are filled by
// Defaults, so a PUT can merge a patch first and default afterwards. Pointer
// and nil-able fields mean "absent" until Defaults runs.
type App struct {
	ID       string
	Cmd      string   // "" means absent
	Args     []string // nil or empty means absent
	User     string
	Executor string

	Cpus      float64
	Mem       float64
	Disk      float64
	Gpus      int
	Instances int

	ResourceLimits        *ResourceLimits
	Role                  string
	AcceptedResourceRoles []string // nil means absent; empty is an error

	Env     map[string]EnvValue
	Labels  map[string]string
	Secrets map[string]Secret

	Constraints []Constraint
	Container   *Container

	Networks        []Network        // nil means absent: Defaults makes it host
	PortDefinitions []PortDefinition // nil means absent: Defaults gives one on host networking
	RequirePorts    bool

	HealthChecks    []HealthCheck
	Check           *Check
	ReadinessChecks []ReadinessCheck
	Dependencies    []string

	UpgradeStrategy *UpgradeStrategy // nil until Defaults

	BackoffSeconds             int
	BackoffFactor              float64
	MaxLaunchDelaySeconds      int
	KillSelection              string
	TaskKillGracePeriodSeconds *int

	UnreachableStrategy *UnreachableStrategy // nil until Defaults

	Fetch []Fetch

	Version     time.Time // zero means absent
	VersionInfo *VersionInfo
}

// Default values of Marathon 1.10 (RAML defaults and AppDefinition constants).
const (
	DefaultCpus                  = 1.0
	DefaultMem                   = 128.0
	DefaultInstances             = 1
	DefaultBackoffSeconds        = 1
	DefaultBackoffFactor         = 1.15
	DefaultMaxLaunchDelaySeconds = 300
	DefaultKillSelection         = KillYoungestFirst
	DefaultRole                  = "*"
)

// Kill selections.
const (
	KillYoungestFirst = "YOUNGEST_FIRST"
	KillOldestFirst   = "OLDEST_FIRST"
)

// EnvValue is an environment variable: a literal value or, when Secret is
// set, a reference to an entry of App.Secrets.
type EnvValue struct {
	Value  string
	Secret *string
}

// Literal returns a literal environment value.
func Literal(v string) EnvValue { return EnvValue{Value: v} }

// SecretRef returns an environment value that refers to a secret.
func SecretRef(name string) EnvValue { return EnvValue{Secret: &name} }

// IsSecret reports whether the value refers to a secret.
func (e EnvValue) IsSecret() bool { return e.Secret != nil }

// Secret declares where a secret comes from.
type Secret struct {
	Source string
}

// Constraint is one `[field, OPERATOR, value?]` entry.
type Constraint struct {
	Field    string
	Operator string
	Value    *string
}

// Constraint operators.
const (
	OpUnique  = "UNIQUE"
	OpCluster = "CLUSTER"
	OpGroupBy = "GROUP_BY"
	OpLike    = "LIKE"
	OpUnlike  = "UNLIKE"
	OpMaxPer  = "MAX_PER"
	OpIs      = "IS"
)

// ResourceLimits caps a task above its requested resources (Marathon 1.10).
type ResourceLimits struct {
	Cpus *ResourceLimit
	Mem  *ResourceLimit
}

// ResourceLimit is a number or "unlimited".
type ResourceLimit struct {
	Unlimited bool
	Value     float64
}

// Container engines.
const (
	ContainerDocker = "DOCKER"
	ContainerMesos  = "MESOS"
)

// Container describes the container of an app.
type Container struct {
	Type         string
	Docker       *Docker
	PortMappings []PortMapping // nil means absent
	Volumes      []Volume
	LinuxInfo    *LinuxInfo
}

// Docker is the image part of a container.
type Docker struct {
	Image          string
	ForcePullImage bool
	Privileged     bool
	Parameters     []Parameter
	Credential     *DockerCredential
	PullConfig     *PullConfig
}

// Parameter is a docker CLI parameter.
type Parameter struct {
	Key   string
	Value string
}

// DockerCredential authenticates with a registry.
type DockerCredential struct {
	Principal string
	Secret    *string
}

// PullConfig names the secret holding a docker config.json.
type PullConfig struct {
	Secret string
}

// LinuxInfo carries Linux-specific container settings.
type LinuxInfo struct {
	Seccomp *Seccomp
	IPCInfo *IPCInfo
}

// Seccomp selects a seccomp profile.
type Seccomp struct {
	ProfileName string
	Unconfined  bool
}

// IPCInfo sets the IPC namespace mode and /dev/shm size.
type IPCInfo struct {
	Mode    string
	ShmSize *int
}

// PortMapping maps a container port to a host and a service port.
type PortMapping struct {
	ContainerPort int
	HostPort      *int // nil: no host port (container networks); Defaults sets 0 in bridge mode
	ServicePort   int
	Protocol      string
	Name          string
	Labels        map[string]string
	NetworkNames  []string
}

// Volume is a host, persistent, external or secret volume.
type Volume struct {
	ContainerPath string
	HostPath      string
	Mode          string
	Persistent    *PersistentVolume
	External      *ExternalVolume
	Secret        string
}

// PersistentVolume is a local persistent volume of a resident app.
type PersistentVolume struct {
	Type        string
	Size        int64
	MaxSize     *int64
	ProfileName string
	Constraints [][]string
}

// ExternalVolume is a volume provided by a DVDI plugin.
type ExternalVolume struct {
	Name     string
	Provider string
	Options  map[string]string
	Size     *int64
}

// Network modes.
const (
	NetworkHost      = "host"
	NetworkBridge    = "container/bridge"
	NetworkContainer = "container"
)

// Network is one entry of App.Networks.
type Network struct {
	Mode   string
	Name   string
	Labels map[string]string
}

// PortDefinition is a port requested on host networking.
type PortDefinition struct {
	Port     int
	Protocol string
	Name     string
	Labels   map[string]string
}

// Health check protocols.
const (
	ProtoHTTP       = "HTTP"
	ProtoHTTPS      = "HTTPS"
	ProtoTCP        = "TCP"
	ProtoCommand    = "COMMAND"
	ProtoMesosHTTP  = "MESOS_HTTP"
	ProtoMesosHTTPS = "MESOS_HTTPS"
	ProtoMesosTCP   = "MESOS_TCP"
)

// HealthCheck is one entry of App.HealthChecks.
type HealthCheck struct {
	Protocol               string
	Path                   string
	PortIndex              *int
	Port                   *int
	Command                *HealthCommand
	GracePeriodSeconds     int
	IntervalSeconds        int
	TimeoutSeconds         int
	MaxConsecutiveFailures int
	DelaySeconds           int
	IgnoreHTTP1xx          bool
	IPProtocol             string
}

// HealthCommand is the shell command of a COMMAND health check.
type HealthCommand struct {
	Value string
}

// Check is the newer, single Mesos check of an app.
type Check struct {
	HTTP            *CheckHTTP
	TCP             *CheckTCP
	Exec            *CheckExec
	IntervalSeconds int
	TimeoutSeconds  int
	DelaySeconds    int
}

// CheckHTTP is an HTTP check.
type CheckHTTP struct {
	PortIndex *int
	Path      string
	Scheme    string
}

// CheckTCP is a TCP check.
type CheckTCP struct {
	PortIndex *int
}

// CheckExec runs a command; Shell or Argv is set.
type CheckExec struct {
	Shell string
	Argv  []string
}

// ReadinessCheck is queried during deployments before a task counts as ready.
type ReadinessCheck struct {
	Name                    string
	Protocol                string
	Path                    string
	PortName                string
	IntervalSeconds         int
	TimeoutSeconds          int
	HTTPStatusCodesForReady []int
	PreserveLastResponse    bool
}

// UpgradeStrategy bounds capacity during a rolling upgrade.
type UpgradeStrategy struct {
	MinimumHealthCapacity float64
	MaximumOverCapacity   float64
}

// UnreachableStrategy is either disabled or two timeouts.
type UnreachableStrategy struct {
	Disabled             bool
	InactiveAfterSeconds int64
	ExpungeAfterSeconds  int64
}

// Fetch is an artifact the Mesos fetcher downloads into the sandbox.
type Fetch struct {
	URI        string
	Executable bool
	Extract    bool
	Cache      bool
	DestPath   string
}

// VersionInfo records when the app was last scaled and last reconfigured.
type VersionInfo struct {
	LastScalingAt      time.Time
	LastConfigChangeAt time.Time
}

// IsResident reports whether the app has persistent volumes, which pins its
// tasks to reservations (and changes several defaults).
func (a *App) IsResident() bool {
	if a.Container == nil {
		return false
	}
	for _, v := range a.Container.Volumes {
		if v.Persistent != nil {
			return true
		}
	}
	return false
}

// HasHostNetworking reports whether the app (after Defaults) uses the host
// network; Marathon treats an empty network list as host networking.
func (a *App) HasHostNetworking() bool {
	if len(a.Networks) == 0 {
		return true
	}
	for _, n := range a.Networks {
		if n.Mode == NetworkHost {
			return true
		}
	}
	return false
}

// PortIndices returns how many port indices the app declares: container
// port mappings when there are any, otherwise port definitions. Health
// checks' portIndex and PORTn variables index into this list.
func (a *App) PortIndices() int {
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		return len(a.Container.PortMappings)
	}
	return len(a.PortDefinitions)
}
