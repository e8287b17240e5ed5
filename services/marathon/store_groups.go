package marathon

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/store"
)

// applyGroups writes the group records and the root snapshot of a Write;
// only the newest maxVersions snapshots are kept.
func applyGroups(tx *bolt.Tx, w Write) error {
	for _, g := range w.PutGroups {
		if err := putJSON(tx, groupsBucket, []byte(g.ID), g); err != nil {
			return err
		}
	}
	for _, id := range w.DeleteGroups {
		if err := deleteKey(tx, groupsBucket, []byte(id)); err != nil {
			return err
		}
	}
	if w.PutRoot == nil {
		return nil
	}
	if err := putJSON(tx, rootsBucket, []byte(app.FormatTimestamp(w.PutRoot.Version)), w.PutRoot); err != nil {
		return err
	}
	b := tx.Bucket(rootsBucket)
	extra := b.Stats().KeyN - maxVersions
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(old) < extra; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// loadGroups reads the group records and the versions of the root
// snapshots.
func loadGroups(tx *bolt.Tx, s *state) error {
	if err := each(tx, groupsBucket, func(_, v []byte) error {
		g := &Group{}
		if err := json.Unmarshal(v, g); err != nil {
			return err
		}
		s.groups[g.ID] = g
		return nil
	}); err != nil {
		return err
	}
	return each(tx, rootsBucket, func(k, _ []byte) error {
		if ts, err := app.ParseTimestamp(string(k)); err == nil {
			s.roots = append(s.roots, ts)
		}
		return nil
	})
}

// loadRoot reads the root snapshot of a version (nil if none) with the app
// definitions it names; apps whose version is no longer stored are left
// out.
func loadRoot(st *store.Store, v time.Time) (*tree, error) {
	var out *tree
	err := st.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(rootsBucket)
		if b == nil {
			return nil
		}
		data := b.Get([]byte(app.FormatTimestamp(v)))
		if data == nil {
			return nil
		}
		rv := &RootVersion{}
		if err := json.Unmarshal(data, rv); err != nil {
			return err
		}
		t := tree{apps: map[string]*app.App{}, groups: map[string]*Group{}}
		for _, g := range rv.Groups {
			t.groups[g.ID] = g
		}
		vb := tx.Bucket(versionsBucket)
		for id, av := range rv.Apps {
			if vb == nil {
				break
			}
			if data := vb.Get(versionKey(id, av)); data != nil {
				a := &app.App{}
				if err := json.Unmarshal(data, a); err != nil {
					return err
				}
				t.apps[id] = a
			}
		}
		out = &t
		return nil
	})
	return out, err
}
