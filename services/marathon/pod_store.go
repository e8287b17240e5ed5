package marathon

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mesosbox/mesosbox/services/app"
	"github.com/mesosbox/mesosbox/store"
)

// Pods live next to the apps in the store: the current definition with
// when its configuration last changed, and every stored version.
var (
	podsBucket        = []byte("marathon.pods")
	podVersionsBucket = []byte("marathon.pod_versions")
)

// podRecord is a pod as Marathon keeps it: the definition and the time of
// its last configuration change (a scale keeps it, so running instances
// stay current).
type podRecord struct {
	Spec          *app.Pod  `json:"spec"`
	ConfigVersion time.Time `json:"configVersion"`
}

// applyPods writes the pod parts of a Write.
func applyPods(tx *bolt.Tx, w Write) error {
	for _, r := range w.PutPods {
		if r == nil || r.Spec == nil || r.Spec.ID == "" || r.Spec.Version.IsZero() {
			return fmt.Errorf("marathon: pod without id or version")
		}
	}
	for _, r := range w.PutPods {
		if err := putJSON(tx, podsBucket, []byte(r.Spec.ID), r); err != nil {
			return err
		}
		if err := putJSON(tx, podVersionsBucket, versionKey(r.Spec.ID, r.Spec.Version), r.Spec); err != nil {
			return err
		}
	}
	for _, id := range w.DeletePods {
		if err := deleteKey(tx, podsBucket, []byte(id)); err != nil {
			return err
		}
		if err := deletePrefix(tx, podVersionsBucket, []byte(id+"\x00")); err != nil {
			return err
		}
		if err := deleteKey(tx, delaysBucket, []byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// loadPods reads the pods and their version lists.
func loadPods(tx *bolt.Tx, s *state) error {
	if err := each(tx, podsBucket, func(_, v []byte) error {
		r := &podRecord{}
		if err := json.Unmarshal(v, r); err != nil {
			return err
		}
		s.pods[r.Spec.ID] = r
		return nil
	}); err != nil {
		return fmt.Errorf("pods: %w", err)
	}
	if err := each(tx, podVersionsBucket, func(k, _ []byte) error {
		if id, ts, ok := splitVersionKey(k); ok {
			s.podVersions[id] = append(s.podVersions[id], ts)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("pod versions: %w", err)
	}
	for id := range s.podVersions {
		sort.Slice(s.podVersions[id], func(i, j int) bool { return s.podVersions[id][i].Before(s.podVersions[id][j]) })
	}
	return nil
}

// loadPodVersion reads one stored version of a pod (nil if none).
func loadPodVersion(st *store.Store, id string, v time.Time) (*app.Pod, error) {
	p := &app.Pod{}
	if ok, err := loadStored(st, podVersionsBucket, versionKey(id, v), p); !ok || err != nil {
		return nil, err
	}
	return p, nil
}
