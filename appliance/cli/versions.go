package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// versions prints GET /v2/apps/{id}/versions, newest (the current one)
// first.
func (m *marathonClient) versions(id string, asJSON bool) error {
	r, err := call(http.MethodGet, m.appURL(id)+"/versions", nil)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSONOut(m.out, r.Body)
		return nil
	}
	var vs struct {
		Versions []string `json:"versions"`
	}
	if err := json.Unmarshal(r.Body, &vs); err != nil {
		return err
	}
	fmt.Fprintln(m.out, "VERSION")
	for i, v := range vs.Versions {
		if i == 0 {
			v += "  (current)"
		}
		fmt.Fprintln(m.out, v)
	}
	return nil
}

// rollback puts app id back to a stored version (PUT {"version": V}) and
// follows the deployment it starts.
func (m *marathonClient) rollback(id, version string) error {
	return m.change(http.MethodPut, id, "", fmt.Appendf(nil, `{"version":%s}`, strconv.Quote(version)), "rolled back")
}
