package app

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"time"
)

// containerNameRe is the pod.raml pattern of container and endpoint names.
var containerNameRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

const containerNamePattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`

// ValidatePod checks a defaulted pod with Marathon's PodsValidation
// paths and accord wording, and returns nil or a 422 "Object is not
// valid".
func ValidatePod(p *Pod) error {
	var v Violations
	validatePathID(&v, "/id", p.ID)
	if len(p.Containers) == 0 {
		v.Add("/containers", "must not be empty")
	}
	names := map[string]bool{}
	endpoints := map[string]bool{}
	hostPorts := map[int]bool{}
	for i, c := range p.Containers {
		path := idxPath("/containers", i)
		if !containerNameRe.MatchString(c.Name) {
			v.Add(path+"/name", "must fully match regular expression '"+containerNamePattern+"'")
		} else if names[c.Name] {
			v.Add(path+"/name", "container names are not unique")
		}
		names[c.Name] = true
		if c.Exec != nil && (c.Exec.Command.Shell == "") == (len(c.Exec.Command.Argv) == 0) {
			v.Add(path+"/exec/command", "exactly one of shell or argv must be given")
		}
		if c.Exec == nil && c.Image == nil {
			v.Add(path+"/exec", "a container without an image needs a command")
		}
		validatePodResources(&v, path+"/resources", c.Resources)
		if c.Resources.Cpus+c.Resources.Mem == 0 {
			v.Add(path+"/resources", "a container needs cpus or mem")
		}
		if c.Image != nil && c.Image.Kind != "DOCKER" && c.Image.Kind != "APPC" {
			v.Add(path+"/image/kind", "must be one of (DOCKER, APPC)")
		}
		for j, e := range c.Endpoints {
			ep := idxPath(path+"/endpoints", j)
			if !containerNameRe.MatchString(e.Name) {
				v.Add(ep+"/name", "must fully match regular expression '"+containerNamePattern+"'")
			} else if endpoints[e.Name] {
				v.Add(ep+"/name", "endpoint names are not unique")
			}
			endpoints[e.Name] = true
			if e.HostPort != nil {
				if *e.HostPort < 0 || *e.HostPort > 65535 {
					v.Add(ep+"/hostPort", fmt.Sprintf("got %d, expected between 0 and 65535", *e.HostPort))
				} else if *e.HostPort != 0 && hostPorts[*e.HostPort] {
					v.Add(ep+"/hostPort", "host ports are not unique")
				}
				hostPorts[*e.HostPort] = true
			}
			if e.ContainerPort != nil && (*e.ContainerPort < 0 || *e.ContainerPort > 65535) {
				v.Add(ep+"/containerPort", fmt.Sprintf("got %d, expected between 0 and 65535", *e.ContainerPort))
			}
		}
	}
	for i, c := range p.Containers {
		validatePodHealthCheck(&v, idxPath("/containers", i)+"/healthCheck", c.HealthCheck, endpoints)
	}
	for i, n := range p.Networks {
		switch n.Mode {
		case "host", "container/bridge":
		case "container":
			if n.Name == "" {
				v.Add(idxPath("/networks", i)+"/name", "is required for container networks")
			}
		default:
			v.Add(idxPath("/networks", i)+"/mode", "must be one of (host, container, container/bridge)")
		}
	}
	if p.Scaling != nil {
		if p.Scaling.Kind != "fixed" {
			v.Add("/scaling/kind", "must be fixed")
		}
		if p.Scaling.Instances < 0 {
			v.Add("/scaling/instances", fmt.Sprintf("got %d, expected 0 or more", p.Scaling.Instances))
		}
		if m := p.Scaling.MaxInstances; m != nil && *m < p.Scaling.Instances {
			v.Add("/scaling/maxInstances", fmt.Sprintf("got %d, expected %d or more", *m, p.Scaling.Instances))
		}
	}
	if p.ExecutorResources != nil {
		validatePodResources(&v, "/executorResources", *p.ExecutorResources)
	}
	if s := p.Scheduling; s != nil {
		if u := s.Upgrade; u != nil {
			if u.MinimumHealthCapacity < 0 || u.MinimumHealthCapacity > 1 {
				v.Add("/scheduling/upgrade/minimumHealthCapacity", "got "+javaDouble(u.MinimumHealthCapacity)+", expected between 0.0 and 1.0")
			}
			if u.MaximumOverCapacity < 0 || u.MaximumOverCapacity > 1 {
				v.Add("/scheduling/upgrade/maximumOverCapacity", "got "+javaDouble(u.MaximumOverCapacity)+", expected between 0.0 and 1.0")
			}
		}
		if b := s.Backoff; b != nil {
			if b.Backoff < 0 {
				v.Add("/scheduling/backoff/backoff", "got "+javaDouble(b.Backoff)+", expected 0.0 or more")
			}
			if b.BackoffFactor < 1 {
				v.Add("/scheduling/backoff/backoffFactor", "got "+javaDouble(b.BackoffFactor)+", expected 1.0 or more")
			}
		}
		if s.KillSelection != KillYoungestFirst && s.KillSelection != KillOldestFirst {
			v.Add("/scheduling/killSelection", "must be one of (YOUNGEST_FIRST, OLDEST_FIRST)")
		}
		for i, c := range p.Constraints() {
			validateConstraint(&v, idxPath("/scheduling/placement/constraints", i), c)
		}
	}
	if e := v.asError(MessageNotValid); e != nil {
		return e
	}
	return nil
}

func validatePodResources(v *Violations, path string, r PodResources) {
	for _, f := range []struct {
		name  string
		value float64
	}{{"cpus", r.Cpus}, {"mem", r.Mem}, {"disk", r.Disk}, {"gpus", float64(r.Gpus)}} {
		if f.value < 0 {
			v.Add(path+"/"+f.name, "got "+javaDouble(f.value)+", expected 0.0 or more")
		}
	}
}

// HasHostNetworking reports whether the pod's containers share the
// agent's network (endpoints then take host ports).
func (p *Pod) HasHostNetworking() bool {
	for _, n := range p.Networks {
		if n.Mode == "host" {
			return true
		}
	}
	return len(p.Networks) == 0
}

// podFields is Pod without its methods, for the plain struct encoding.
type podFields Pod

// MarshalJSON renders a pod as Marathon does, with its version.
func (p *Pod) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal((*podFields)(p))
	if err != nil || p.Version.IsZero() {
		return data, err
	}
	return append(data[:len(data)-1], []byte(`,"version":`+strconv.Quote(FormatTimestamp(p.Version))+"}")...), nil
}

// UnmarshalJSON reads a pod with its version.
func (p *Pod) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, (*podFields)(p)); err != nil {
		return err
	}
	var head struct {
		Version *string `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	if head.Version != nil {
		ts, err := ParseTimestamp(*head.Version)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeOf(""), Field: "version"}
		}
		p.Version = ts
	}
	return nil
}

// StampPod sets the version of a new or changed pod.
func StampPod(p *Pod, now time.Time) { p.Version = now.UTC().Truncate(time.Millisecond) }

// validatePodHealthCheck checks that a health check has exactly one kind
// and names an endpoint of the pod.
func validatePodHealthCheck(v *Violations, path string, hc *PodHealthCheck, endpoints map[string]bool) {
	if hc == nil {
		return
	}
	kinds := 0
	for _, set := range []bool{hc.HTTP != nil, hc.TCP != nil, hc.Exec != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.Add(path, "exactly one of http, tcp or exec must be given")
		return
	}
	switch {
	case hc.HTTP != nil && !endpoints[hc.HTTP.Endpoint]:
		v.Add(path+"/http/endpoint", "is not an endpoint of the pod")
	case hc.HTTP != nil && hc.HTTP.Scheme != "HTTP" && hc.HTTP.Scheme != "HTTPS":
		v.Add(path+"/http/scheme", "must be one of (HTTP, HTTPS)")
	case hc.TCP != nil && !endpoints[hc.TCP.Endpoint]:
		v.Add(path+"/tcp/endpoint", "is not an endpoint of the pod")
	case hc.Exec != nil && (hc.Exec.Command.Shell == "") == (len(hc.Exec.Command.Argv) == 0):
		v.Add(path+"/exec/command", "exactly one of shell or argv must be given")
	}
}
