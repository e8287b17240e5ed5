package marathon

import (
	"net/http"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
)

// marathonVersion is the Marathon release whose API mesosbox serves;
// scripts compare it to enable features.
const marathonVersion = "1.10.26"

// handleInfo serves GET /v2/info. Scripts read leader, elected and
// marathon_config.master.
func (s *Service) handleInfo(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	frameworkID := s.st.frameworkID
	s.mu.Unlock()
	leader := hostPort(s.selfURL())
	writeJSON(w, http.StatusOK, map[string]any{
		"name":        "marathon",
		"version":     marathonVersion,
		"buildref":    "mesosbox-" + buildinfo.Version,
		"elected":     true,
		"leader":      leader,
		"frameworkId": frameworkID,
		"marathon_config": map[string]any{
			"master":                       s.cfg.MasterURL,
			"framework_name":               s.cfg.FrameworkName,
			"ha":                           true,
			"hostname":                     s.cfg.Hostname,
			"mesos_role":                   "*",
			"mesos_user":                   s.cfg.User,
			"features":                     []string{},
			"failover_timeout":             int64(s.cfg.FailoverTimeout.Seconds()),
			"checkpoint":                   true,
			"local_port_min":               servicePortMin,
			"local_port_max":               servicePortMax,
			"executor":                     "//cmd",
			"decline_offer_duration":       s.cfg.DeclineRefuse.Milliseconds(),
			"max_instances_per_offer":      5,
			"task_launch_timeout":          300000,
			"task_reservation_timeout":     20000,
			"reconciliation_initial_delay": 15000,
			"reconciliation_interval":      600000,
			"mesos_leader_ui_url":          s.cfg.MasterURL + "/",
			"webui_url":                    nil,
			"default_network_name":         nil,
			"env_vars_prefix":              nil,
			"access_control_allow_origin":  nil,
		},
		"zookeeper_config": map[string]any{
			"zk":                       "",
			"zk_timeout":               10000,
			"zk_session_timeout":       10000,
			"zk_max_versions":          maxVersions,
			"zk_compression":           true,
			"zk_compression_threshold": 65536,
		},
		"http_config":      s.httpConfig(),
		"event_subscriber": nil,
	})
}

// httpConfig is /v2/info's http_config. Marathon serves HTTP on http_port
// and HTTPS on https_port (8443 by default); under --tls-* this port serves
// HTTPS only, as Marathon does with --disable_http.
func (s *Service) httpConfig() map[string]any {
	if s.cfg.TLS {
		return map[string]any{"http_port": nil, "https_port": s.cfg.Port, "disable_http": true}
	}
	return map[string]any{"http_port": s.cfg.Port, "https_port": 8443}
}
