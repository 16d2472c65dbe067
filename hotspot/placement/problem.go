package placement

import (
	"slices"
)

// problem is a planning instance reduced to what the search needs:
// elements (demand points the same options cover, merged, with their summed
// weight) and options (candidate cameras that cover some element), options
// of one site consecutive, each site with its own number of free slots.
//
// A problem may be a restriction of another (some options forced in, some
// ruled out): base is then the weight the forced options already cover and
// in lists them, as options of the root problem.
type problem struct {
	k         int       // cameras still to choose
	w         []float64 // per element
	oStart    []int32   // elements of option o: oItems[oStart[o]:oStart[o+1]]
	oItems    []int32
	eStart    []int32 // options covering element e: eOpts[eStart[e]:eStart[e+1]]
	eOpts     []int32
	site      []int32 // per option, a dense site index
	siteStart []int32 // options of site s: siteStart[s]:siteStart[s+1]
	slot      []int32 // per site: cameras it may still take
	orig      []int32 // per option: its option index in the root problem
	eOrig     []int32 // per element: its element index in the root problem
	base      float64 // weight the forced options cover
	in        []int32 // forced options, root-problem indices
	total     float64 // base + Σ w: what a plan of every option would cover

	// infeasible says the forced options break the budget or a site's
	// slots: no plan has them all.
	infeasible bool
}

func (p *problem) options() int             { return len(p.site) }
func (p *problem) elements() int            { return len(p.w) }
func (p *problem) items(o int32) []int32    { return p.oItems[p.oStart[o]:p.oStart[o+1]] }
func (p *problem) covering(e int32) []int32 { return p.eOpts[p.eStart[e]:p.eStart[e+1]] }

// newProblem reduces the candidates to a problem: options that cover
// nothing are dropped and demand points covered by the same options merged.
// It also returns, per problem option, the Candidates option.
func newProblem(c *Candidates, k, cap int) (*problem, []int32) {
	nOpt := c.Options()
	var keep []int32
	for o := 0; o < nOpt; o++ {
		if c.optStart[o+1] > c.optStart[o] {
			keep = append(keep, int32(o))
		}
	}
	// demand point -> covering kept options (ascending), CSR
	n := len(c.demand)
	dStart := make([]int32, n+1)
	for _, o := range keep {
		for _, i := range c.items(o) {
			dStart[i+1]++
		}
	}
	for i := 0; i < n; i++ {
		dStart[i+1] += dStart[i]
	}
	dOpts := make([]int32, dStart[n])
	fill := append([]int32(nil), dStart[:n]...)
	for j, o := range keep {
		for _, i := range c.items(o) {
			dOpts[fill[i]] = int32(j)
			fill[i]++
		}
	}
	// merge points with equal option lists
	p := &problem{k: k}
	elemOf := make(map[uint64][]int32) // hash -> elements
	var eRep []int32                   // element -> a representative point
	for i := 0; i < n; i++ {
		os := dOpts[dStart[i]:dStart[i+1]]
		if len(os) == 0 {
			continue
		}
		h := uint64(14695981039346656037)
		for _, o := range os {
			h = (h ^ uint64(o)) * 1099511628211
		}
		e := int32(-1)
		for _, cand := range elemOf[h] {
			r := eRep[cand]
			if slices.Equal(dOpts[dStart[r]:dStart[r+1]], os) {
				e = cand
				break
			}
		}
		if e < 0 {
			e = int32(len(p.w))
			elemOf[h] = append(elemOf[h], e)
			eRep = append(eRep, int32(i))
			p.w = append(p.w, 0)
		}
		p.w[e] += c.weight[i]
	}
	nE := len(p.w)
	p.eStart = make([]int32, nE+1)
	for e, r := range eRep {
		p.eStart[e+1] = p.eStart[e] + dStart[r+1] - dStart[r]
	}
	p.eOpts = make([]int32, p.eStart[nE])
	for e, r := range eRep {
		copy(p.eOpts[p.eStart[e]:], dOpts[dStart[r]:dStart[r+1]])
	}
	p.buildOptions(len(keep))
	// sites
	p.site = make([]int32, len(keep))
	prev := int32(-1)
	for j, o := range keep {
		s := o / int32(c.nb)
		if s != prev {
			p.siteStart = append(p.siteStart, int32(j))
			p.slot = append(p.slot, int32(min(cap, c.nb)))
			prev = s
		}
		p.site[j] = int32(len(p.siteStart) - 1)
	}
	p.siteStart = append(p.siteStart, int32(len(keep)))
	p.orig = make([]int32, len(keep))
	for j := range p.orig {
		p.orig[j] = int32(j)
	}
	p.eOrig = make([]int32, nE)
	for e := range p.eOrig {
		p.eOrig[e] = int32(e)
	}
	for _, w := range p.w {
		p.total += w
	}
	return p, keep
}

// buildOptions fills oStart/oItems from eStart/eOpts.
func (p *problem) buildOptions(nOpt int) {
	p.oStart = make([]int32, nOpt+1)
	for _, o := range p.eOpts {
		p.oStart[o+1]++
	}
	for o := 0; o < nOpt; o++ {
		p.oStart[o+1] += p.oStart[o]
	}
	p.oItems = make([]int32, len(p.eOpts))
	fill := append([]int32(nil), p.oStart[:nOpt]...)
	for e := int32(0); e < int32(len(p.w)); e++ {
		for _, o := range p.covering(e) {
			p.oItems[fill[o]] = e
			fill[o]++
		}
	}
}

// restrict returns the problem left when the options fixed +1 are forced
// in and those fixed -1 ruled out: forced options' elements count in base,
// elements no free option covers any longer drop out, and so do free
// options left covering nothing. fix is indexed by p's options.
func (p *problem) restrict(fix []int8) *problem {
	q := &problem{k: p.k, base: p.base, in: slices.Clone(p.in)}
	covered := make([]bool, len(p.w))
	used := make([]int32, len(p.slot))
	for o, f := range fix {
		if f > 0 {
			q.k--
			used[p.site[o]]++
			q.in = append(q.in, p.orig[o])
			for _, e := range p.items(int32(o)) {
				covered[e] = true
			}
		}
	}
	if q.k < 0 {
		q.infeasible = true
	}
	for st, u := range used {
		if u > p.slot[st] {
			q.infeasible = true
		}
	}
	eNew := make([]int32, len(p.w))
	for e := range p.w {
		eNew[e] = -1
		if covered[e] {
			q.base += p.w[e]
			continue
		}
		for _, o := range p.covering(int32(e)) {
			if fix[o] == 0 {
				eNew[e] = int32(len(q.w))
				q.w = append(q.w, p.w[e])
				q.eOrig = append(q.eOrig, p.eOrig[e])
				break
			}
		}
	}
	oNew := make([]int32, p.options())
	prevSite := int32(-1)
	for o := range oNew {
		oNew[o] = -1
		s := p.site[o]
		if fix[o] != 0 || p.slot[s]-used[s] <= 0 || q.k <= 0 {
			continue
		}
		live := false
		for _, e := range p.items(int32(o)) {
			if eNew[e] >= 0 {
				live = true
				break
			}
		}
		if !live {
			continue
		}
		oNew[o] = int32(len(q.site))
		if s != prevSite {
			q.siteStart = append(q.siteStart, int32(len(q.site)))
			q.slot = append(q.slot, p.slot[s]-used[s])
			prevSite = s
		}
		q.site = append(q.site, int32(len(q.slot)-1))
		q.orig = append(q.orig, p.orig[o])
	}
	q.siteStart = append(q.siteStart, int32(len(q.site)))
	// element -> options, dropping options that left
	q.eStart = make([]int32, len(q.w)+1)
	for e := range p.w {
		ne := eNew[e]
		if ne < 0 {
			continue
		}
		for _, o := range p.covering(int32(e)) {
			if oNew[o] >= 0 {
				q.eOpts = append(q.eOpts, oNew[o])
			}
		}
		q.eStart[ne+1] = int32(len(q.eOpts))
	}
	// elements that kept no option (their options left for want of slots
	// or budget) weigh nothing now but keep their place
	for e := range q.w {
		if q.eStart[e+1] == q.eStart[e] {
			q.w[e] = 0
		}
	}
	q.buildOptions(len(q.site))
	for _, w := range q.w {
		q.total += w
	}
	q.total += q.base
	if q.k < 0 {
		q.k = 0
	}
	return q
}

// value returns the weight a plan (options of p) covers, base included.
func (p *problem) value(plan []int32, mark []bool) float64 {
	v := p.base
	for _, o := range plan {
		for _, e := range p.items(o) {
			if !mark[e] {
				mark[e] = true
				v += p.w[e]
			}
		}
	}
	for _, o := range plan {
		for _, e := range p.items(o) {
			mark[e] = false
		}
	}
	return v
}

// feasible reports whether plan respects the budget and the site slots.
func (p *problem) feasible(plan []int32) bool {
	if len(plan) > p.k {
		return false
	}
	used := map[int32]int32{}
	seen := map[int32]bool{}
	for _, o := range plan {
		if seen[o] {
			return false
		}
		seen[o] = true
		used[p.site[o]]++
		if used[p.site[o]] > p.slot[p.site[o]] {
			return false
		}
	}
	return true
}

// full returns plan (options of p) with the forced options, as options of
// the root problem.
func (p *problem) full(plan []int32) []int32 {
	out := append(make([]int32, 0, len(p.in)+len(plan)), p.in...)
	for _, o := range plan {
		out = append(out, p.orig[o])
	}
	return out
}
