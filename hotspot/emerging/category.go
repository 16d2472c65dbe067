package emerging

// Category is the emerging-hot-spot class of a cell.
//
// Bin t of a cell is hot when its Gi* z > 0 and p < α, cold when z < 0 and
// p < α (p BH-adjusted with Options.FDR). With n bins, share = hot bins / n
// and coldShare = cold bins / n, the first matching rule decides:
//
//  1. share ≥ 0.9, final bin not hot → HistoricalHot
//  2. share ≥ 0.9, final bin hot → IntensifyingHot if the Mann–Kendall
//     trend of the z series rises significantly (p < α, z > 0),
//     DiminishingHot if it falls significantly, else PersistentHot
//  3. final bin hot → NewHot if no earlier bin is hot; ConsecutiveHot if
//     the hot bins are one run of length ≥ 2 ending at the final bin;
//     OscillatingHot if an earlier bin is cold; else SporadicHot
//  4. rules 1–3 with hot and cold swapped and coldShare for share (cold
//     intensifies when the trend falls significantly and diminishes when it
//     rises; oscillating means an earlier bin was hot)
//  5. NoPattern.
//
// Reading of the rules: each side's share counts only that side's bins.
// Rules 1–3 come first, so a cell hot in ≥ 90 % of bins is a hot category
// even if its final bin is cold, and a cell whose final bin is hot is never
// a cold category (even when cold in ≥ 90 % of bins: it is NewHot).
type Category string

// The categories, in the order of the map legend.
const (
	NewHot          Category = "new_hot"
	ConsecutiveHot  Category = "consecutive_hot"
	IntensifyingHot Category = "intensifying_hot"
	PersistentHot   Category = "persistent_hot"
	DiminishingHot  Category = "diminishing_hot"
	SporadicHot     Category = "sporadic_hot"
	OscillatingHot  Category = "oscillating_hot"
	HistoricalHot   Category = "historical_hot"

	NewCold          Category = "new_cold"
	ConsecutiveCold  Category = "consecutive_cold"
	IntensifyingCold Category = "intensifying_cold"
	PersistentCold   Category = "persistent_cold"
	DiminishingCold  Category = "diminishing_cold"
	SporadicCold     Category = "sporadic_cold"
	OscillatingCold  Category = "oscillating_cold"
	HistoricalCold   Category = "historical_cold"

	NoPattern Category = "no_pattern"
)

// Categories lists every category in legend order.
var Categories = []Category{
	NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot, HistoricalHot,
	NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold, OscillatingCold, HistoricalCold,
	NoPattern,
}

type legend struct {
	vi, en, colour string
}

// legends holds the Vietnamese and English labels and a fill colour close
// to ArcGIS Pro's default Emerging Hot Spot legend (reds for hot, blues for
// cold, light grey for no pattern), so analysts see the colours they know.
var legends = map[Category]legend{
	NewHot:          {"Điểm nóng mới", "New hot spot", "#8b0000"},
	ConsecutiveHot:  {"Điểm nóng liên tiếp", "Consecutive hot spot", "#e31a1c"},
	IntensifyingHot: {"Điểm nóng gia tăng", "Intensifying hot spot", "#bd0026"},
	PersistentHot:   {"Điểm nóng dai dẳng", "Persistent hot spot", "#fc4e2a"},
	DiminishingHot:  {"Điểm nóng suy giảm", "Diminishing hot spot", "#fd8d3c"},
	SporadicHot:     {"Điểm nóng rải rác", "Sporadic hot spot", "#feb24c"},
	OscillatingHot:  {"Điểm nóng dao động", "Oscillating hot spot", "#fed976"},
	HistoricalHot:   {"Điểm nóng trong quá khứ", "Historical hot spot", "#f4c7b8"},

	NewCold:          {"Điểm lạnh mới", "New cold spot", "#08306b"},
	ConsecutiveCold:  {"Điểm lạnh liên tiếp", "Consecutive cold spot", "#2171b5"},
	IntensifyingCold: {"Điểm lạnh gia tăng", "Intensifying cold spot", "#08519c"},
	PersistentCold:   {"Điểm lạnh dai dẳng", "Persistent cold spot", "#4292c6"},
	DiminishingCold:  {"Điểm lạnh suy giảm", "Diminishing cold spot", "#6baed6"},
	SporadicCold:     {"Điểm lạnh rải rác", "Sporadic cold spot", "#9ecae1"},
	OscillatingCold:  {"Điểm lạnh dao động", "Oscillating cold spot", "#c6dbef"},
	HistoricalCold:   {"Điểm lạnh trong quá khứ", "Historical cold spot", "#dbe4ee"},

	NoPattern: {"Không có xu hướng rõ rệt", "No pattern detected", "#e6e6e6"},
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { _, ok := legends[c]; return ok }

// LabelVI returns the category's Vietnamese legend label ("" if invalid).
func (c Category) LabelVI() string { return legends[c].vi }

// LabelEN returns the category's English legend label ("" if invalid).
func (c Category) LabelEN() string { return legends[c].en }

// Colour returns the category's legend fill colour as "#rrggbb" ("" if
// invalid).
func (c Category) Colour() string { return legends[c].colour }
