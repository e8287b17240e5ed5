package app

// Readers for the nested RAML types of an app. Each applies the RAML
// defaults and constraints of its type and records Play-style errors.

var (
	protocols       = []string{"tcp", "udp", "tcp,udp"}
	healthProtocols = []string{ProtoHTTP, ProtoHTTPS, ProtoTCP, ProtoCommand, ProtoMesosHTTP, ProtoMesosHTTPS, ProtoMesosTCP}
)

func (o obj) anyPort(key string) (int, bool) {
	i, ok := o.int32(key)
	if ok {
		o.rangeI(key, int64(i), 0, 65535)
	}
	return i, ok
}

func (o obj) optPort(key string) *int {
	if !o.has(key) {
		return nil
	}
	i, ok := o.anyPort(key)
	if !ok {
		return nil
	}
	return &i
}

func (o obj) legacyName(key string) string {
	s, ok := o.str(key)
	if ok {
		o.pattern(key, s, legacyNameRe)
	}
	return s
}

func readContainer(c obj, d *decoded) *Container {
	out := &Container{Type: ContainerDocker}
	if t, ok := c.enum("type", ContainerMesos, ContainerDocker); ok {
		out.Type = t
	}
	if dk, ok := c.object("docker"); ok {
		out.Docker = readDocker(dk, d)
	}
	if c.has("portMappings") {
		out.PortMappings = readPortMappings(c, "portMappings")
	}
	if c.has("volumes") {
		out.Volumes = readVolumes(c)
	}
	if li, ok := c.object("linuxInfo"); ok {
		out.LinuxInfo = readLinuxInfo(li)
	}
	return out
}

func readDocker(o obj, d *decoded) *Docker {
	out := &Docker{}
	if img, ok := o.strReq("image"); ok {
		o.minLen("image", img, 1)
		out.Image = img
	}
	out.ForcePullImage, _ = o.boolean("forcePullImage")
	out.Privileged, _ = o.boolean("privileged")
	if ps, ok := o.array("parameters"); ok {
		out.Parameters = make([]Parameter, 0, len(ps))
		for i, e := range ps {
			p, ok := o.r.asObj(e, idxPath(keyPath(o.path, "parameters"), i))
			if !ok {
				continue
			}
			k, _ := p.strReq("key")
			p.minLen("key", k, 1)
			v, _ := p.strReq("value")
			out.Parameters = append(out.Parameters, Parameter{Key: k, Value: v})
		}
	}
	if cr, ok := o.object("credential"); ok {
		cred := &DockerCredential{}
		cred.Principal, _ = cr.strReq("principal")
		if s, ok := cr.str("secret"); ok {
			cred.Secret = &s
		}
		out.Credential = cred
	}
	if pc, ok := o.object("pullConfig"); ok {
		s, _ := pc.strReq("secret")
		out.PullConfig = &PullConfig{Secret: s}
	}
	// Deprecated: kept aside for translateDeprecated.
	if n, ok := o.enum("network", "BRIDGE", "HOST", "NONE", "USER"); ok {
		d.dockerNet = n
	}
	if o.has("portMappings") {
		d.dockerPMs = readPortMappings(o, "portMappings")
		d.hasDockPMs = true
	}
	return out
}

func readPortMappings(o obj, key string) []PortMapping {
	a, ok := o.array(key)
	if !ok {
		return nil
	}
	out := make([]PortMapping, 0, len(a))
	for i, e := range a {
		m, ok := o.r.asObj(e, idxPath(keyPath(o.path, key), i))
		if !ok {
			continue
		}
		pm := PortMapping{Protocol: "tcp"}
		pm.ContainerPort, _ = m.anyPort("containerPort")
		pm.HostPort = m.optPort("hostPort")
		pm.ServicePort, _ = m.anyPort("servicePort")
		if p, ok := m.enum("protocol", protocols...); ok {
			pm.Protocol = p
		}
		pm.Name = m.legacyName("name")
		pm.Labels, _ = m.stringMap("labels")
		pm.NetworkNames, _ = m.strings("networkNames")
		out = append(out, pm)
	}
	return out
}

func readVolumes(c obj) []Volume {
	a, ok := c.array("volumes")
	if !ok {
		return nil
	}
	out := make([]Volume, 0, len(a))
	for i, e := range a {
		vo, ok := c.r.asObj(e, idxPath(keyPath(c.path, "volumes"), i))
		if !ok {
			continue
		}
		v := Volume{Mode: "RW"}
		if p, ok := vo.strReq("containerPath"); ok {
			vo.minLen("containerPath", p, 1)
			v.ContainerPath = p
		}
		if p, ok := vo.str("hostPath"); ok {
			vo.minLen("hostPath", p, 1)
			v.HostPath = p
		}
		if m, ok := vo.enum("mode", "RO", "RW"); ok {
			v.Mode = m
		}
		v.Secret, _ = vo.str("secret")
		if p, ok := vo.object("persistent"); ok {
			pv := &PersistentVolume{Type: "root"}
			if t, ok := p.enum("type", "root", "path", "mount"); ok {
				pv.Type = t
			}
			if s, ok := p.int64("size"); ok {
				p.minI("size", s, 0)
				pv.Size = s
			} else if !p.has("size") {
				p.r.fail(keyPath(p.path, "size"), codeMissing)
			}
			if p.has("maxSize") {
				if s, ok := p.int64("maxSize"); ok {
					p.minI("maxSize", s, 0)
					pv.MaxSize = &s
				}
			}
			pv.ProfileName, _ = p.str("profileName")
			if cs, ok := p.array("constraints"); ok {
				for j, ce := range cs {
					cp := idxPath(keyPath(p.path, "constraints"), j)
					items, ok := ce.([]any)
					if !ok {
						p.r.fail(cp, codeArray)
						continue
					}
					var strs []string
					for k, it := range items {
						if s, ok := p.r.asString(it, idxPath(cp, k)); ok {
							strs = append(strs, s)
						}
					}
					pv.Constraints = append(pv.Constraints, strs)
				}
			}
			v.Persistent = pv
		}
		if x, ok := vo.object("external"); ok {
			ev := &ExternalVolume{}
			ev.Name, _ = x.str("name")
			ev.Provider, _ = x.str("provider")
			ev.Options, _ = x.stringMap("options")
			if x.has("size") {
				if s, ok := x.int64("size"); ok {
					x.minI("size", s, 0)
					ev.Size = &s
				}
			}
			v.External = ev
		}
		out = append(out, v)
	}
	return out
}

func readLinuxInfo(o obj) *LinuxInfo {
	out := &LinuxInfo{}
	if s, ok := o.object("seccomp"); ok {
		sc := &Seccomp{}
		sc.ProfileName, _ = s.str("profileName")
		sc.Unconfined, _ = s.boolean("unconfined")
		out.Seccomp = sc
	}
	if s, ok := o.object("ipcInfo"); ok {
		ipc := &IPCInfo{}
		if m, ok := s.enum("mode", "PRIVATE", "SHARE_PARENT"); ok {
			ipc.Mode = m
		} else if !s.has("mode") {
			s.r.fail(keyPath(s.path, "mode"), codeMissing)
		}
		if s.has("shmSize") {
			if i, ok := s.int32("shmSize"); ok {
				s.minI("shmSize", int64(i), 0)
				ipc.ShmSize = &i
			}
		}
		out.IPCInfo = ipc
	}
	return out
}

func readNetworks(o obj) []Network {
	a, ok := o.array("networks")
	if !ok {
		return nil
	}
	out := make([]Network, 0, len(a))
	for i, e := range a {
		n, ok := o.r.asObj(e, idxPath("/networks", i))
		if !ok {
			continue
		}
		// RAML: mode defaults to "container".
		nw := Network{Mode: NetworkContainer}
		if m, ok := n.enum("mode", NetworkContainer, NetworkBridge, NetworkHost); ok {
			nw.Mode = m
		}
		if s, ok := n.str("name"); ok {
			n.pattern("name", s, nameRe)
			n.maxLen("name", s, 63)
			nw.Name = s
		}
		nw.Labels, _ = n.stringMap("labels")
		out = append(out, nw)
	}
	return out
}

func readPortDefinitions(o obj) []PortDefinition {
	a, ok := o.array("portDefinitions")
	if !ok {
		return nil
	}
	out := make([]PortDefinition, 0, len(a))
	for i, e := range a {
		p, ok := o.r.asObj(e, idxPath("/portDefinitions", i))
		if !ok {
			continue
		}
		pd := PortDefinition{Protocol: "tcp"}
		pd.Port, _ = p.anyPort("port")
		if s, ok := p.enum("protocol", protocols...); ok {
			pd.Protocol = s
		}
		pd.Name = p.legacyName("name")
		pd.Labels, _ = p.stringMap("labels")
		out = append(out, pd)
	}
	return out
}

func readHealthChecks(o obj) []HealthCheck {
	a, ok := o.array("healthChecks")
	if !ok {
		return nil
	}
	out := make([]HealthCheck, 0, len(a))
	for i, e := range a {
		h, ok := o.r.asObj(e, idxPath("/healthChecks", i))
		if !ok {
			continue
		}
		hc := HealthCheck{
			Protocol:               ProtoHTTP,
			GracePeriodSeconds:     300,
			IntervalSeconds:        60,
			TimeoutSeconds:         20,
			MaxConsecutiveFailures: 3,
			DelaySeconds:           15,
			IPProtocol:             "IPv4",
		}
		if p, ok := h.enum("protocol", healthProtocols...); ok {
			hc.Protocol = p
		}
		hc.Path, _ = h.str("path")
		hc.PortIndex = h.optPort("portIndex")
		hc.Port = h.optPort("port")
		if c, ok := h.object("command"); ok {
			v, _ := c.strReq("value")
			hc.Command = &HealthCommand{Value: v}
		}
		nonNeg := func(key string, dst *int) {
			if v, ok := h.int32(key); ok {
				h.minI(key, int64(v), 0)
				*dst = v
			}
		}
		nonNeg("gracePeriodSeconds", &hc.GracePeriodSeconds)
		nonNeg("intervalSeconds", &hc.IntervalSeconds)
		nonNeg("maxConsecutiveFailures", &hc.MaxConsecutiveFailures)
		nonNeg("delaySeconds", &hc.DelaySeconds)
		nonNeg("timeoutSeconds", &hc.TimeoutSeconds)
		hc.IgnoreHTTP1xx, _ = h.boolean("ignoreHttp1xx")
		if p, ok := h.enum("ipProtocol", "IPv4", "IPv6"); ok {
			hc.IPProtocol = p
		}
		out = append(out, hc)
	}
	return out
}

func readCheck(c obj) *Check {
	out := &Check{IntervalSeconds: 60, TimeoutSeconds: 20, DelaySeconds: 15}
	if h, ok := c.object("http"); ok {
		ch := &CheckHTTP{Scheme: "HTTP"}
		ch.PortIndex = h.optPort("portIndex")
		if p, ok := h.str("path"); ok {
			h.minLen("path", p, 1)
			ch.Path = p
		}
		if s, ok := h.enum("scheme", "HTTP", "HTTPS"); ok {
			ch.Scheme = s
		}
		out.HTTP = ch
	}
	if t, ok := c.object("tcp"); ok {
		out.TCP = &CheckTCP{PortIndex: t.optPort("portIndex")}
	}
	if x, ok := c.object("exec"); ok {
		ex := &CheckExec{}
		if cmd, ok := x.object("command"); ok {
			ex.Shell, _ = cmd.str("shell")
			ex.Argv, _ = cmd.strings("argv")
		} else if !x.has("command") {
			x.r.fail(keyPath(x.path, "command"), codeMissing)
		}
		out.Exec = ex
	}
	nonNeg := func(key string, dst *int) {
		if v, ok := c.int32(key); ok {
			c.minI(key, int64(v), 0)
			*dst = v
		}
	}
	nonNeg("intervalSeconds", &out.IntervalSeconds)
	nonNeg("timeoutSeconds", &out.TimeoutSeconds)
	nonNeg("delaySeconds", &out.DelaySeconds)
	return out
}

func readReadinessChecks(o obj) []ReadinessCheck {
	a, ok := o.array("readinessChecks")
	if !ok {
		return nil
	}
	out := make([]ReadinessCheck, 0, len(a))
	for i, e := range a {
		r, ok := o.r.asObj(e, idxPath("/readinessChecks", i))
		if !ok {
			continue
		}
		rc := ReadinessCheck{
			Name: "readinessCheck", Protocol: "HTTP", Path: "/", PortName: "http-api",
			IntervalSeconds: 30, TimeoutSeconds: 10,
		}
		if s, ok := r.str("name"); ok {
			r.minLen("name", s, 1)
			rc.Name = s
		}
		if s, ok := r.enum("protocol", "HTTP", "HTTPS"); ok {
			rc.Protocol = s
		}
		if s, ok := r.str("path"); ok {
			r.minLen("path", s, 1)
			r.maxLen("path", s, 1024)
			rc.Path = s
		}
		if r.has("portName") {
			rc.PortName = r.legacyName("portName")
		}
		if v, ok := r.int32("intervalSeconds"); ok {
			r.minI("intervalSeconds", int64(v), 0)
			rc.IntervalSeconds = v
		}
		if v, ok := r.int32("timeoutSeconds"); ok {
			r.minI("timeoutSeconds", int64(v), 1)
			rc.TimeoutSeconds = v
		}
		if codes, ok := r.array("httpStatusCodesForReady"); ok {
			if len(codes) == 0 {
				r.r.fail(keyPath(r.path, "httpStatusCodesForReady"), codeMinLen)
			}
			for j, c := range codes {
				p := idxPath(keyPath(r.path, "httpStatusCodesForReady"), j)
				n, ok := r.r.asInteger(c, p, 32)
				if !ok {
					continue
				}
				if n < 100 {
					r.r.fail(p, codeMin)
				} else if n > 999 {
					r.r.fail(p, codeMax)
				}
				rc.HTTPStatusCodesForReady = append(rc.HTTPStatusCodesForReady, int(n))
			}
		}
		rc.PreserveLastResponse, _ = r.boolean("preserveLastResponse")
		out = append(out, rc)
	}
	return out
}

func readIPAddress(ip obj) *ipAddress {
	out := &ipAddress{}
	if s, ok := ip.str("networkName"); ok {
		ip.minLen("networkName", s, 1)
		out.networkName = s
	}
	out.labels, _ = ip.stringMap("labels")
	_, _ = ip.strings("groups") // ignored by Marathon, type-checked only
	if disc, ok := ip.object("discovery"); ok {
		out.discovery = &ipDiscovery{}
		if ps, ok := disc.array("ports"); ok {
			for i, e := range ps {
				p, ok := disc.r.asObj(e, idxPath(keyPath(disc.path, "ports"), i))
				if !ok {
					continue
				}
				dp := discoveryPort{protocol: "tcp"}
				dp.number, _ = p.anyPort("number")
				if s, ok := p.strReq("name"); ok {
					p.pattern("name", s, legacyNameRe)
					dp.name = s
				}
				if s, ok := p.enum("protocol", protocols...); ok {
					dp.protocol = s
				}
				out.discovery.ports = append(out.discovery.ports, dp)
			}
		}
	}
	return out
}
