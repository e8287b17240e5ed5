package job

import (
	"fmt"
	"slices"
	"strings"
)

// Container runs the job in an image. Chronos only reads "container" when it
// has an "image"; without one the job runs on the host.
type Container struct {
	Type           string // DOCKER (default) or MESOS
	Image          string
	ForcePullImage bool
	Parameters     []KeyValue // docker run options
	Network        string     // HOST (default), BRIDGE or USER
	NetworkName    string
	NetworkInfos   []NetworkInfo
	Volumes        []Volume
}

// KeyValue is a docker parameter, volume option or network label.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Volume mounts a host path or an external volume into the container.
type Volume struct {
	ContainerPath string          `json:"containerPath"`
	HostPath      string          `json:"hostPath,omitempty"`
	Mode          string          `json:"mode,omitempty"` // RO or RW; empty: Mesos' default
	External      *ExternalVolume `json:"external,omitempty"`
}

// ExternalVolume is a volume from a Docker volume driver.
type ExternalVolume struct {
	Name     string     `json:"name"`
	Provider string     `json:"provider"`
	Options  []KeyValue `json:"options"`
}

// NetworkInfo joins the container to a named (CNI or USER) network.
type NetworkInfo struct {
	Name         string        `json:"name"`
	Protocol     string        `json:"protocol,omitempty"` // IPv4 or IPv6
	Labels       []KeyValue    `json:"labels"`
	PortMappings []PortMapping `json:"portMappings"`
}

// PortMapping maps a host port to a container port.
type PortMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
}

func (c *Container) clone() *Container {
	d := *c
	d.Parameters = slices.Clone(c.Parameters)
	d.NetworkInfos = slices.Clone(c.NetworkInfos)
	for i, n := range d.NetworkInfos {
		d.NetworkInfos[i].Labels = slices.Clone(n.Labels)
		d.NetworkInfos[i].PortMappings = slices.Clone(n.PortMappings)
	}
	d.Volumes = slices.Clone(c.Volumes)
	for i, v := range d.Volumes {
		if v.External != nil {
			e := *v.External
			e.Options = slices.Clone(e.Options)
			d.Volumes[i].External = &e
		}
	}
	return &d
}

// enum reads a field that must be one of values, in any case (Chronos
// upper-cased type and mode but not network, which threw on "bridge").
func enum(o object, field, def string, values ...string) (string, error) {
	s, err := o.text(field, def)
	if err != nil {
		return "", err
	}
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q is %q; expected %s", o.name(field), s, strings.Join(values, ", "))
}

// decodeContainer reads "container"; nil when absent or without an image.
func decodeContainer(o object) (*Container, error) {
	co, ok, err := o.child("container")
	if err != nil || !ok || !co.has("image") {
		return nil, err
	}
	c := &Container{}
	if c.Image, err = co.required("image"); err != nil {
		return nil, err
	}
	if c.Type, err = enum(co, "type", "DOCKER", "DOCKER", "MESOS"); err != nil {
		return nil, err
	}
	if c.Network, err = enum(co, "network", "HOST", "HOST", "BRIDGE", "USER"); err != nil {
		return nil, err
	}
	if c.NetworkName, err = co.text("networkName", ""); err != nil {
		return nil, err
	}
	if c.ForcePullImage, err = co.boolean("forcePullImage", false); err != nil {
		return nil, err
	}
	if c.Parameters, err = decodeKeyValues(co, "parameters"); err != nil {
		return nil, err
	}
	if c.Volumes, err = decodeVolumes(co); err != nil {
		return nil, err
	}
	if c.NetworkInfos, err = decodeNetworkInfos(co); err != nil {
		return nil, err
	}
	return c, nil
}

func decodeKeyValues(o object, field string) ([]KeyValue, error) {
	entries, err := o.objects(field)
	if err != nil {
		return nil, err
	}
	out := make([]KeyValue, 0, len(entries))
	for _, e := range entries {
		var kv KeyValue
		if kv.Key, err = e.required("key"); err != nil {
			return nil, err
		}
		if kv.Value, err = e.text("value", ""); err != nil {
			return nil, err
		}
		out = append(out, kv)
	}
	return out, nil
}

func decodeVolumes(o object) ([]Volume, error) {
	entries, err := o.objects("volumes")
	if err != nil {
		return nil, err
	}
	out := make([]Volume, 0, len(entries))
	for _, e := range entries {
		var v Volume
		if v.ContainerPath, err = e.required("containerPath"); err != nil {
			return nil, err
		}
		if v.HostPath, err = e.text("hostPath", ""); err != nil {
			return nil, err
		}
		if e.has("mode") {
			if v.Mode, err = enum(e, "mode", "", "RO", "RW"); err != nil {
				return nil, err
			}
		}
		ext, ok, err := e.child("external")
		if err != nil {
			return nil, err
		}
		if ok {
			x := &ExternalVolume{}
			if x.Name, err = ext.required("name"); err != nil {
				return nil, err
			}
			if x.Provider, err = ext.required("provider"); err != nil {
				return nil, err
			}
			if x.Options, err = decodeKeyValues(ext, "options"); err != nil {
				return nil, err
			}
			v.External = x
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeNetworkInfos(o object) ([]NetworkInfo, error) {
	entries, err := o.objects("networkInfos")
	if err != nil {
		return nil, err
	}
	out := make([]NetworkInfo, 0, len(entries))
	for _, e := range entries {
		var n NetworkInfo
		if n.Name, err = e.required("name"); err != nil {
			return nil, err
		}
		if e.has("protocol") {
			if n.Protocol, err = enum(e, "protocol", "", "IPv4", "IPv6"); err != nil {
				return nil, err
			}
		}
		if n.Labels, err = decodeKeyValues(e, "labels"); err != nil {
			return nil, err
		}
		maps, err := e.objects("portMappings")
		if err != nil {
			return nil, err
		}
		n.PortMappings = make([]PortMapping, 0, len(maps))
		for _, m := range maps {
			var pm PortMapping
			hp, err := m.integer("hostPort", 0, 0, 65535)
			if err != nil {
				return nil, err
			}
			cp, err := m.integer("containerPort", 0, 0, 65535)
			if err != nil {
				return nil, err
			}
			if !m.has("containerPort") {
				return nil, fmt.Errorf("%q is required", m.name("containerPort"))
			}
			pm.HostPort, pm.ContainerPort = int(hp), int(cp)
			if m.has("protocol") {
				if pm.Protocol, err = enum(m, "protocol", "", "tcp", "udp"); err != nil {
					return nil, err
				}
			}
			n.PortMappings = append(n.PortMappings, pm)
		}
		out = append(out, n)
	}
	return out, nil
}
