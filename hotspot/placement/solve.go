package placement

// Options tune Solve.
type Options struct {
	K               int  // cameras to add; required, > 0
	MaxPerSite      int  // new cameras per site; 0 means 1
	NoLocalSearch   bool // stop after the greedy (for comparisons)
	BoundIterations int  // subgradient steps tightening the bound; 0 means 50, < 0 none
}

// Choice is one chosen camera: a site and a bearing.
type Choice struct {
	Site    string  `json:"site"`
	Bearing float64 `json:"bearing"`
}

// Result is a plan and what it achieves. CoveredWeight counts both what the
// existing cameras cover and what the chosen ones add (Gain). UpperBound is
// at least the CoveredWeight of the best possible plan for the same K and
// MaxPerSite, so CoveredWeight / UpperBound is a guaranteed quality ratio.
type Result struct {
	Chosen         []Choice `json:"chosen"`
	CoveredWeight  float64  `json:"covered_weight"`
	TotalWeight    float64  `json:"total_weight"`
	UpperBound     float64  `json:"upper_bound"`
	ExistingWeight float64  `json:"existing_weight"`
	Gain           float64  `json:"gain"`
	GreedyWeight   float64  `json:"greedy_weight"` // CoveredWeight before the local search
	Swaps          int      `json:"swaps"`         // improving swaps the local search made
}

// solver is the state of one Solve call.
type solver struct {
	c       *Candidates
	k, cap  int
	cnt     []int32 // chosen cameras covering each demand point
	used    []int32 // chosen cameras per site
	chosen  []int32 // options, in order of choice
	picked  []bool  // per option
	gain    []float64
	dStart  []int32 // demand -> options containing it
	dOpts   []int32
	covered float64
}

// Solve chooses up to opts.K cameras maximising the covered weight: a lazy
// greedy (marginal gains in a priority queue, ties broken by site id then
// bearing order), then 1-swap local search until no swap improves, then a
// Lagrangian bound. The result is deterministic for the same input. Fewer
// than K cameras are chosen when no further camera covers anything new.
func (c *Candidates) Solve(opts Options) (Result, error) {
	if opts.K <= 0 {
		return Result{}, invalid("k", "%d is not a positive number of cameras", opts.K)
	}
	if opts.MaxPerSite < 0 {
		return Result{}, invalid("max_per_site", "%d is negative", opts.MaxPerSite)
	}
	s := &solver{c: c, k: opts.K, cap: max(opts.MaxPerSite, 1)}
	s.cap = min(s.cap, c.nb)
	n, nOpt := len(c.demand), c.Options()
	s.cnt = make([]int32, n)
	s.used = make([]int32, len(c.sites))
	s.picked = make([]bool, nOpt)

	s.greedy()
	greedy := s.sumCovered()
	res := Result{TotalWeight: c.totalWeight, ExistingWeight: c.existingWeight, GreedyWeight: c.existingWeight + greedy}
	s.covered = greedy
	if !opts.NoLocalSearch && len(s.chosen) > 0 {
		s.buildInverse()
		s.exactGains()
		res.Swaps = s.localSearch()
		s.covered = s.sumCovered()
	}
	iters := opts.BoundIterations
	if iters == 0 {
		iters = 50
	}
	ub, restarts := s.bound(max(iters, 0))
	if !opts.NoLocalSearch {
		// restart the local search from the Lagrangian plans; keep the best
		best, bestCovered := append([]int32(nil), s.chosen...), s.covered
		for _, plan := range restarts {
			s.reset(plan)
			res.Swaps += s.localSearch()
			if v := s.sumCovered(); v > bestCovered+1e-9*c.totalWeight {
				best, bestCovered = append(best[:0], s.chosen...), v
			}
		}
		s.chosen, s.covered = best, bestCovered
	}
	res.Gain = s.covered
	res.CoveredWeight = c.existingWeight + s.covered
	res.UpperBound = c.existingWeight + ub
	if res.UpperBound < res.CoveredWeight {
		res.UpperBound = res.CoveredWeight // rounding only
	}
	res.Chosen = make([]Choice, len(s.chosen))
	for i, o := range s.chosen {
		site, b := c.Option(int(o))
		res.Chosen[i] = Choice{Site: site.ID, Bearing: b}
	}
	return res, nil
}

// Plan builds the candidates and solves them: the one-call form.
func Plan(demand []DemandPoint, sites []Site, model Model, existing []Camera, opts Options) (Result, error) {
	c, err := NewCandidates(demand, sites, model, existing)
	if err != nil {
		return Result{}, err
	}
	return c.Solve(opts)
}

func (s *solver) site(o int32) int32 { return o / int32(s.c.nb) }

func (s *solver) marginal(o int32) float64 {
	g := 0.0
	for _, i := range s.c.items(o) {
		if s.cnt[i] == 0 {
			g += s.c.weight[i]
		}
	}
	return g
}

func (s *solver) sumCovered() float64 {
	t := 0.0
	for i, k := range s.cnt {
		if k > 0 {
			t += s.c.weight[i]
		}
	}
	return t
}

// greedy is the lazy greedy: gains only shrink as cameras are added, so a
// stale gain is an upper bound and only the top of the queue is refreshed.
func (s *solver) greedy() {
	h := gainHeap{}
	for o := int32(0); o < int32(s.c.Options()); o++ {
		if g := s.marginal(o); g > 0 {
			h.items = append(h.items, entry{gain: g, o: o})
		}
	}
	h.init()
	round := int32(0)
	for len(s.chosen) < s.k && len(h.items) > 0 {
		top := &h.items[0]
		if s.used[s.site(top.o)] >= int32(s.cap) {
			h.pop()
			continue
		}
		if top.round != round {
			top.gain, top.round = s.marginal(top.o), round
			if top.gain <= 0 {
				h.pop()
				continue
			}
			h.down(0)
			continue
		}
		o := h.pop().o
		s.add(o)
		round++
	}
}

func (s *solver) add(o int32) {
	for _, i := range s.c.items(o) {
		if s.cnt[i] == 0 && s.gain != nil {
			w := s.c.weight[i]
			for _, q := range s.dOpts[s.dStart[i]:s.dStart[i+1]] {
				s.gain[q] -= w
			}
		}
		s.cnt[i]++
	}
	s.picked[o] = true
	s.used[s.site(o)]++
	s.chosen = append(s.chosen, o)
}

func (s *solver) remove(at int) {
	o := s.chosen[at]
	for _, i := range s.c.items(o) {
		s.cnt[i]--
		if s.cnt[i] == 0 && s.gain != nil {
			w := s.c.weight[i]
			for _, q := range s.dOpts[s.dStart[i]:s.dStart[i+1]] {
				s.gain[q] += w
			}
		}
	}
	s.picked[o] = false
	s.used[s.site(o)]--
	s.chosen = append(s.chosen[:at], s.chosen[at+1:]...)
}

// reset makes plan the current choice, with exact gains.
func (s *solver) reset(plan []int32) {
	if s.dStart == nil {
		s.buildInverse()
	}
	clear(s.cnt)
	clear(s.used)
	clear(s.picked)
	s.gain = nil
	s.chosen = s.chosen[:0]
	for _, o := range plan {
		s.add(o)
	}
	s.exactGains()
}

// buildInverse indexes, for each demand point, the options covering it.
func (s *solver) buildInverse() {
	n := len(s.c.demand)
	s.dStart = make([]int32, n+1)
	for _, i := range s.c.optItems {
		s.dStart[i+1]++
	}
	for i := 0; i < n; i++ {
		s.dStart[i+1] += s.dStart[i]
	}
	s.dOpts = make([]int32, len(s.c.optItems))
	fill := append([]int32(nil), s.dStart[:n]...)
	for o := int32(0); o < int32(s.c.Options()); o++ {
		for _, i := range s.c.items(o) {
			s.dOpts[fill[i]] = o
			fill[i]++
		}
	}
}

func (s *solver) exactGains() {
	s.gain = make([]float64, s.c.Options())
	for o := range s.gain {
		s.gain[o] = s.marginal(int32(o))
	}
}

// localSearch tries, for each chosen camera in turn, the best replacement
// by any other candidate; it swaps when that strictly gains, and repeats
// until a full pass finds nothing (at most 50 passes).
func (s *solver) localSearch() int {
	eps := 1e-9 * s.c.totalWeight
	extra := make([]float64, s.c.Options())
	var touched []int32
	swaps := 0
	for pass := 0; pass < 50; pass++ {
		improved := false
		for at := 0; at < len(s.chosen); at++ {
			c := s.chosen[at]
			loss := 0.0
			touched = touched[:0]
			for _, i := range s.c.items(c) {
				if s.cnt[i] != 1 {
					continue
				}
				w := s.c.weight[i]
				loss += w
				for _, q := range s.dOpts[s.dStart[i]:s.dStart[i+1]] {
					if extra[q] == 0 {
						touched = append(touched, q)
					}
					extra[q] += w
				}
			}
			best, bestGain := int32(-1), loss+eps
			cs := s.site(c)
			for o := int32(0); o < int32(len(s.gain)); o++ {
				g := s.gain[o] + extra[o]
				if g <= bestGain || s.picked[o] {
					continue
				}
				if st := s.site(o); st != cs && s.used[st] >= int32(s.cap) {
					continue
				}
				best, bestGain = o, g
			}
			for _, q := range touched {
				extra[q] = 0
			}
			if best < 0 {
				continue
			}
			s.remove(at)
			s.add(best)
			// keep the chosen order stable: put the newcomer where c was
			copy(s.chosen[at+1:], s.chosen[at:len(s.chosen)-1])
			s.chosen[at] = best
			swaps++
			improved = true
		}
		if !improved {
			break
		}
	}
	return swaps
}

// entry is a candidate in the greedy's queue with the round its gain was
// computed in.
type entry struct {
	gain  float64
	o     int32
	round int32
}

// gainHeap is a max-heap on gain, ties to the lower option index (lower
// site id, then earlier bearing).
type gainHeap struct{ items []entry }

func (h *gainHeap) less(a, b int) bool {
	x, y := h.items[a], h.items[b]
	return x.gain > y.gain || x.gain == y.gain && x.o < y.o
}

func (h *gainHeap) init() {
	for i := len(h.items)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *gainHeap) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

func (h *gainHeap) pop() entry {
	top := h.items[0]
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items = h.items[:n]
	if n > 0 {
		h.down(0)
	}
	return top
}
