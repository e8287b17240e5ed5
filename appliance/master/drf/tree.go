package drf

import (
	"slices"
	"strings"
)

// tree is the DRF sorting tree of one allocation cycle, Mesos' role sorter
// and per-role framework sorters joined into one: the root, then role path
// nodes ("eng", "eng/web"), then one leaf per (framework, role) candidate.
// Each node's children are kept in DRF order, so a pre-order walk lists the
// candidates from the furthest below its fair share to the furthest above.
//
// Only live nodes, those with a candidate below them, are linked as
// children: nodes without candidates cannot receive offers, and leaving them
// out does not change the order of the others. Their allocations still count
// in their ancestors' shares.
type tree struct {
	nodes []node
	// alloc holds each node's allocation vector: node i owns
	// alloc[i*k : (i+1)*k]. A node's allocation includes its subtree's.
	alloc []int64
	ks    *kinds
}

// node is one tree node. Node 0 is the root.
type node struct {
	parent int32
	// children are the live children in DRF order: by share, then rank.
	children []int32
	// name is the node's label under its parent: a role path segment, "."
	// for a role's virtual leaf, or a framework ID.
	name string
	// rank orders the node by name among its siblings, breaking share ties
	// the way Mesos compares client paths.
	rank   int32
	weight float64
	share  float64
	// cand is the candidate index of a (framework, role) leaf, or -1.
	cand int32
	live bool
}

const root = 0

func newTree(ks *kinds) *tree {
	t := &tree{ks: ks}
	t.add(-1, "", DefaultWeight, -1)
	return t
}

// add appends a node and returns its index. Nodes are always added after
// their parent, which lets finish work bottom-up by walking indexes
// backwards.
func (t *tree) add(parent int32, name string, weight float64, cand int32) int32 {
	t.nodes = append(t.nodes, node{parent: parent, name: name, weight: weight, cand: cand})
	t.alloc = append(t.alloc, make([]int64, t.ks.len())...)
	return int32(len(t.nodes) - 1)
}

// vec returns node n's allocation vector.
func (t *tree) vec(n int32) []int64 {
	k := int32(t.ks.len())
	return t.alloc[n*k : (n+1)*k : (n+1)*k]
}

// finish links live nodes to their parents in DRF order. sumUp tells which
// nodes' allocations must be added to their parent's: candidates' are not,
// because their role already counts every framework's allocation.
func (t *tree) finish(sumUp func(n int32) bool) {
	for n := int32(len(t.nodes) - 1); n > root; n-- {
		nd := &t.nodes[n]
		if sumUp(n) {
			addVec(t.vec(nd.parent), t.vec(n))
		}
		if nd.cand >= 0 {
			nd.live = true
		}
		if nd.live {
			p := &t.nodes[nd.parent]
			p.live = true
			p.children = append(p.children, n)
		}
	}
	for n := range t.nodes {
		nd := &t.nodes[n]
		if n != root {
			nd.share = t.ks.share(t.vec(int32(n))) / nd.weight
		}
		// Rank siblings by name, then put them in DRF order.
		slices.SortFunc(nd.children, func(a, b int32) int { return strings.Compare(t.nodes[a].name, t.nodes[b].name) })
		for i, c := range nd.children {
			t.nodes[c].rank = int32(i)
		}
	}
	for n := range t.nodes {
		slices.SortFunc(t.nodes[n].children, func(a, b int32) int {
			switch {
			case a == b:
				return 0
			case t.less(a, b):
				return -1
			}
			return 1
		})
	}
}

// less orders siblings: lower share first, then lower rank. Ranks are unique
// among siblings, so the order is strict.
func (t *tree) less(a, b int32) bool {
	na, nb := &t.nodes[a], &t.nodes[b]
	if na.share != nb.share {
		return na.share < nb.share
	}
	return na.rank < nb.rank
}

// grant adds the allocation v to leaf and its ancestors and restores DRF
// order on the way up. Allocations only grow within a cycle, so each node
// only ever moves towards the end of its siblings.
func (t *tree) grant(leaf int32, v []int64) {
	for n := leaf; n != root; n = t.nodes[n].parent {
		nd := &t.nodes[n]
		sib := t.nodes[nd.parent].children
		i := t.position(sib, n)
		addVec(t.vec(n), v)
		nd.share = t.ks.share(t.vec(n)) / nd.weight
		// Find the first later sibling that n now sorts before.
		lo, hi := i+1, len(sib)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if t.less(n, sib[mid]) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		copy(sib[i:lo-1], sib[i+1:lo])
		sib[lo-1] = n
	}
}

// position returns the index of n in its sorted sibling list sib.
func (t *tree) position(sib []int32, n int32) int {
	lo, hi := 0, len(sib)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.less(sib[mid], n) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(sib) && sib[lo] == n {
		return lo
	}
	// Unreachable while the order is strict; a scan keeps grant correct
	// even if it were not.
	for i, s := range sib {
		if s == n {
			return i
		}
	}
	return lo
}

// addVec adds v to dst, saturating like resources.Scalar.Add.
func addVec(dst, v []int64) {
	for k, q := range v {
		if q > 0 && dst[k] > maxInt64-q {
			dst[k] = maxInt64
			continue
		}
		dst[k] += q
	}
}

const maxInt64 = 1<<63 - 1
