package app

import "strconv"

const (
	msgPortIndex       = "Health check port indices must address an element of the ports array or container port mappings."
	msgOneMesosCheck   = "AppDefinition can contain at most one Mesos health check"
	msgCommandRequired = "A command is required when using the COMMAND health check protocol."
	msgSingleCheckType = "Must specify a single type of check, http, tcp, or exec"
)

func validateHealthChecks(v *Violations, a *App) {
	ports := a.PortIndices()
	mesos, command := 0, 0
	for i, h := range a.HealthChecks {
		p := idxPath("/healthChecks", i)
		switch h.Protocol {
		case ProtoHTTP, ProtoHTTPS, ProtoTCP:
			// Only the checks Marathon runs itself need a port it can find.
			if h.Command != nil {
				break
			}
			if h.PortIndex != nil {
				if *h.PortIndex < 0 || *h.PortIndex >= ports {
					v.Add(p, msgPortIndex)
				}
			} else if h.Port == nil && ports != 1 {
				v.Add(p, msgPortIndex)
			}
		case ProtoCommand:
			if h.Command == nil {
				v.Add(keyPath(p, "command"), msgCommandRequired)
			}
		case ProtoMesosHTTP, ProtoMesosHTTPS, ProtoMesosTCP:
		default:
			v.Add(keyPath(p, "protocol"), "is not one of (COMMAND,HTTP,HTTPS,MESOS_HTTP,MESOS_HTTPS,MESOS_TCP,TCP)")
		}
		if h.Command != nil {
			command++
		}
		if h.Command != nil || h.Protocol == ProtoCommand || h.Protocol == ProtoMesosHTTP ||
			h.Protocol == ProtoMesosHTTPS || h.Protocol == ProtoMesosTCP {
			mesos++
		}
		atLeastI(v, keyPath(p, "gracePeriodSeconds"), int64(h.GracePeriodSeconds), 0)
		atLeastI(v, keyPath(p, "intervalSeconds"), int64(h.IntervalSeconds), 0)
		atLeastI(v, keyPath(p, "timeoutSeconds"), int64(h.TimeoutSeconds), 0)
		atLeastI(v, keyPath(p, "maxConsecutiveFailures"), int64(h.MaxConsecutiveFailures), 0)
		atLeastI(v, keyPath(p, "delaySeconds"), int64(h.DelaySeconds), 0)
	}
	// Older Marathons accepted several COMMAND checks; only other Mesos
	// checks are limited to one.
	if mesos-command > 1 {
		v.Add("/", msgOneMesosCheck)
	}
}

func validateReadiness(v *Violations, a *App) {
	if n := len(a.ReadinessChecks); n > 1 {
		v.Add("/readinessChecks", "got "+strconv.Itoa(n)+", expected 1 or less")
	}
	var names []string
	if a.Container != nil && a.Container.PortMappings != nil {
		names = portMappingNames(a.Container.PortMappings)
	} else {
		for _, pd := range a.PortDefinitions {
			if pd.Name != "" {
				names = append(names, pd.Name)
			}
		}
	}
	for i, rc := range a.ReadinessChecks {
		p := idxPath("/readinessChecks", i)
		found := false
		for _, n := range names {
			found = found || n == rc.PortName
		}
		if !found {
			v.Add(keyPath(p, "portName"), "No port definition reference for portName "+rc.PortName)
		}
		if rc.TimeoutSeconds >= rc.IntervalSeconds {
			v.Add(keyPath(p, "timeoutSeconds"), "got "+strconv.Itoa(rc.TimeoutSeconds)+", expected less than "+strconv.Itoa(rc.IntervalSeconds))
		}
	}
}

func validateCheck(v *Violations, c *Check) {
	n := 0
	for _, set := range []bool{c.HTTP != nil, c.TCP != nil, c.Exec != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		v.Add("/check", msgSingleCheckType)
	}
	if c.Exec != nil && c.Exec.Shell == "" && len(c.Exec.Argv) == 0 {
		v.Add("/check/exec/command", "must not be empty")
	}
	atLeastI(v, "/check/intervalSeconds", int64(c.IntervalSeconds), 0)
	atLeastI(v, "/check/timeoutSeconds", int64(c.TimeoutSeconds), 0)
	atLeastI(v, "/check/delaySeconds", int64(c.DelaySeconds), 0)
}
