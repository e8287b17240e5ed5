package marathon

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/store"
)

// Marathon's state in the store. Apps and their versions, deployments with
// their progress, tasks with their latest state, launch delays, last task
// failures and the framework id: everything a user would miss after a
// restart or a leader change.
var (
	appsBucket        = []byte("marathon.apps")
	versionsBucket    = []byte("marathon.app_versions")
	tasksBucket       = []byte("marathon.tasks")
	deploymentsBucket = []byte("marathon.deployments")
	delaysBucket      = []byte("marathon.delays")
	failuresBucket    = []byte("marathon.failures")
	metaBucket        = []byte("marathon.meta")
	groupsBucket      = []byte("marathon.groups")
	rootsBucket       = []byte("marathon.root_versions")

	frameworkIDKey = []byte("framework_id")
)

// maxVersions is how many versions of an app are kept (Marathon's
// --max_versions default); older ones are dropped on write.
const maxVersions = 50

// Write is one atomic change of Marathon's state: an app update together
// with its deployment, a launch of several tasks, a status update with the
// failure it records. One command type with typed parts, rather than one
// type per entity, because the parts of a change must land together: a
// deployment without its app, or an app without its deployment, would be
// a state no Marathon can be in.
type Write struct {
	PutApps           []*app.App     `json:"putApps,omitempty"`
	DeleteApps        []string       `json:"deleteApps,omitempty"`
	PutTasks          []*Task        `json:"putTasks,omitempty"`
	DeleteTasks       []string       `json:"deleteTasks,omitempty"`
	PutDeployments    []*Deployment  `json:"putDeployments,omitempty"`
	DeleteDeployments []string       `json:"deleteDeployments,omitempty"`
	PutDelays         []*Delay       `json:"putDelays,omitempty"`
	DeleteDelays      []string       `json:"deleteDelays,omitempty"`
	PutFailures       []*TaskFailure `json:"putFailures,omitempty"`
	FrameworkID       string         `json:"frameworkId,omitempty"`
	PutGroups         []*Group       `json:"putGroups,omitempty"`
	DeleteGroups      []string       `json:"deleteGroups,omitempty"`
	PutRoot           *RootVersion   `json:"putRoot,omitempty"`
	PutPods           []*podRecord   `json:"putPods,omitempty"`
	DeletePods        []string       `json:"deletePods,omitempty"`
}

// CommandType implements store.Command.
func (Write) CommandType() string { return "marathon.write" }

func (w *Write) empty() bool {
	return len(w.PutApps)+len(w.DeleteApps)+len(w.PutTasks)+len(w.DeleteTasks)+
		len(w.PutDeployments)+len(w.DeleteDeployments)+len(w.PutDelays)+len(w.DeleteDelays)+
		len(w.PutFailures)+len(w.PutGroups)+len(w.DeleteGroups)+len(w.PutPods)+len(w.DeletePods) == 0 && w.FrameworkID == "" && w.PutRoot == nil
}

func init() {
	store.Register(applyWrite)
}

// applyWrite checks every part before the first write, then writes.
func applyWrite(tx *bolt.Tx, w Write) (any, error) {
	for _, a := range w.PutApps {
		if a == nil || a.ID == "" || a.Version.IsZero() {
			return nil, errors.New("marathon: app without id or version")
		}
	}
	for _, t := range w.PutTasks {
		if t == nil || t.ID == "" {
			return nil, errors.New("marathon: task without id")
		}
	}
	for _, d := range w.PutDeployments {
		if d == nil || d.ID == "" {
			return nil, errors.New("marathon: deployment without id")
		}
	}
	for _, d := range w.PutDelays {
		if d == nil || d.AppID == "" {
			return nil, errors.New("marathon: delay without app id")
		}
	}
	for _, f := range w.PutFailures {
		if f == nil || f.AppID == "" {
			return nil, errors.New("marathon: failure without app id")
		}
	}
	for _, g := range w.PutGroups {
		if g == nil || g.ID == "" || g.ID == "/" {
			return nil, errors.New("marathon: group without id")
		}
	}
	if err := applyGroups(tx, w); err != nil {
		return nil, err
	}
	if err := applyPods(tx, w); err != nil {
		return nil, err
	}
	for _, a := range w.PutApps {
		if err := putJSON(tx, appsBucket, []byte(a.ID), a); err != nil {
			return nil, err
		}
		if err := putVersion(tx, a); err != nil {
			return nil, err
		}
	}
	for _, id := range w.DeleteApps {
		if err := deleteKey(tx, appsBucket, []byte(id)); err != nil {
			return nil, err
		}
		if err := deletePrefix(tx, versionsBucket, []byte(id+"\x00")); err != nil {
			return nil, err
		}
		if err := deleteKey(tx, delaysBucket, []byte(id)); err != nil {
			return nil, err
		}
		if err := deleteKey(tx, failuresBucket, []byte(id)); err != nil {
			return nil, err
		}
	}
	for _, t := range w.PutTasks {
		if err := putJSON(tx, tasksBucket, []byte(t.ID), t); err != nil {
			return nil, err
		}
	}
	for _, id := range w.DeleteTasks {
		if err := deleteKey(tx, tasksBucket, []byte(id)); err != nil {
			return nil, err
		}
	}
	for _, d := range w.PutDeployments {
		if err := putJSON(tx, deploymentsBucket, []byte(d.ID), d); err != nil {
			return nil, err
		}
	}
	for _, id := range w.DeleteDeployments {
		if err := deleteKey(tx, deploymentsBucket, []byte(id)); err != nil {
			return nil, err
		}
	}
	for _, d := range w.PutDelays {
		if err := putJSON(tx, delaysBucket, []byte(d.AppID), d); err != nil {
			return nil, err
		}
	}
	for _, id := range w.DeleteDelays {
		if err := deleteKey(tx, delaysBucket, []byte(id)); err != nil {
			return nil, err
		}
	}
	for _, f := range w.PutFailures {
		if err := putJSON(tx, failuresBucket, []byte(f.AppID), f); err != nil {
			return nil, err
		}
	}
	if w.FrameworkID != "" {
		b, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return nil, err
		}
		if err := b.Put(frameworkIDKey, []byte(w.FrameworkID)); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// versionKey sorts an app's versions in time order.
func versionKey(id string, v time.Time) []byte {
	return []byte(id + "\x00" + app.FormatTimestamp(v))
}

// putVersion stores the app under its version and drops the oldest
// versions beyond maxVersions.
func putVersion(tx *bolt.Tx, a *app.App) error {
	if err := putJSON(tx, versionsBucket, versionKey(a.ID, a.Version), a); err != nil {
		return err
	}
	b := tx.Bucket(versionsBucket)
	prefix := []byte(a.ID + "\x00")
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for len(keys) > maxVersions {
		if err := b.Delete(keys[0]); err != nil {
			return err
		}
		keys = keys[1:]
	}
	return nil
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

func putJSON(tx *bolt.Tx, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marathon: encode %s: %w", bucket, err)
	}
	b, err := tx.CreateBucketIfNotExists(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func deleteKey(tx *bolt.Tx, bucket, key []byte) error {
	if b := tx.Bucket(bucket); b != nil {
		return b.Delete(key)
	}
	return nil
}

func deletePrefix(tx *bolt.Tx, bucket, prefix []byte) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// loadState reads Marathon's whole state from the store.
func loadState(st *store.Store) (*state, error) {
	s := newState()
	err := st.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(metaBucket); b != nil {
			s.frameworkID = string(b.Get(frameworkIDKey))
		}
		if err := each(tx, appsBucket, func(_, v []byte) error {
			a := &app.App{}
			if err := json.Unmarshal(v, a); err != nil {
				return err
			}
			s.apps[a.ID] = a
			return nil
		}); err != nil {
			return fmt.Errorf("apps: %w", err)
		}
		if err := each(tx, versionsBucket, func(k, _ []byte) error {
			id, ts, ok := splitVersionKey(k)
			if !ok {
				return nil
			}
			s.versions[id] = append(s.versions[id], ts)
			return nil
		}); err != nil {
			return fmt.Errorf("versions: %w", err)
		}
		if err := each(tx, tasksBucket, func(_, v []byte) error {
			t := &Task{}
			if err := json.Unmarshal(v, t); err != nil {
				return err
			}
			s.tasks[t.ID] = t
			return nil
		}); err != nil {
			return fmt.Errorf("tasks: %w", err)
		}
		if err := each(tx, deploymentsBucket, func(_, v []byte) error {
			d := &Deployment{}
			if err := json.Unmarshal(v, d); err != nil {
				return err
			}
			s.deployments[d.ID] = d
			return nil
		}); err != nil {
			return fmt.Errorf("deployments: %w", err)
		}
		if err := each(tx, delaysBucket, func(_, v []byte) error {
			d := &Delay{}
			if err := json.Unmarshal(v, d); err != nil {
				return err
			}
			s.delays[d.AppID] = d
			return nil
		}); err != nil {
			return fmt.Errorf("delays: %w", err)
		}
		if err := each(tx, failuresBucket, func(_, v []byte) error {
			f := &TaskFailure{}
			if err := json.Unmarshal(v, f); err != nil {
				return err
			}
			s.failures[f.AppID] = f
			return nil
		}); err != nil {
			return fmt.Errorf("failures: %w", err)
		}
		if err := loadPods(tx, s); err != nil {
			return err
		}
		return loadGroups(tx, s)
	})
	if err != nil {
		return nil, fmt.Errorf("marathon: load state: %w", err)
	}
	for id := range s.versions {
		sort.Slice(s.versions[id], func(i, j int) bool { return s.versions[id][i].Before(s.versions[id][j]) })
	}
	return s, nil
}

func splitVersionKey(k []byte) (string, time.Time, bool) {
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] == 0 {
			ts, err := app.ParseTimestamp(string(k[i+1:]))
			return string(k[:i]), ts, err == nil
		}
	}
	return "", time.Time{}, false
}

// loadVersion reads one stored version of an app (nil if none).
func loadVersion(st *store.Store, id string, v time.Time) (*app.App, error) {
	a := &app.App{}
	if ok, err := loadStored(st, versionsBucket, versionKey(id, v), a); !ok || err != nil {
		return nil, err
	}
	return a, nil
}

// loadStored decodes the JSON stored under key into out; false when
// there is none.
func loadStored(st *store.Store, bucket, key []byte, out any) (bool, error) {
	found := false
	err := st.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		data := b.Get(key)
		if data == nil {
			return nil
		}
		found = true
		return json.Unmarshal(data, out)
	})
	return found, err
}

func each(tx *bolt.Tx, bucket []byte, fn func(k, v []byte) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(fn)
}
