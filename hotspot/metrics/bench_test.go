package metrics

import (
	"sync"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The benchmark province: 10,000 communes, 10 hotspots each (100,000),
// 50 events per hotspot (5,000,000) in 2025, built once.
var (
	provinceOnce sync.Once
	province     []AreaInput
)

func benchProvince(b *testing.B) []AreaInput {
	provinceOnce.Do(func() {
		t0 := time.Now()
		province = syntheticProvince(10_000, 10, 50, 2025, 42)
		b.Logf("built 10,000 communes, 100,000 hotspots, 5,000,000 events in %s", time.Since(t0))
	})
	return province
}

func benchAreas(b *testing.B, p hotspot.Period, workers int) {
	areas := benchProvince(b)
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		ComputeMany(areas, p, cfg, workers)
	}
}

// BenchmarkProvinceYear: every area metric of 10,000 communes for 2025.
func BenchmarkProvinceYear(b *testing.B)        { benchAreas(b, hotspot.YearPeriod(2025), 0) }
func BenchmarkProvinceYearOneCore(b *testing.B) { benchAreas(b, hotspot.YearPeriod(2025), 1) }

// BenchmarkProvinceMonth: 2025-12, with its 12-month trend.
func BenchmarkProvinceMonth(b *testing.B) { benchAreas(b, hotspot.MonthPeriod(2025, time.December), 0) }

// BenchmarkProvinceYearWithRollUp: 2025 and 2024 for every commune, and the
// province roll-up: the committee's yearly review.
func BenchmarkProvinceYearWithRollUp(b *testing.B) {
	areas := benchProvince(b)
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		ComputeRollUp("P", areas, hotspot.YearPeriod(2025), cfg, 0)
	}
}

// BenchmarkRecomputeAreaAfterEvent: one commune of the province (10
// hotspots, 500 events) after one more event.
func BenchmarkRecomputeAreaAfterEvent(b *testing.B) {
	area := benchProvince(b)[0]
	area.Hotspots = append([]Hotspot(nil), area.Hotspots...)
	h := &area.Hotspots[3]
	h.Events = append(h.Events[:len(h.Events):len(h.Events)], Event{Kind: hotspot.EventNote, OccurredAt: hotspot.YearPeriod(2025).End().Add(-time.Hour), Seq: 1 << 40})
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		Compute(area, hotspot.YearPeriod(2025), cfg)
	}
}

// BenchmarkRecomputeBusyArea: a worst-case ward with 2,000 hotspots and
// 100,000 events, month period (12-month trend).
func BenchmarkRecomputeBusyArea(b *testing.B) {
	area := syntheticProvince(1, 2000, 50, 2025, 9)[0]
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		Compute(area, hotspot.MonthPeriod(2025, time.December), cfg)
	}
}
