package placement

import (
	"container/heap"
	"slices"
)

// prover is a branch and bound over a problem: best-first on the nodes'
// Lagrangian bounds, each node's bound tightened by subgradient steps
// warm-started from its parent's multipliers, options fixed by reduced
// costs, and branching on the option the relaxation is least sure of.
// Every bound is an upper bound on the best plan in the node's subtree,
// so the largest bound of the open nodes bounds the optimum at any time.
type prover struct {
	top      *problem // the problem plans are stated in
	root     *problem // top restricted by the root's fixings
	rIndex   []int32  // top option -> root option, -1 when fixed
	rElem    []int32  // top element -> root element, -1 when gone
	shared   *incumbent
	inc      float64 // the best plan's weight (top's base included), as last read from shared
	tol      float64
	deadline limit
	improve  func(plan []int32, value float64) // polishes a better plan and offers it to shared
	open     nodeHeap
	nodes    int
	uStored  int // float32s held by open nodes for warm starts
	rootU    []float32
}

// node is an open subproblem: root with the options fixed (+o+1 forced
// in, −o−1 ruled out, root indices).
type node struct {
	bound float64
	depth int
	seq   int
	fix   []int32
	u     []float32 // multipliers per root element to start from; nil: rootU
}

// The subgradient steps at a node: at most nodeIters (200 near the root),
// the step's scale halving after nodePatience steps without progress.
var (
	nodeIters    = 60
	nodePatience = 8
	nodeTheta    = 0.5
)

// maxStoredU bounds the memory of warm starts (float32s, 128 MB).
const maxStoredU = 32 << 20

// offer records plan (options of top) when it beats the incumbent.
func (b *prover) offer(plan []int32, value float64) {
	if value > b.inc+b.tol {
		b.improve(plan, value)
		b.inc = max(b.inc, b.shared.val())
	}
}

// run searches until every node is pruned (it returns true: the
// incumbent is optimal within tol) or the deadline passes; bound is then
// the largest bound of the open nodes.
func (b *prover) run(rootBound float64, rootU []float64) (optimal bool, bound float64) {
	b.rootU = make([]float32, len(rootU))
	for i, x := range rootU {
		b.rootU[i] = float32(x)
	}
	b.open = nodeHeap{{bound: rootBound}}
	seq := 1
	for len(b.open) > 0 {
		b.inc = max(b.inc, b.shared.val())
		if b.open[0].bound <= b.inc+b.tol {
			b.open = b.open[:0]
			break
		}
		if b.deadline.passed() {
			return false, max(b.open[0].bound, b.inc)
		}
		nd := heap.Pop(&b.open).(*node)
		if nd.u != nil {
			b.uStored -= len(nd.u) / 2 // shared by two children
		}
		b.nodes++
		fix := make([]int8, b.root.options())
		for _, f := range nd.fix {
			if f > 0 {
				fix[f-1] = 1
			} else {
				fix[-f-1] = -1
			}
		}
		q := b.root.restrict(fix)
		if q.infeasible {
			continue
		}
		if q.options() == 0 || q.k == 0 {
			b.offer(q.in, q.base)
			continue
		}
		d := newDual(q)
		src := nd.u
		if src == nil {
			src = b.rootU
		}
		for e := range d.u {
			d.u[e] = min(float64(src[b.rootElem(q, e)]), q.w[e])
		}
		seen := func(sel []int32, value float64) {
			if value > b.inc+b.tol {
				b.offer(q.full(sel), value)
			}
		}
		iters := nodeIters
		if nd.depth < 4 {
			iters = 200
		}
		if d.optimise(func() float64 { return b.inc }, b.tol, iters, nodePatience, nodeTheta, b.deadline, seen) {
			continue
		}
		bound := min(d.bestL, nd.bound)
		qfix := make([]int8, q.options())
		d.fixings(b.inc, b.tol, qfix)
		br := b.branchOption(d, qfix)
		if br < 0 {
			// everything fixed: the node is its one plan
			var sel []int32
			for o, f := range qfix {
				if f > 0 {
					sel = append(sel, int32(o))
				}
			}
			if q.feasible(sel) {
				seen(sel, q.value(sel, make([]bool, q.elements())))
			}
			continue
		}
		child := slices.Clone(nd.fix)
		for o, f := range qfix {
			if f != 0 {
				child = append(child, int32(f)*(b.rIndex[q.orig[o]]+1))
			}
		}
		var u []float32
		if b.uStored+len(b.rootU) <= maxStoredU {
			u = slices.Clone(b.rootU)
			for e, x := range d.bestU {
				u[b.rootElem(q, e)] = float32(x)
			}
			b.uStored += len(u)
		}
		// each child's bound: the relaxation with br's choice flipped, one
		// exchange away, bounds the side that flips it
		inBound, outBound := bound, bound
		if d.isSel[br] {
			outBound = min(bound, d.alt[br])
		} else {
			inBound = min(bound, d.alt[br])
		}
		r := b.rIndex[q.orig[br]] + 1
		in := append(slices.Clone(child), r)
		out := append(child, -r)
		for _, ch := range []*node{
			{bound: inBound, depth: nd.depth + 1, seq: seq, fix: in, u: u},
			{bound: outBound, depth: nd.depth + 1, seq: seq + 1, fix: out, u: u},
		} {
			if ch.bound > b.inc+b.tol {
				heap.Push(&b.open, ch)
			} else if ch.u != nil {
				b.uStored -= len(ch.u) / 2
			}
		}
		seq += 2
	}
	return true, b.inc
}

// rootElem maps element e of q (a restriction of root) to root's.
func (b *prover) rootElem(q *problem, e int) int32 { return b.rElem[q.eOrig[e]] }

// branchOption returns the free option whose relaxed value is most
// fractional (selected in about half the steps), ties to the larger
// multiplier sum; -1 when every option is fixed.
func (b *prover) branchOption(d *dual, fix []int8) int32 {
	best, bestScore, bestV := int32(-1), -1.0, -1.0
	n := float64(max(d.steps, 1))
	for o := range d.xbar {
		if fix[o] != 0 {
			continue
		}
		x := d.xbar[o] / n
		score := min(x, 1-x)
		if score > bestScore || score == bestScore && d.v[o] > bestV {
			best, bestScore, bestV = int32(o), score, d.v[o]
		}
	}
	return best
}

// nodeHeap is a max-heap of open nodes on bound, ties to the deeper, then
// the later node (a dive).
type nodeHeap []*node

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.bound != b.bound {
		return a.bound > b.bound
	}
	if a.depth != b.depth {
		return a.depth > b.depth
	}
	return a.seq < b.seq
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}
