package stats

import (
	"fmt"
	"slices"
)

// Pair is one ordered neighbour relation: observation To is a neighbour of
// observation From. Indexes are 0-based positions in the value slice.
type Pair struct {
	From, To int
}

// Neighbors is a compact (CSR) neighbour structure over observations
// 0..Len()−1 with binary weights: j is a neighbour of i or it is not. It is
// built once and read by any number of goroutines. Relations need not be
// symmetric; an observation is never its own neighbour (Gi* adds the self
// weight itself).
type Neighbors struct {
	start []int32 // Of(i) is adj[start[i]:start[i+1]]
	adj   []int32
}

// NewNeighbors builds the neighbour structure of n observations from
// ordered pairs. A self pair, an index outside [0, n) or a repeated pair is
// an error. Each observation's neighbours come out in ascending order.
func NewNeighbors(n int, pairs []Pair) (*Neighbors, error) {
	if n < 0 || n > maxObservations {
		return nil, fmt.Errorf("stats: %d observations is out of range", n)
	}
	if len(pairs) > maxObservations {
		return nil, fmt.Errorf("stats: %d neighbour pairs is too many", len(pairs))
	}
	nb := &Neighbors{start: make([]int32, n+1), adj: make([]int32, len(pairs))}
	for k, p := range pairs {
		switch {
		case p.From < 0 || p.From >= n || p.To < 0 || p.To >= n:
			return nil, fmt.Errorf("stats: pair %d (%d, %d) is outside [0, %d)", k, p.From, p.To, n)
		case p.From == p.To:
			return nil, fmt.Errorf("stats: pair %d makes observation %d its own neighbour", k, p.From)
		}
		nb.start[p.From+1]++
	}
	for i := 0; i < n; i++ {
		nb.start[i+1] += nb.start[i]
	}
	next := slices.Clone(nb.start[:n])
	for _, p := range pairs {
		nb.adj[next[p.From]] = int32(p.To)
		next[p.From]++
	}
	for i := 0; i < n; i++ {
		row := nb.adj[nb.start[i]:nb.start[i+1]]
		slices.Sort(row)
		for k := 1; k < len(row); k++ {
			if row[k] == row[k-1] {
				return nil, &repeatError{Pair{i, int(row[k])}}
			}
		}
	}
	return nb, nil
}

// NeighborsFromLists builds the neighbour structure from one list per
// observation, with the same rules as NewNeighbors.
func NeighborsFromLists(lists [][]int) (*Neighbors, error) {
	var pairs []Pair
	for i, l := range lists {
		for _, j := range l {
			pairs = append(pairs, Pair{i, j})
		}
	}
	return NewNeighbors(len(lists), pairs)
}

// maxObservations bounds indexes so that they fit the int32 arrays.
const maxObservations = 1<<31 - 1

// Len returns the number of observations.
func (nb *Neighbors) Len() int { return len(nb.start) - 1 }

// Pairs returns the number of ordered neighbour relations.
func (nb *Neighbors) Pairs() int { return len(nb.adj) }

// Of returns the neighbours of observation i in ascending order. The slice
// belongs to nb: don't modify it.
func (nb *Neighbors) Of(i int) []int32 { return nb.adj[nb.start[i]:nb.start[i+1]] }

// repeatError reports a pair given twice to NewNeighbors.
type repeatError struct{ p Pair }

func (e *repeatError) Error() string {
	return fmt.Sprintf("stats: pair (%d, %d) is repeated", e.p.From, e.p.To)
}
