package app

import (
	"slices"
	"strconv"
	"strings"
)

// Network messages (NetworkValidation, AppValidationMessages).
const (
	msgHostNetworkNamed      = "Host networks may not have names or labels"
	msgBridgeNetworkNamed    = "Bridge networks may not have names"
	msgDuplicateNetworks     = "Duplicate networks are not allowed"
	msgNetworkModes          = "May specify a single host network, single bridge network, or else 1-to-n container networks"
	msgNetworkNameRequired   = "Network name must be specified when container network is selected."
	msgNetworkNamesForHost   = "networkNames must be a single item list when hostPort is specified and more than 1 container network is defined"
	msgDockerSingleNetwork   = "may only specify a single container network when using the Docker container engine"
	msgPortMappingsOnHost    = "portMappings are not allowed with host-networking"
	msgPortDefinitionsNoHost = "portDefinitions are only allowed with host-networking"
)

func validateNetworking(v *Violations, a *App) {
	var host, bridge, ctr, unnamed int
	names := map[string]int{}
	for i, n := range a.Networks {
		if n.Name != "" {
			// NameValidation.validName; a name from a deprecated
			// ipAddress.networkName escaped the RAML pattern check.
			p := keyPath(idxPath("/networks", i), "name")
			if !nameRe.MatchString(n.Name) {
				v.Add(p, "must contain only alphanumeric chars or hyphens, and must begin with a letter")
			}
			if l := utf16Len(n.Name); l >= 64 {
				v.Add(p, "got "+strconv.Itoa(l)+", expected less than 64")
			}
		}
		switch n.Mode {
		case NetworkHost:
			host++
			if n.Name != "" || len(n.Labels) > 0 {
				v.Add("/networks", msgHostNetworkNamed)
			}
		case NetworkBridge:
			bridge++
			if n.Name != "" {
				v.Add("/networks", msgBridgeNetworkNamed)
			}
		case NetworkContainer:
			ctr++
			if n.Name == "" {
				unnamed++
			}
		default:
			v.Add("/networks", "is not one of (container,container/bridge,host)")
		}
		if n.Name != "" {
			names[n.Name]++
		}
	}
	dup := unnamed > 1
	for _, c := range names {
		dup = dup || c > 1
	}
	if dup {
		v.Add("/networks", msgDuplicateNetworks)
	}
	if !(host <= 1 && bridge == 0 && ctr == 0 || host == 0 && bridge <= 1 && ctr == 0 || host == 0 && bridge == 0 && ctr > 0) {
		v.Add("/networks", msgNetworkModes)
	}
	if unnamed > 0 {
		v.Add("/", msgNetworkNameRequired)
	}
	if host > 0 && a.Container != nil && len(a.Container.PortMappings) > 0 {
		v.Add("/", msgPortMappingsOnHost)
	}
	if bridge+ctr > 0 && len(a.PortDefinitions) > 0 {
		v.Add("/", msgPortDefinitionsNoHost)
	}

	var pdNames []string
	pdPorts := map[int]bool{}
	for i, p := range a.PortDefinitions {
		portNumber(v, keyPath(idxPath("/portDefinitions", i), "port"), p.Port)
		if p.Name != "" {
			pdNames = append(pdNames, p.Name)
		}
		if p.Port != 0 {
			if pdPorts[p.Port] {
				v.Add("/portDefinitions", "Ports must be unique.")
			}
			pdPorts[p.Port] = true
		}
	}
	if !uniqueNames(pdNames) {
		v.Add("/portDefinitions", "Port names must be unique.")
	}
}

func validateContainer(v *Violations, a *App) {
	c := a.Container
	ctrNets := 0
	var netNames []string
	for _, n := range a.Networks {
		if n.Mode == NetworkContainer {
			ctrNets++
		}
		if n.Name != "" {
			netNames = append(netNames, n.Name)
		}
	}

	if !uniqueNames(portMappingNames(c.PortMappings)) {
		v.Add("/container/portMappings", "Port names must be unique.")
	}
	for i, pm := range c.PortMappings {
		p := idxPath("/container/portMappings", i)
		portNumber(v, keyPath(p, "containerPort"), pm.ContainerPort)
		portNumber(v, keyPath(p, "servicePort"), pm.ServicePort)
		if pm.HostPort != nil {
			portNumber(v, keyPath(p, "hostPort"), *pm.HostPort)
		}
		if ctrNets > 1 && pm.HostPort != nil && len(pm.NetworkNames) != 1 {
			v.Add(p, msgNetworkNamesForHost)
		}
		for j, nn := range pm.NetworkNames {
			if !slices.Contains(netNames, nn) {
				v.Add(idxPath(keyPath(p, "networkNames"), j), "is not one of ("+strings.Join(netNames, ",")+")")
			}
		}
	}

	d := c.Docker
	switch c.Type {
	case ContainerDocker:
		if d == nil {
			v.Add("/container/docker", "not defined")
			break
		}
		if d.PullConfig != nil {
			v.Add("/container/docker/pullConfig", "pullConfig is not supported with Docker containerizer")
		}
		if ctrNets > 1 {
			v.Add("/", msgDockerSingleNetwork)
		}
	case ContainerMesos:
		if d == nil {
			break
		}
		if len(d.Parameters) > 0 {
			v.Add("/container/docker/parameters", "must be empty")
		}
		if d.PullConfig != nil {
			if _, ok := a.Secrets[d.PullConfig.Secret]; !ok {
				v.Add("/container/docker/pullConfig", "pullConfig.secret must refer to an existing secret")
			}
		}
	default:
		v.Add("/container/type", "is not one of (DOCKER,MESOS)")
	}
	if d != nil {
		if d.Image == "" {
			v.Add("/container/docker/image", "must not be empty")
		}
		if d.Credential != nil {
			// Marathon 1.10 refuses docker credentials in this place.
			v.Add("/container/docker/credential", "must be empty")
		}
		for i, p := range d.Parameters {
			if p.Key == "" {
				v.Add(keyPath(idxPath("/container/docker/parameters", i), "key"), "must not be empty")
			}
		}
	}
	validateVolumes(v, a)
}

func validateVolumes(v *Violations, a *App) {
	var extNames []string
	for i, vol := range a.Container.Volumes {
		p := idxPath("/container/volumes", i)
		kinds := 0
		for _, set := range []bool{vol.Persistent != nil, vol.External != nil, vol.Secret != ""} {
			if set {
				kinds++
			}
		}
		if kinds > 1 {
			v.Add(p, "illegal combination of persistent and external volume fields")
			continue
		}
		if vol.Mode != "RO" && vol.Mode != "RW" && vol.Secret == "" {
			v.Add(keyPath(p, "mode"), "is not one of (RO,RW)")
		}
		switch {
		case vol.Secret != "":
			if vol.ContainerPath == "" {
				v.Add(keyPath(p, "containerPath"), "must not be empty")
			}
			if _, ok := a.Secrets[vol.Secret]; !ok {
				v.Add(p, "volume.secret must refer to an existing secret")
			}
		case vol.External != nil:
			if vol.External.Name != "" {
				extNames = append(extNames, vol.External.Name)
			}
			v.Add(p, "Feature external_volumes is not enabled. Enable with --enable_features external_volumes)")
		case vol.Persistent != nil:
			validatePersistent(v, p, vol)
		default:
			if vol.ContainerPath == "" {
				v.Add(keyPath(p, "containerPath"), "must not be empty")
			}
			if vol.HostPath == "" {
				v.Add(keyPath(p, "hostPath"), "must not be empty")
			}
		}
	}
	if !uniqueNames(extNames) {
		v.Add("/container/volumes", "Volume names must be unique")
	}
}

// validatePersistent holds the rules of a local persistent volume: a single
// relative path segment in the sandbox, read-write, a positive size, and
// disk constraints only on path/mount disks.
func validatePersistent(v *Violations, p string, vol Volume) {
	pv := vol.Persistent
	switch {
	case vol.ContainerPath == "":
		v.Add(keyPath(p, "containerPath"), "must not be empty")
	case vol.ContainerPath == "." || vol.ContainerPath == "..":
		v.Add(keyPath(p, "containerPath"), "can not be one of (.,..)")
	case strings.Contains(vol.ContainerPath, "/"):
		v.Add(keyPath(p, "containerPath"), `value must not contain "/"`)
	}
	if vol.Mode != "RW" {
		v.Add(keyPath(p, "mode"), "does not equal RW")
	}
	pp := keyPath(p, "persistent")
	if pv.Size <= 0 {
		v.Add(keyPath(pp, "size"), "got "+strconv.FormatInt(pv.Size, 10)+", expected more than 0")
	}
	if pv.MaxSize != nil && pv.Type != "mount" {
		v.Add(pp, "Only mount volumes can have maxSize")
	}
	if pv.MaxSize != nil && *pv.MaxSize <= pv.Size {
		v.Add(pp, "Max size must be larger than size")
	}
	if pv.Type == "root" && len(pv.Constraints) > 0 {
		v.Add(pp, "Constraints on root volumes are not supported")
	}
	for j, c := range pv.Constraints {
		cp := idxPath(keyPath(pp, "constraints"), j)
		switch {
		case len(c) < 2:
			v.Add(cp, "Missing field and operator")
		case len(c) == 3 && c[0] == "path" && (c[1] == OpLike || c[1] == OpUnlike):
			if _, err := compileFullMatch(c[2]); err != nil {
				v.Add(cp, "Invalid regular expression")
			}
		case len(c) == 3 && c[0] == "path" && isOperator(c[1]):
			v.Add(cp, "Operator must be one of LIKE, UNLIKE")
		case len(c) == 3 && c[0] == "path":
			v.Add(cp, "unknown constraint operator "+c[1])
		default:
			v.Add(cp, "Unsupported constraint "+strings.Join(c, ","))
		}
	}
}
