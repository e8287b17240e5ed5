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
	// children are the live children in DRF order. Their sort keys are
	// copied next to their indexes so that sorting never chases pointers.
	children []entry
	// name is the node's label under its parent: a role path segment, "."
	// for a role's virtual leaf, or a framework ID.
	name string
	// rank orders the node by name among its siblings, breaking share ties
	// the way Mesos compares client paths.
	rank   int32
	weight float64
	// share is the weighted dominant share; the parent's entry for this
	// node holds the same value.
	share float64
	// cand is the candidate index of a (framework, role) leaf, or -1.
	cand int32
	live bool
}

// entry is a child in its parent's list, with its sort key.
type entry struct {
	share float64
	rank  int32
	node  int32
}

// less orders siblings: lower share first, then lower rank. Ranks are unique
// among siblings, so the order is strict.
func (e entry) less(o entry) bool {
	return e.share < o.share || e.share == o.share && e.rank < o.rank
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
			p.children = append(p.children, entry{node: n})
		}
	}
	for n := range t.nodes[1:] {
		nd := &t.nodes[n+1]
		nd.share = t.ks.share(t.vec(int32(n+1))) / nd.weight
	}
	for n := range t.nodes {
		children := t.nodes[n].children
		// Rank siblings by name, then put them in DRF order.
		slices.SortFunc(children, func(a, b entry) int {
			return strings.Compare(t.nodes[a.node].name, t.nodes[b.node].name)
		})
		for i := range children {
			c := &t.nodes[children[i].node]
			c.rank = int32(i)
			children[i] = entry{c.share, c.rank, children[i].node}
		}
		slices.SortFunc(children, func(a, b entry) int {
			switch {
			case a.less(b):
				return -1
			case b.less(a):
				return 1
			}
			return 0
		})
	}
}

// grant adds the allocation v to leaf and its ancestors and restores DRF
// order on the way up. Allocations only grow within a cycle, so each node
// only ever moves towards the end of its siblings.
func (t *tree) grant(leaf int32, v []int64) {
	for n := leaf; n != root; n = t.nodes[n].parent {
		nd := &t.nodes[n]
		sib := t.nodes[nd.parent].children
		i := position(sib, entry{nd.share, nd.rank, n})
		addVec(t.vec(n), v)
		nd.share = t.ks.share(t.vec(n)) / nd.weight
		e := entry{nd.share, nd.rank, n}
		// Find the first later sibling that n now sorts before, and move
		// the siblings in between one place down.
		lo, hi := i+1, len(sib)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if e.less(sib[mid]) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		copy(sib[i:lo-1], sib[i+1:lo])
		sib[lo-1] = e
	}
}

// position returns the index of e in the sorted sibling list sib.
func position(sib []entry, e entry) int {
	lo, hi := 0, len(sib)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if sib[mid].less(e) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(sib) && sib[lo].node == e.node {
		return lo
	}
	// Unreachable while keys are unique and current; a scan keeps grant
	// correct even if they were not.
	for i := range sib {
		if sib[i].node == e.node {
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
