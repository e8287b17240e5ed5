package marathon

import (
	"errors"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/store/storetest"
)

// groupUpdateSeeds are GroupUpdate bodies as Marathon's docs and clients
// send them.
var groupUpdateSeeds = []string{
	`{"id":"/prod","apps":[{"id":"web","cmd":"sleep 100","instances":2,"cpus":0.1,"mem":32}],"groups":[{"id":"db","apps":[{"id":"pg","cmd":"x","dependencies":["../web"]}]}]}`,
	`{"id":"prod","dependencies":["/other"],"enforceRole":true,"groups":[{"id":"prod/sub","dependencies":[".."]}]}`,
	`{"scaleBy":1.5}`, `{"scaleBy":-1}`, `{"version":"2026-03-01T12:00:00.000Z"}`,
	`{"version":"2026-03-01T12:00:00.000Z","apps":[]}`,
	`{"apps":[{"id":"/elsewhere/a","cmd":"x"}]}`,
	`{"groups":[{"apps":[]}]}`, `{"groups":[{"id":"../../x"}]}`,
	`{"apps":[{"id":"a","cmd":"x","dependencies":["b"]},{"id":"b","cmd":"x","dependencies":["a"]}]}`,
	`{"id":1,"apps":{},"groups":"x","dependencies":[1],"scaleBy":"2","enforceRole":"yes","version":3}`,
	`[]`, `null`, `{`, `{"groups":[null,1,[]]}`,
}

// FuzzGroupUpdate: a GroupUpdate body (PUT/POST /v2/groups) is decoded and
// applied to a tree holding one app as a dry run does. Refusals are
// Marathon's 4xx errors, never anything else; an accepted update yields a
// tree whose apps all validate, with no app holding an app or a group, and
// a plan that names each changed app once.
func FuzzGroupUpdate(f *testing.F) {
	for _, s := range groupUpdateSeeds {
		f.Add([]byte(s), "/prod")
		f.Add([]byte(s), "/")
	}
	st := storetest.Open(f)
	existing, err := app.Decode([]byte(`{"id":"/prod/web","cmd":"sleep 1","instances":1}`), "/")
	if err != nil {
		f.Fatal(err)
	}
	app.Defaults(existing)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, gid string) {
		gu, err := decodeGroupUpdate(body)
		if err != nil {
			requireClientError(t, err)
			return
		}
		gid = app.CanonicalPath(gid, "/") // as the router passes it
		s := &Service{cfg: Config{Store: st}, st: newState()}
		s.st.apps[existing.ID] = existing
		s.st.groups["/prod"] = &Group{ID: "/prod", Version: now}
		u := newUpdater(s, now)
		if err := u.group(gid, gu, ""); err != nil {
			requireClientError(t, err)
			return
		}
		if err := u.check(); err != nil {
			requireClientError(t, err)
			return
		}
		for id, a := range u.next.apps {
			if a.ID != id {
				t.Fatalf("app %q stored under %q", a.ID, id)
			}
			if err := app.Validate(a); err != nil {
				t.Fatalf("accepted app %s does not validate: %v", id, err)
			}
		}
		changes, _ := u.diff()
		d := plan("d", now, changes, u.next.effectiveDeps())
		if d == nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range d.AffectedApps {
			if seen[id] || changes[id] == (appChange{}) {
				t.Fatalf("plan affects %q twice or without a change: %v", id, d.AffectedApps)
			}
			seen[id] = true
		}
	})
}

// requireClientError fails unless err is one of Marathon's 4xx answers.
func requireClientError(t *testing.T, err error) {
	t.Helper()
	var ae *app.Error
	var apie *apiError
	switch {
	case errors.As(err, &ae):
		if ae.Status < 400 || ae.Status >= 500 {
			t.Fatalf("model error with status %d: %v", ae.Status, err)
		}
	case errors.As(err, &apie):
		if apie.status < 400 || apie.status >= 500 {
			t.Fatalf("API error with status %d: %v", apie.status, err)
		}
	default:
		t.Fatalf("error %v (%T) would be a 500", err, err)
	}
}
