package app

// The JSON shapes Marathon 1.10 prints. Field order follows Marathon's
// output where it is known; json tags carry the exact names and which
// empty values are omitted.

type wireApp struct {
	ID                         string                `json:"id"`
	AcceptedResourceRoles      *[]string             `json:"acceptedResourceRoles,omitempty"`
	Args                       []string              `json:"args,omitempty"`
	BackoffFactor              float64               `json:"backoffFactor"`
	BackoffSeconds             int                   `json:"backoffSeconds"`
	Check                      *wireCheck            `json:"check,omitempty"`
	Cmd                        string                `json:"cmd,omitempty"`
	Constraints                [][]string            `json:"constraints,omitempty"`
	Container                  *wireContainer        `json:"container,omitempty"`
	Cpus                       float64               `json:"cpus"`
	Dependencies               []string              `json:"dependencies,omitempty"`
	Disk                       float64               `json:"disk"`
	Env                        map[string]any        `json:"env,omitempty"`
	Executor                   string                `json:"executor"`
	Fetch                      []wireFetch           `json:"fetch,omitempty"`
	HealthChecks               []wireHealthCheck     `json:"healthChecks,omitempty"`
	Instances                  int                   `json:"instances"`
	Labels                     map[string]string     `json:"labels"`
	MaxLaunchDelaySeconds      int                   `json:"maxLaunchDelaySeconds"`
	Mem                        float64               `json:"mem"`
	Gpus                       int                   `json:"gpus"`
	Networks                   []wireNetwork         `json:"networks,omitempty"`
	PortDefinitions            *[]wirePortDefinition `json:"portDefinitions,omitempty"`
	ReadinessChecks            []wireReadiness       `json:"readinessChecks,omitempty"`
	RequirePorts               bool                  `json:"requirePorts"`
	ResourceLimits             map[string]any        `json:"resourceLimits,omitempty"`
	Secrets                    map[string]wireSecret `json:"secrets,omitempty"`
	TaskKillGracePeriodSeconds *int                  `json:"taskKillGracePeriodSeconds,omitempty"`
	UpgradeStrategy            *wireUpgradeStrategy  `json:"upgradeStrategy,omitempty"`
	User                       string                `json:"user,omitempty"`
	Version                    string                `json:"version,omitempty"`
	VersionInfo                *wireVersionInfo      `json:"versionInfo,omitempty"`
	KillSelection              string                `json:"killSelection,omitempty"`
	UnreachableStrategy        any                   `json:"unreachableStrategy,omitempty"`
	Role                       string                `json:"role,omitempty"`
}

type wireSecret struct {
	Source string `json:"source"`
}

type wireFetch struct {
	URI        string `json:"uri"`
	Executable bool   `json:"executable"`
	Extract    bool   `json:"extract"`
	Cache      bool   `json:"cache"`
	DestPath   string `json:"destPath,omitempty"`
}

type wireUpgradeStrategy struct {
	MaximumOverCapacity   float64 `json:"maximumOverCapacity"`
	MinimumHealthCapacity float64 `json:"minimumHealthCapacity"`
}

type wireUnreachable struct {
	InactiveAfterSeconds int64 `json:"inactiveAfterSeconds"`
	ExpungeAfterSeconds  int64 `json:"expungeAfterSeconds"`
}

type wireVersionInfo struct {
	LastScalingAt      string `json:"lastScalingAt"`
	LastConfigChangeAt string `json:"lastConfigChangeAt"`
}

type wireNetwork struct {
	Mode   string            `json:"mode"`
	Name   string            `json:"name,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

type wirePortDefinition struct {
	Port     int               `json:"port"`
	Protocol string            `json:"protocol"`
	Name     string            `json:"name,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
}

type wireContainer struct {
	Type         string             `json:"type"`
	Docker       *wireDocker        `json:"docker,omitempty"`
	Volumes      []wireVolume       `json:"volumes"`
	PortMappings *[]wirePortMapping `json:"portMappings,omitempty"`
	LinuxInfo    *wireLinuxInfo     `json:"linuxInfo,omitempty"`
}

type wireDocker struct {
	Credential     *wireCredential `json:"credential,omitempty"`
	ForcePullImage bool            `json:"forcePullImage"`
	Image          string          `json:"image"`
	Parameters     []wireParameter `json:"parameters"`
	Privileged     *bool           `json:"privileged,omitempty"`
	PullConfig     *wirePullConfig `json:"pullConfig,omitempty"`
}

type wireCredential struct {
	Principal string  `json:"principal"`
	Secret    *string `json:"secret,omitempty"`
}

type wirePullConfig struct {
	Secret string `json:"secret"`
}

type wireParameter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type wirePortMapping struct {
	ContainerPort int               `json:"containerPort"`
	HostPort      *int              `json:"hostPort,omitempty"`
	Labels        map[string]string `json:"labels"`
	Name          string            `json:"name,omitempty"`
	Protocol      string            `json:"protocol"`
	ServicePort   int               `json:"servicePort"`
	NetworkNames  []string          `json:"networkNames,omitempty"`
}

type wireVolume struct {
	ContainerPath string        `json:"containerPath"`
	HostPath      string        `json:"hostPath,omitempty"`
	Mode          string        `json:"mode,omitempty"`
	Persistent    *wirePersist  `json:"persistent,omitempty"`
	External      *wireExternal `json:"external,omitempty"`
	Secret        string        `json:"secret,omitempty"`
}

type wirePersist struct {
	Type        string     `json:"type"`
	Size        int64      `json:"size"`
	MaxSize     *int64     `json:"maxSize,omitempty"`
	ProfileName string     `json:"profileName,omitempty"`
	Constraints [][]string `json:"constraints,omitempty"`
}

type wireExternal struct {
	Name     string            `json:"name,omitempty"`
	Provider string            `json:"provider,omitempty"`
	Options  map[string]string `json:"options,omitempty"`
	Size     *int64            `json:"size,omitempty"`
}

type wireLinuxInfo struct {
	Seccomp *wireSeccomp `json:"seccomp,omitempty"`
	IPCInfo *wireIPCInfo `json:"ipcInfo,omitempty"`
}

type wireSeccomp struct {
	ProfileName string `json:"profileName,omitempty"`
	Unconfined  bool   `json:"unconfined"`
}

type wireIPCInfo struct {
	Mode    string `json:"mode"`
	ShmSize *int   `json:"shmSize,omitempty"`
}

type wireHealthCheck struct {
	Command                *wireCommand `json:"command,omitempty"`
	GracePeriodSeconds     int          `json:"gracePeriodSeconds"`
	IgnoreHTTP1xx          *bool        `json:"ignoreHttp1xx,omitempty"`
	IntervalSeconds        int          `json:"intervalSeconds"`
	MaxConsecutiveFailures int          `json:"maxConsecutiveFailures"`
	Path                   string       `json:"path,omitempty"`
	Port                   *int         `json:"port,omitempty"`
	PortIndex              *int         `json:"portIndex,omitempty"`
	Protocol               string       `json:"protocol"`
	IPProtocol             string       `json:"ipProtocol,omitempty"`
	TimeoutSeconds         int          `json:"timeoutSeconds"`
	DelaySeconds           int          `json:"delaySeconds"`
}

type wireCommand struct {
	Value string `json:"value"`
}

type wireCheck struct {
	HTTP            *wireCheckHTTP `json:"http,omitempty"`
	TCP             *wireCheckTCP  `json:"tcp,omitempty"`
	Exec            *wireCheckExec `json:"exec,omitempty"`
	IntervalSeconds int            `json:"intervalSeconds"`
	TimeoutSeconds  int            `json:"timeoutSeconds"`
	DelaySeconds    int            `json:"delaySeconds"`
}

type wireCheckHTTP struct {
	PortIndex *int   `json:"portIndex,omitempty"`
	Path      string `json:"path,omitempty"`
	Scheme    string `json:"scheme"`
}

type wireCheckTCP struct {
	PortIndex *int `json:"portIndex,omitempty"`
}

type wireCheckExec struct {
	Command wireMesosCommand `json:"command"`
}

type wireMesosCommand struct {
	Shell string   `json:"shell,omitempty"`
	Argv  []string `json:"argv,omitempty"`
}

type wireReadiness struct {
	Name                    string `json:"name"`
	Protocol                string `json:"protocol"`
	Path                    string `json:"path"`
	PortName                string `json:"portName"`
	IntervalSeconds         int    `json:"intervalSeconds"`
	TimeoutSeconds          int    `json:"timeoutSeconds"`
	HTTPStatusCodesForReady []int  `json:"httpStatusCodesForReady"`
	PreserveLastResponse    bool   `json:"preserveLastResponse"`
}
