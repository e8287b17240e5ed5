package drf

import "github.com/mesosbox/mesosbox/appliance/master/resources"

// kinds numbers the scalar resources that DRF weighs — those the cluster has
// a positive total of — so that the allocation loop works on short int64
// vectors instead of maps. Other scalars and ports never affect a share, as
// in Mesos' sorter, which divides by the total of each resource.
type kinds struct {
	// std holds the vector index of cpus, mem, disk and gpus, or -1.
	std [4]int
	// other indexes the remaining weighed scalars; nil when there are none,
	// which lets vector skip iterating.
	other map[string]int
	// total is the cluster total of each kind.
	total []float64
}

// newKinds indexes the scalars of the cluster made of agents.
func newKinds(agents []Agent, keep []bool) *kinds {
	var std [4]resources.Scalar
	var other map[string]resources.Scalar
	var names []string
	for i := range agents {
		if !keep[i] {
			continue
		}
		t := &agents[i].Total
		std[0] = std[0].Add(t.CPUs)
		std[1] = std[1].Add(t.Mem)
		std[2] = std[2].Add(t.Disk)
		std[3] = std[3].Add(t.GPUs)
		for name, v := range t.Scalars() {
			if isStd(name) {
				continue
			}
			if other == nil {
				other = map[string]resources.Scalar{}
			}
			if _, seen := other[name]; !seen {
				names = append(names, name)
			}
			other[name] = other[name].Add(v)
		}
	}
	ks := &kinds{std: [4]int{-1, -1, -1, -1}}
	for i, v := range std {
		if v > 0 {
			ks.std[i] = len(ks.total)
			ks.total = append(ks.total, float64(v))
		}
	}
	for _, name := range names { // first-seen order: deterministic
		if v := other[name]; v > 0 {
			if ks.other == nil {
				ks.other = map[string]int{}
			}
			ks.other[name] = len(ks.total)
			ks.total = append(ks.total, float64(v))
		}
	}
	return ks
}

// len returns the length of the vectors.
func (ks *kinds) len() int { return len(ks.total) }

// add adds r's weighed scalars to the vector v.
func (ks *kinds) add(v []int64, r *resources.Resources) {
	for i, q := range [4]resources.Scalar{r.CPUs, r.Mem, r.Disk, r.GPUs} {
		if k := ks.std[i]; k >= 0 {
			v[k] = int64(resources.Scalar(v[k]).Add(q))
		}
	}
	if ks.other == nil {
		return
	}
	for name, q := range r.Scalars() {
		if k, ok := ks.other[name]; ok && !isStd(name) {
			v[k] = int64(resources.Scalar(v[k]).Add(q))
		}
	}
}

// share returns the dominant share of an allocation vector: the largest
// fraction of any kind's cluster total, computed as Mesos does.
func (ks *kinds) share(v []int64) float64 {
	s := 0.0
	for k, t := range ks.total {
		s = max(s, float64(v[k])/t)
	}
	return s
}

func isStd(name string) bool {
	return name == resources.CPUs || name == resources.Mem || name == resources.Disk || name == resources.GPUs
}
