package drf

import (
	"math/bits"
	"slices"
	"strings"
)

// agentTable puts the snapshot's agents in walk order and indexes them by
// ID, with one sort and no map.
//
// The walk order is a pseudo-random permutation chosen by the seed: Mesos
// shuffles agents every cycle so that the agents walked first, which go to
// the roles furthest below their fair share, are not always the same
// machines. Each agent's place is a hash of the seed and its ID, not of its
// position, so the order does not depend on the order of Snapshot.Agents: a
// master that builds the snapshot by ranging over a map still gets the same
// offers for the same seed. The hash is hand-rolled so that it stays the
// same across processes and Go releases.
type agentTable struct {
	agents []Agent
	seed   uint64
	// shift is the number of low bits of a key that hold the agent index.
	shift uint
	// keys are, in walk order, the agents' places with the low shift bits
	// replaced by the agent index. Agents with equal places (duplicate IDs,
	// or a hash collision) are ordered by ID, then index.
	keys []uint64
	// keep marks the first agent of each ID; later duplicates are ignored.
	keep []bool
}

func newAgentTable(agents []Agent, seed uint64) *agentTable {
	return buildAgentTable(agents, seed, uint(bits.Len(uint(len(agents)))))
}

// buildAgentTable uses the low shift bits of each key for the index; shift
// must be at least bits.Len(len(agents)). Tests raise it to force places to
// collide.
func buildAgentTable(agents []Agent, seed uint64, shift uint) *agentTable {
	t := &agentTable{
		agents: agents,
		seed:   seed,
		shift:  shift,
		keys:   make([]uint64, len(agents)),
		keep:   make([]bool, len(agents)),
	}
	for i := range agents {
		t.keys[i] = t.place(agents[i].ID) | uint64(i)
	}
	slices.Sort(t.keys)
	// Fix up runs of equal places, which the index bits ordered by
	// position: order them by ID and keep the first agent of each ID.
	for lo := 0; lo < len(t.keys); {
		hi := lo + 1
		for hi < len(t.keys) && t.keys[hi]>>t.shift == t.keys[lo]>>t.shift {
			hi++
		}
		run := t.keys[lo:hi]
		if len(run) > 1 {
			slices.SortStableFunc(run, func(a, b uint64) int {
				return strings.Compare(agents[t.index(a)].ID, agents[t.index(b)].ID)
			})
		}
		for i, k := range run {
			t.keep[t.index(k)] = i == 0 || agents[t.index(k)].ID != agents[t.index(run[i-1])].ID
		}
		lo = hi
	}
	return t
}

// place returns the hashed place of an ID with the low shift bits cleared.
// It mixes eight bytes at a time, FNV-style, then applies the splitmix64
// finalizer.
func (t *agentTable) place(id string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) ^ t.seed ^ uint64(len(id))
	for len(id) >= 8 {
		w := uint64(id[0]) | uint64(id[1])<<8 | uint64(id[2])<<16 | uint64(id[3])<<24 |
			uint64(id[4])<<32 | uint64(id[5])<<40 | uint64(id[6])<<48 | uint64(id[7])<<56
		h = (h ^ w) * prime
		h ^= h >> 29
		id = id[8:]
	}
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h >> t.shift << t.shift
}

// index returns the agent index held by a key.
func (t *agentTable) index(key uint64) int32 {
	return int32(key & (1<<t.shift - 1))
}

// lookup returns the index of the (first) agent with the given ID.
func (t *agentTable) lookup(id string) (int32, bool) {
	p := t.place(id)
	i, _ := slices.BinarySearch(t.keys, p)
	for ; i < len(t.keys) && t.keys[i]&^(1<<t.shift-1) == p; i++ {
		if ai := t.index(t.keys[i]); t.agents[ai].ID == id && t.keep[ai] {
			return ai, true
		}
	}
	return 0, false
}

// walk returns, in walk order, the indexes of the agents that offerable
// marks.
func (t *agentTable) walk(offerable []bool) []int32 {
	out := make([]int32, 0, len(t.keys))
	for _, k := range t.keys {
		if ai := t.index(k); offerable[ai] {
			out = append(out, ai)
		}
	}
	return out
}
