package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/demo"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// box is a rectangle as a one-polygon MultiPolygon, lon/lat.
func box(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

// handCube builds the cube the database should return, in Go alone: the
// universe is the cover of the fixture communes (cells whose centres lie
// inside), counts by the month (or quarter) in Asia/Ho_Chi_Minh.
type handIncident struct {
	lon, lat float64
	kind     string
	at       string // RFC 3339
}

func TestEmergingCubeMatchesHandBuiltCube(t *testing.T) {
	s, ctx := newStore(t)
	incidents := []handIncident{
		{108.2512, 15.9011, "use", "2025-01-31T23:30:00+07:00"}, // January in Vietnam
		{108.2512, 15.9011, "use", "2025-02-28T23:59:00+07:00"}, // February
		{108.2512, 15.9011, "use", "2025-02-01T00:10:00+07:00"}, // February in Vietnam, January 31 in UTC
		{108.3521, 15.8523, "trafficking", "2025-03-15T10:00:00+07:00"},
		{108.3521, 15.8523, "trafficking", "2025-03-16T10:00:00+07:00"},
		{108.2201, 15.9900, "use", "2025-01-01T00:00:00+07:00"},     // first instant of the range
		{108.2201, 15.9900, "use", "2024-12-31T23:59:59+07:00"},     // before the range
		{108.2201, 15.9900, "use", "2025-04-01T00:00:00+07:00"},     // at the range's end: excluded
		{108.3999, 15.8001, "storage", "2025-03-31T23:59:00+07:00"}, // corner cell, March
	}
	var csv strings.Builder
	csv.WriteString("ref,lon,lat,kind,occurred_at\n")
	for i, in := range incidents {
		fmt.Fprintf(&csv, "E%d,%g,%g,%s,%s\n", i, in.lon, in.lat, in.kind, in.at)
	}
	if _, err := importString(t, s, ctx, "incidents", csv.String(), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, hotspot.Zone), time.Date(2025, 4, 1, 0, 0, 0, 0, hotspot.Zone)

	for _, tc := range []struct {
		name string
		q    hotspot.EmergingQuery
		bins int
		bin  func(time.Time) int
		keep func(handIncident) bool
	}{
		{"district by month", hotspot.EmergingQuery{AreaCode: "503", From: from, To: to}, 3,
			func(t time.Time) int { return int(t.In(hotspot.Zone).Month()) - 1 }, nil},
		{"district by quarter at res 8", hotspot.EmergingQuery{AreaCode: "503", From: from, To: to, Res: 8, Bin: hotspot.BinQuarter}, 1,
			func(time.Time) int { return 0 }, nil},
		{"commune, one kind", hotspot.EmergingQuery{AreaCode: "20530", From: from, To: to, Kind: "use"}, 3,
			func(t time.Time) int { return int(t.In(hotspot.Zone).Month()) - 1 }, func(in handIncident) bool { return in.kind == "use" && in.lon < 108.3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.EmergingCube(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			res := tc.q.Res
			if res == 0 {
				res = 9
			}
			var universe []geo.Cell
			var areas []orb.MultiPolygon
			if tc.q.AreaCode == "503" {
				areas = []orb.MultiPolygon{box(108.2, 15.8, 108.3, 16.0), box(108.3, 15.8, 108.4, 16.0)}
			} else {
				areas = []orb.MultiPolygon{box(108.2, 15.8, 108.3, 16.0)}
			}
			for _, mp := range areas {
				universe = append(universe, geo.MultiPolygonCells(mp, res)...)
			}
			slices.Sort(universe)
			universe = slices.Compact(universe)
			counts := map[geo.Cell][]float64{}
			var fringe []geo.Cell
			n := 0
			for _, in := range incidents {
				at, _ := time.Parse(time.RFC3339, in.at)
				if at.Before(from) || !at.Before(to) || (tc.keep != nil && !tc.keep(in)) {
					continue
				}
				c := geo.CellOf(geo.Point{Lon: in.lon, Lat: in.lat}, res)
				if _, found := slices.BinarySearch(universe, c); !found && !slices.Contains(fringe, c) {
					fringe = append(fringe, c) // an edge cell whose centre is outside every commune
				}
				if counts[c] == nil {
					counts[c] = make([]float64, tc.bins)
				}
				counts[c][tc.bin(at)]++
				n++
			}
			cube := got.Cube
			if cube.Bins() != tc.bins || len(got.Starts) != tc.bins || !got.Starts[0].Equal(from) {
				t.Fatalf("bins %d starts %v, want %d from %v", cube.Bins(), got.Starts, tc.bins, from)
			}
			universe = slices.Sorted(slices.Values(append(universe, fringe...)))
			gotCells := slices.Sorted(slices.Values(cube.Cells()))
			if !slices.Equal(gotCells, universe) || got.Fringe != len(fringe) {
				t.Fatalf("universe: %d cells (fringe %d), want %d (fringe %d)", len(gotCells), got.Fringe, len(universe), len(fringe))
			}
			if got.Incidents != n {
				t.Errorf("counted %d incidents, want %d", got.Incidents, n)
			}
			zero := make([]float64, tc.bins)
			for i, c := range cube.Cells() {
				want := counts[c]
				if want == nil {
					want = zero
				}
				if !slices.Equal(cube.Series(i), want) {
					t.Errorf("cell %s: %v, want %v", c, cube.Series(i), want)
				}
			}
		})
	}
}

func TestEmergingCubeDefaultsAndErrors(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := s.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: "503"}); !errors.Is(err, hotspot.ErrNoIncidents) {
		t.Errorf("empty area: %v, want ErrNoIncidents", err)
	}
	if _, err := importString(t, s, ctx, "incidents", "ref,lon,lat,kind,occurred_at\nA,108.25,15.9,use,2024-11-20T10:00:00+07:00\nB,108.35,15.9,use,2025-02-03T10:00:00+07:00\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: "49", Bin: hotspot.BinQuarter})
	if err != nil {
		t.Fatal(err)
	}
	wantFrom, wantTo := time.Date(2024, 10, 1, 0, 0, 0, 0, hotspot.Zone), time.Date(2025, 4, 1, 0, 0, 0, 0, hotspot.Zone)
	if !got.Query.From.Equal(wantFrom) || !got.Query.To.Equal(wantTo) || got.Cube.Bins() != 2 || got.Incidents != 2 {
		t.Errorf("defaults: [%v, %v) %d bins %d incidents", got.Query.From, got.Query.To, got.Cube.Bins(), got.Incidents)
	}
	if l := hotspot.BinQuarter.BinLabel(got.Starts[1]); l != "2025-Q1" {
		t.Errorf("label %q", l)
	}
	for _, tc := range []struct {
		name  string
		q     hotspot.EmergingQuery
		field string
	}{
		{"no area", hotspot.EmergingQuery{}, "area"},
		{"unknown area", hotspot.EmergingQuery{AreaCode: "nowhere"}, "area"},
		{"resolution 11", hotspot.EmergingQuery{AreaCode: "503", Res: 11}, "res"},
		{"bin week", hotspot.EmergingQuery{AreaCode: "503", Bin: "week"}, "bin"},
		{"kind", hotspot.EmergingQuery{AreaCode: "503", Kind: "theft"}, "kind"},
		{"to before from", hotspot.EmergingQuery{AreaCode: "503", From: wantTo, To: wantFrom}, "to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.EmergingCube(ctx, tc.q)
			var ve *hotspot.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("%v, want a ValidationError on %q", err, tc.field)
			}
		})
	}
}

// TestEmergingPlantedClusterIsNewHot plants a burst of incidents in the
// last of twelve months in commune 20533, over a background spread through
// commune 20530 in every month, and expects the burst to come out new_hot.
func TestEmergingPlantedClusterIsNewHot(t *testing.T) {
	s, ctx := newStore(t)
	r := rand.New(rand.NewPCG(4, 2))
	var csv strings.Builder
	csv.WriteString("ref,lon,lat,kind,occurred_at\n")
	n := 0
	for m := 1; m <= 12; m++ {
		for k := 0; k < 60; k++ {
			n++
			fmt.Fprintf(&csv, "B%d,%.5f,%.5f,use,2025-%02d-%02dT12:00:00+07:00\n", n, 108.201+r.Float64()*0.098, 15.801+r.Float64()*0.198, m, 1+r.IntN(28))
		}
	}
	cluster := geo.Point{Lon: 108.35, Lat: 15.9}
	for k := 0; k < 25; k++ {
		n++
		fmt.Fprintf(&csv, "C%d,%.5f,%.5f,trafficking,2025-12-%02dT20:00:00+07:00\n", n, cluster.Lon+(r.Float64()-0.5)*0.003, cluster.Lat+(r.Float64()-0.5)*0.003, 1+r.IntN(28))
	}
	if _, err := importString(t, s, ctx, "incidents", csv.String(), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	ec, err := s.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: "503"})
	if err != nil {
		t.Fatal(err)
	}
	if ec.Cube.Bins() != 12 || ec.Incidents != n {
		t.Fatalf("%d bins, %d incidents; want 12, %d", ec.Cube.Bins(), ec.Incidents, n)
	}
	res, err := emerging.Analyze(ctx, ec.Cube, emerging.Options{})
	if err != nil {
		t.Fatal(err)
	}
	centre, _ := ec.Cube.Index(geo.CellOf(cluster, 9))
	if got := res.Category[centre]; got != emerging.NewHot {
		t.Errorf("cluster centre is %s, want new_hot", got)
	}
	// Commune 20533 holds nothing but the cluster: no hot spot away from it.
	near := geo.CellOf(cluster, 9).Disk(3)
	for i, c := range res.Category {
		if c != emerging.NoPattern && res.Cells[i].Center().Lon > 108.3 && !slices.Contains(near, res.Cells[i]) {
			t.Errorf("%s in cell %s, far from the cluster", c, res.Cells[i])
		}
	}
}

// loadDemo imports the demo district's areas and incidents into db.
func loadDemo(tb testing.TB, ctx context.Context, s *store.Store) {
	tb.Helper()
	ds, err := demo.Generate(demo.DefaultSeed)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := ds.WriteFiles(dir); err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{demo.FileAreas, demo.FileIncidents} {
		in, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			tb.Fatal(err)
		}
		kind := strings.TrimSuffix(strings.TrimSuffix(f, ".csv"), ".geojson")
		_, err = importer.Import(ctx, s, kind, in, importer.Options{})
		in.Close()
		if err != nil {
			tb.Fatalf("import %s: %v", f, err)
		}
	}
}

// demoDistrict returns the code of the unit above the demo's communes today
// (the province: the district level is gone since 1 July 2025).
func demoDistrict(tb testing.TB, ctx context.Context, s *store.Store) string {
	tb.Helper()
	idx, err := s.Areas(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, a := range idx.Shapes() {
		if a.Level == hotspot.LevelProvince {
			return a.Code
		}
	}
	tb.Fatal("no province in the demo")
	return ""
}

// TestEmergingDemoFindsCuaDai runs the analysis over the whole demo
// province and expects new or intensifying hot spots in Phường Hội An Đông
// (20413), which took in Cửa Đại, where the demo plants an emerging cluster.
func TestEmergingDemoFindsCuaDai(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := store.NewStore(pgtest.New(t).Pool)
	loadDemo(t, ctx, s)
	ec, err := s.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: demoDistrict(t, ctx, s)})
	if err != nil {
		t.Fatal(err)
	}
	if ec.Cube.Bins() != 71 {
		t.Errorf("%d monthly bins, want 71 (Jan 2021 to Nov 2026)", ec.Cube.Bins())
	}
	res, err := emerging.Analyze(ctx, ec.Cube, emerging.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cuaDai, err := s.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: "20413", From: ec.Query.From, To: ec.Query.To})
	if err != nil {
		t.Fatal(err)
	}
	tally := map[emerging.Category]int{}
	inCuaDai := map[emerging.Category]int{}
	for i, c := range res.Cells {
		tally[res.Category[i]]++
		if _, ok := cuaDai.Cube.Index(c); ok {
			inCuaDai[res.Category[i]]++
		}
	}
	t.Logf("%d cells, %d incidents: %v; in Cửa Đại: %v", len(res.Cells), ec.Incidents, tally, inCuaDai)
	if inCuaDai[emerging.NewHot]+inCuaDai[emerging.IntensifyingHot] == 0 {
		t.Errorf("no new or intensifying hot spot in Cửa Đại: %v", inCuaDai)
	}
}
