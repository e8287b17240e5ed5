package app

import (
	"net/url"
	"strings"
	"unicode"
)

// Deprecated inputs that Marathon 1.10 still accepts and translates:
// uris → fetch, ports → portDefinitions, ipAddress and
// container.docker.network → networks, container.docker.portMappings →
// container.portMappings. checkDeprecated holds the rules Marathon applies
// to them (AppValidation.validateOldAppAPI) and translateDeprecated the
// translation (AppNormalization.forDeprecated). Responses never carry them.

// DefaultMesosBridgeName is the network name Marathon maps to bridge
// networking when it appears in a deprecated ipAddress.networkName.
const DefaultMesosBridgeName = "mesos-bridge"

func checkDeprecated(d *decoded) {
	a := &d.app
	v := &d.viol
	if c := a.Container; c != nil && c.Type == ContainerMesos && c.Docker != nil {
		// The Mesos containerizer never supported these docker options.
		if d.dockerNet != "" {
			v.Add("/container/docker/network", "must be empty")
		}
		if d.hasDockPMs && len(d.dockerPMs) > 0 {
			v.Add("/container/docker/portMappings", "must be empty")
		}
	}
	if d.hasDockPMs && !uniqueNames(portMappingNames(d.dockerPMs)) {
		v.Add("/container/docker/portMappings", "Port names must be unique.")
	}
	if ip := d.ipAddress; ip != nil && ip.discovery != nil && a.Container != nil && a.Container.Type == ContainerDocker {
		v.Add("/ipAddress", "ipAddress/discovery is not allowed for Docker containers")
	}
	for i, u := range d.uris {
		if !validURI(u) {
			v.Add(idxPath("/uris", i), "URI has invalid syntax.")
		}
	}
	if len(d.uris) > 0 && len(a.Fetch) > 0 {
		v.Add("/uris", "may not be set in conjunction with fetch")
	}
	if d.dockerNet != "" && len(a.Networks) > 0 {
		v.Add("/", "must not specify both container.docker.network and networks")
	}
	if d.ipAddress != nil && len(a.Networks) > 0 {
		v.Add("/", "must not specify both networks and ipAddress")
	}
	seen := map[int]bool{}
	for _, p := range d.ports {
		if p != 0 && seen[p] {
			v.Add("/", "ports must be unique")
			break
		}
		seen[p] = true
	}
	if d.ipAddress != nil && (len(d.ports) > 0 || len(a.PortDefinitions) > 0) {
		v.Add("/", "cannot specify both an IP address and port")
	}
	if d.ports != nil && a.PortDefinitions != nil && !samePorts(a.PortDefinitions, d.ports) {
		v.Add("/", "cannot specify both ports and port definitions")
	}
}

func samePorts(defs []PortDefinition, ports []int) bool {
	if len(defs) != len(ports) {
		return false
	}
	for i := range defs {
		if defs[i].Port != ports[i] {
			return false
		}
	}
	return true
}

func translateDeprecated(d *decoded) *Error {
	a := &d.app

	if len(d.uris) > 0 {
		a.Fetch = make([]Fetch, 0, len(d.uris))
		for _, u := range d.uris {
			a.Fetch = append(a.Fetch, Fetch{URI: u, Extract: isExtract(u)})
		}
		d.present["fetch"] = true
	}

	if nets, err := translateNetworks(d); err != nil {
		return err
	} else if nets != nil {
		a.Networks = nets
		d.present["networks"] = true
	}

	if a.Container == nil && d.ipAddress != nil {
		// An ipAddress without a container asks for an empty Mesos container.
		a.Container = &Container{Type: ContainerMesos}
		d.present["container"] = true
	}
	if c := a.Container; c != nil {
		if d.hasDockPMs {
			switch {
			case c.PortMappings != nil && len(d.dockerPMs) > 0:
				return notValid("/", "cannot specify both portMappings and docker.portMappings")
			case c.PortMappings == nil:
				c.PortMappings = d.dockerPMs
			}
		}
		if ip := d.ipAddress; ip != nil && ip.discovery != nil && len(ip.discovery.ports) > 0 {
			if c.Type != ContainerMesos {
				return notValid("/", "ipAddress.discovery.ports do not apply for container type "+c.Type)
			}
			if c.PortMappings != nil {
				return notValid("/", "container.portMappings and ipAddress.discovery.ports must not both be set")
			}
			c.PortMappings = make([]PortMapping, 0, len(ip.discovery.ports))
			for _, p := range ip.discovery.ports {
				// The old IP-per-container API did not map container ports to host ports.
				c.PortMappings = append(c.PortMappings, PortMapping{ContainerPort: p.number, Name: p.name, Protocol: p.protocol})
			}
		}
	}

	if d.ports != nil && a.PortDefinitions == nil {
		a.PortDefinitions = make([]PortDefinition, 0, len(d.ports))
		for _, p := range d.ports {
			a.PortDefinitions = append(a.PortDefinitions, PortDefinition{Port: p, Protocol: "tcp"})
		}
		d.present["portDefinitions"] = true
	}
	return nil
}

// translateNetworks is Marathon's NetworkTranslation: it returns nil when no
// deprecated network field was used.
func translateNetworks(d *decoded) ([]Network, *Error) {
	ip, dockerNet := d.ipAddress, d.dockerNet
	if ip == nil && dockerNet == "" {
		return nil, nil
	}
	if len(d.app.Networks) > 0 {
		return nil, notValid("/", "cannot mix deprecated and canonical network APIs")
	}
	var labels map[string]string
	if ip != nil && len(ip.labels) > 0 {
		labels = ip.labels
	}
	switch dockerNet {
	case "HOST":
		return []Network{{Mode: NetworkHost}}, nil
	case "USER":
		n := Network{Mode: NetworkContainer, Labels: labels}
		if ip != nil {
			n.Name = ip.networkName
		}
		return []Network{n}, nil
	case "BRIDGE":
		return []Network{{Mode: NetworkBridge, Labels: labels}}, nil
	case "NONE":
		return nil, notValid("/container/docker/network", "unsupported docker network type NONE")
	}
	// ipAddress alone: a named container network, or bridge when the name is
	// the Mesos bridge (users should not do this, but Marathon tolerates it).
	if ip.networkName == DefaultMesosBridgeName {
		return []Network{{Mode: NetworkBridge, Labels: labels}}, nil
	}
	return []Network{{Mode: NetworkContainer, Name: ip.networkName, Labels: labels}}, nil
}

// isExtract is Marathon's FetchUri.isExtract: archives are extracted.
func isExtract(uri string) bool {
	for _, ext := range []string{".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".zip"} {
		if strings.HasSuffix(uri, ext) {
			return true
		}
	}
	return false
}

// validURI approximates java.net.URI's parser, which Marathon uses to
// validate fetch URIs: no whitespace, control characters or characters
// outside RFC 3986 (other than non-ASCII letters), well-formed %-escapes,
// and a URI that Go can parse.
func validURI(s string) bool {
	for i, r := range s {
		switch {
		case r > unicode.MaxASCII:
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				return false
			}
		case r == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=", r):
		default:
			return false
		}
	}
	_, err := url.Parse(s)
	return err == nil
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

func portMappingNames(pms []PortMapping) []string {
	var names []string
	for _, p := range pms {
		if p.Name != "" {
			names = append(names, p.Name)
		}
	}
	return names
}

func uniqueNames(names []string) bool {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}
