package placement

import (
	"math/rand/v2"
	"slices"
)

// state is a plan of a problem being improved: which options are chosen and,
// per element, how many chosen options cover it. With gains on, gain[o] is
// kept equal to the weight option o would add.
type state struct {
	p       *problem
	cnt     []int32 // per element: chosen options covering it
	used    []int32 // per site: chosen options there
	picked  []bool  // per option
	chosen  []int32 // options, in order of choice
	gain    []float64
	covered float64 // weight of covered elements, base excluded
	eps     float64 // what counts as a strict improvement
	// cancelled, when set, says the solve was abandoned: the greedy and
	// the local search stop early (their plan is then not used).
	cancelled func() bool
}

// stopped reports whether the solve was abandoned.
func (s *state) stopped() bool { return s.cancelled != nil && s.cancelled() }

func newState(p *problem) *state {
	return &state{
		p:      p,
		cnt:    make([]int32, p.elements()),
		used:   make([]int32, len(p.slot)),
		picked: make([]bool, p.options()),
		eps:    1e-9 * max(p.total, 1e-300),
	}
}

// value is the weight the plan covers, base included.
func (s *state) value() float64 { return s.p.base + s.covered }

func (s *state) fits(o int32) bool {
	st := s.p.site[o]
	return !s.picked[o] && s.used[st] < s.p.slot[st]
}

func (s *state) marginal(o int32) float64 {
	g := 0.0
	for _, e := range s.p.items(o) {
		if s.cnt[e] == 0 {
			g += s.p.w[e]
		}
	}
	return g
}

func (s *state) add(o int32) {
	p := s.p
	for _, e := range p.items(o) {
		if s.cnt[e] == 0 {
			w := p.w[e]
			s.covered += w
			if s.gain != nil {
				for _, q := range p.covering(e) {
					s.gain[q] -= w
				}
			}
		}
		s.cnt[e]++
	}
	s.picked[o] = true
	s.used[p.site[o]]++
	s.chosen = append(s.chosen, o)
}

func (s *state) remove(at int) {
	p := s.p
	o := s.chosen[at]
	for _, e := range p.items(o) {
		s.cnt[e]--
		if s.cnt[e] == 0 {
			w := p.w[e]
			s.covered -= w
			if s.gain != nil {
				for _, q := range p.covering(e) {
					s.gain[q] += w
				}
			}
		}
	}
	s.picked[o] = false
	s.used[p.site[o]]--
	s.chosen = slices.Delete(s.chosen, at, at+1)
}

// removeOption removes o, which must be chosen.
func (s *state) removeOption(o int32) { s.remove(slices.Index(s.chosen, o)) }

// withGains turns on exact gains.
func (s *state) withGains() {
	if s.gain != nil {
		return
	}
	s.gain = make([]float64, s.p.options())
	for o := range s.gain {
		s.gain[o] = s.marginal(int32(o))
	}
}

// reset makes plan the current choice.
func (s *state) reset(plan []int32) {
	clear(s.cnt)
	clear(s.used)
	clear(s.picked)
	s.chosen = s.chosen[:0]
	s.covered = 0
	g := s.gain != nil
	s.gain = nil
	for _, o := range plan {
		s.add(o)
	}
	if g {
		s.withGains()
	}
}

// moveTo changes the current choice into plan by removals and additions,
// which keeps gains exact at the cost of the neighbourhoods touched only.
func (s *state) moveTo(plan []int32) {
	for at := len(s.chosen) - 1; at >= 0; at-- {
		if !slices.Contains(plan, s.chosen[at]) {
			s.remove(at)
		}
	}
	for _, o := range plan {
		if !s.picked[o] {
			s.add(o)
		}
	}
	// keep plan's order, so results do not depend on the path taken
	s.chosen = append(s.chosen[:0], plan...)
}

// greedy adds options by largest marginal gain until the budget is spent
// or nothing adds weight: a lazy greedy (gains only shrink as options are
// added, so a stale gain bounds the fresh one), ties to the lower option.
func (s *state) greedy(banned []bool) {
	h := gainHeap{}
	for o := int32(0); o < int32(s.p.options()); o++ {
		if banned != nil && banned[o] || s.picked[o] {
			continue
		}
		if g := s.marginal(o); g > 0 {
			h.items = append(h.items, entry{gain: g, o: o})
		}
	}
	h.init()
	round := int32(0)
	for steps := 0; len(s.chosen) < s.p.k && len(h.items) > 0; steps++ {
		if steps%256 == 255 && s.stopped() {
			return
		}
		top := &h.items[0]
		if !s.fits(top.o) {
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
		s.add(h.pop().o)
		round++
	}
}

// localSearch makes 1-swaps until none improves: for each chosen option in
// turn, the best replacement by any other option, taken when it strictly
// gains (at most 100 passes). Needs gains. It returns the swaps made.
func (s *state) localSearch() int {
	p := s.p
	s.withGains()
	extra := make([]float64, p.options())
	var touched []int32
	swaps := 0
	for pass := 0; pass < 100; pass++ {
		improved := false
		for at := 0; at < len(s.chosen); at++ {
			if s.stopped() {
				return swaps
			}
			c := s.chosen[at]
			loss := 0.0
			touched = touched[:0]
			for _, e := range p.items(c) {
				if s.cnt[e] != 1 {
					continue
				}
				w := p.w[e]
				loss += w
				for _, q := range p.covering(e) {
					if extra[q] == 0 {
						touched = append(touched, q)
					}
					extra[q] += w
				}
			}
			best, bestGain := int32(-1), loss+s.eps
			cs := p.site[c]
			for o := int32(0); o < int32(len(s.gain)); o++ {
				g := s.gain[o] + extra[o]
				if g <= bestGain || s.picked[o] {
					continue
				}
				if st := p.site[o]; st != cs && s.used[st] >= p.slot[st] {
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
			// keep the chosen order stable: the newcomer takes c's place
			copy(s.chosen[at+1:], s.chosen[at:len(s.chosen)-1])
			s.chosen[at] = best
			swaps++
			improved = true
		}
		if !improved {
			break
		}
	}
	// fill spare budget (a swap may have freed a site)
	if len(s.chosen) < p.k {
		before := len(s.chosen)
		s.greedy(nil)
		if len(s.chosen) > before {
			swaps += s.localSearch()
		}
	}
	return swaps
}

// iterate is an iterated local search from the current plan, which must be
// a local optimum: each round removes one to three chosen options (a third
// of the time those losing least, else at random), refills greedily without
// them (first, every other round, with the best option covering one of the
// ten heaviest uncovered elements), and searches 1-swaps again. A round
// that ends worse than the best plan is undone; one that ends level is kept
// (a move on a plateau). It runs until stop says so (asked every round) and
// calls better with each strictly better plan. It returns the rounds run.
func (s *state) iterate(rng *rand.Rand, stop func() bool, better func(plan []int32, value float64)) int {
	p := s.p
	if len(s.chosen) == 0 {
		return 0
	}
	s.withGains()
	best, bestVal := slices.Clone(s.chosen), s.covered
	banned := make([]bool, p.options())
	r := 0
	for ; !stop(); r++ {
		drop := 1 + rng.IntN(min(3, len(s.chosen)))
		if ilsVariant&8 != 0 {
			drop = 1
		}
		var removed []int32
		if ilsVariant&1 == 0 && rng.IntN(3) == 0 {
			// the options losing least
			for range drop {
				at := s.weakest(rng)
				removed = append(removed, s.chosen[at])
				s.remove(at)
			}
		} else {
			for range drop {
				at := rng.IntN(len(s.chosen))
				removed = append(removed, s.chosen[at])
				s.remove(at)
			}
		}
		for _, o := range removed {
			banned[o] = true
		}
		if rng.IntN(2) == 0 && ilsVariant&2 == 0 {
			s.coverHeavy(rng, banned)
		}
		s.greedy(banned)
		for _, o := range removed {
			banned[o] = false
		}
		s.localSearch()
		switch {
		case s.covered > bestVal+s.eps:
			best, bestVal = append(best[:0], s.chosen...), s.covered
			better(best, s.value())
		case s.covered >= bestVal-s.eps && ilsVariant&4 == 0:
			best = append(best[:0], s.chosen...)
		default:
			s.moveTo(best)
		}
	}
	return r
}

// ilsVariant turns parts of the iterated local search off, for the
// measurements of TestILSAblation: 1 removing the options losing least, 2
// covering a heavy element, 4 plateau moves, 8 removing more than one.
var ilsVariant int

// weakest returns the position of a chosen option whose removal loses
// least, ties at random.
func (s *state) weakest(rng *rand.Rand) int {
	at, least, ties := 0, -1.0, 0
	for i, c := range s.chosen {
		loss := 0.0
		for _, e := range s.p.items(c) {
			if s.cnt[e] == 1 {
				loss += s.p.w[e]
			}
		}
		switch {
		case least < 0 || loss < least:
			at, least, ties = i, loss, 1
		case loss == least:
			ties++
			if rng.IntN(ties) == 0 {
				at = i
			}
		}
	}
	return at
}

// coverHeavy adds, when budget is left, an option covering one of the
// heaviest uncovered elements (one of the ten heaviest, at random): the
// option of most gain among those covering it.
func (s *state) coverHeavy(rng *rand.Rand, banned []bool) {
	if len(s.chosen) >= s.p.k {
		return
	}
	var top [10]int32
	n := 0
	for e := int32(0); e < int32(s.p.elements()); e++ {
		if s.cnt[e] > 0 || s.p.w[e] <= 0 {
			continue
		}
		if n < len(top) {
			top[n] = e
			n++
		} else if s.p.w[e] > s.p.w[top[len(top)-1]] {
			top[len(top)-1] = e
		} else {
			continue
		}
		for i := n - 1; i > 0 && s.p.w[top[i]] > s.p.w[top[i-1]]; i-- {
			top[i], top[i-1] = top[i-1], top[i]
		}
	}
	if n == 0 {
		return
	}
	e := top[rng.IntN(n)]
	best, bestGain := int32(-1), 0.0
	for _, o := range s.p.covering(e) {
		if banned[o] || !s.fits(o) {
			continue
		}
		if g := s.gain[o]; g > bestGain {
			best, bestGain = o, g
		}
	}
	if best >= 0 {
		s.add(best)
	}
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
