package app

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// IsConfigChange reports whether next differs from prev in anything but
// instances (and the version stamps): such a change needs a restart of the
// tasks, while a change of instances only is a scale (Marathon's
// AppDefinition.isUpgrade). Marathon keeps constraints, health checks,
// dependencies and accepted roles in sets, so their order does not count.
func IsConfigChange(prev, next *App) bool {
	return !bytes.Equal(configKey(prev), configKey(next))
}

func configKey(a *App) []byte {
	c := *a
	c.Instances = 0
	c.Version = time.Time{}
	c.VersionInfo = nil
	w := toWire(&c)
	slices.SortFunc(w.Constraints, func(x, y []string) int { return slices.Compare(x, y) })
	slices.Sort(w.Dependencies)
	if w.AcceptedResourceRoles != nil {
		roles := slices.Clone(*w.AcceptedResourceRoles)
		slices.Sort(roles)
		w.AcceptedResourceRoles = &roles
	}
	checks := make([]string, 0, len(w.HealthChecks))
	for _, h := range w.HealthChecks {
		b, _ := json.Marshal(h)
		checks = append(checks, string(b))
	}
	slices.Sort(checks)
	w.HealthChecks = nil
	b, _ := json.Marshal(struct {
		App    *wireApp
		Checks []string
	}{w, checks})
	return b
}
