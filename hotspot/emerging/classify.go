package emerging

import "github.com/diaban/diaban/hotspot/stats"

// persistentShare is the share of hot (or cold) bins from which a cell
// counts as persistently hot (or cold): 90 %, as in ArcGIS.
const persistentShare = 0.9

// classify sorts one cell into its category from its per-bin Gi* z-scores
// and the p-values to compare with alpha (BH-adjusted when FDR is on). Bin t
// is hot when z[t] > 0 and p[t] < alpha, cold when z[t] < 0 and p[t] <
// alpha. trend is the Mann–Kendall test of z.
//
// Precedence (first match wins), with share = hot bins / n and coldShare =
// cold bins / n:
//
//  1. share ≥ 0.9, final bin not hot → HistoricalHot
//  2. share ≥ 0.9, final bin hot → IntensifyingHot if the trend rises
//     significantly (MK p < alpha, z > 0), DiminishingHot if it falls
//     significantly, else PersistentHot
//  3. final bin hot → NewHot if no earlier bin is hot; ConsecutiveHot if
//     the hot bins are one run of length ≥ 2 ending at the final bin;
//     OscillatingHot if an earlier bin is cold; else SporadicHot
//  4. the same three rules with hot and cold swapped, coldShare in place of
//     share (cold "intensifies" when the trend falls significantly and
//     "diminishes" when it rises; oscillating means an earlier bin was hot)
//  5. NoPattern.
//
// So a cell hot in ≥ 90 % of bins is a hot category even if its final bin
// is cold, and a cell whose final bin is hot is never a cold category.
func classify(z, p []float64, alpha float64, trend stats.MKResult) Category {
	n := len(z)
	if n == 0 {
		return NoPattern
	}
	hot := func(t int) bool { return p[t] < alpha && z[t] > 0 }
	cold := func(t int) bool { return p[t] < alpha && z[t] < 0 }
	var nHot, nCold int
	for t := range z {
		switch {
		case hot(t):
			nHot++
		case cold(t):
			nCold++
		}
	}
	last := n - 1
	rising := trend.P < alpha && trend.Z > 0
	falling := trend.P < alpha && trend.Z < 0

	if c, ok := classifySide(n, nHot, nCold, hot(last), hot, rising, falling, hotSide); ok {
		return c
	}
	if c, ok := classifySide(n, nCold, nHot, cold(last), cold, falling, rising, coldSide); ok {
		return c
	}
	return NoPattern
}

// side names one side's categories, so hot and cold share classifySide.
type side struct {
	historical, intensifying, diminishing, persistent, new, consecutive, oscillating, sporadic Category
}

var (
	hotSide  = side{HistoricalHot, IntensifyingHot, DiminishingHot, PersistentHot, NewHot, ConsecutiveHot, OscillatingHot, SporadicHot}
	coldSide = side{HistoricalCold, IntensifyingCold, DiminishingCold, PersistentCold, NewCold, ConsecutiveCold, OscillatingCold, SporadicCold}
)

// classifySide applies rules 1–3 for one side: nSig is the number of this
// side's significant bins, nOther the other side's, lastSig whether the
// final bin is significant on this side, sig(t) the same for bin t,
// stronger/weaker whether the trend moves significantly towards/away from
// this side.
func classifySide(n, nSig, nOther int, lastSig bool, sig func(int) bool, stronger, weaker bool, s side) (Category, bool) {
	share := float64(nSig) / float64(n)
	switch {
	case share >= persistentShare && !lastSig:
		return s.historical, true
	case share >= persistentShare && stronger:
		return s.intensifying, true
	case share >= persistentShare && weaker:
		return s.diminishing, true
	case share >= persistentShare:
		return s.persistent, true
	case !lastSig:
		return "", false
	case nSig == 1:
		return s.new, true
	}
	// Length of the run of significant bins ending at the final bin.
	run := 0
	for t := n - 1; t >= 0 && sig(t); t-- {
		run++
	}
	switch {
	case run == nSig: // run ≥ 2 here, since nSig ≥ 2
		return s.consecutive, true
	case nOther > 0: // the final bin is this side's, so any other-side bin is earlier
		return s.oscillating, true
	}
	return s.sporadic, true
}
