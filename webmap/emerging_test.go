package webmap_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
)

// emergingCluster is where plantedIncidents puts its burst (commune 20533).
var emergingCluster = geo.Point{Lon: 108.35, Lat: 15.9}

// plantedIncidents is a year of background incidents spread over commune
// 20530 and a burst in December 2025 at emergingCluster: a new hot spot.
func plantedIncidents(prefix string) string {
	r := rand.New(rand.NewPCG(4, 2))
	var csv strings.Builder
	csv.WriteString("ref,lon,lat,kind,occurred_at\n")
	n := 0
	for m := 1; m <= 12; m++ {
		for k := 0; k < 60; k++ {
			n++
			fmt.Fprintf(&csv, "%sB%d,%.5f,%.5f,use,2025-%02d-%02dT12:00:00+07:00\n", prefix, n, 108.201+r.Float64()*0.098, 15.801+r.Float64()*0.198, m, 1+r.IntN(28))
		}
	}
	for k := 0; k < 25; k++ {
		n++
		fmt.Fprintf(&csv, "%sC%d,%.5f,%.5f,trafficking,2025-12-%02dT20:00:00+07:00\n", prefix, n,
			emergingCluster.Lon+(r.Float64()-0.5)*0.003, emergingCluster.Lat+(r.Float64()-0.5)*0.003, 1+r.IntN(28))
	}
	return csv.String()
}

type emergingCollection struct {
	featureCollection
	Bins      []string         `json:"bins"`
	Incidents int              `json:"incidents"`
	Seq       int64            `json:"seq"`
	Legend    []map[string]any `json:"legend"`
}

func TestEmergingAPI(t *testing.T) {
	ts := newTestServer(t)
	var empty emergingCollection
	if code := ts.do(t, "GET", "/api/emerging?area=503", "", &empty); code != 200 || len(empty.Features) != 0 || len(empty.Legend) != 17 {
		t.Fatalf("no incidents: %d, %d features, %d legend rows", code, len(empty.Features), len(empty.Legend))
	}
	importText(t, ts.store, "incidents", plantedIncidents(""))

	var fc emergingCollection
	if code := ts.do(t, "GET", "/api/emerging?area=503&bin=month&res=9", "", &fc); code != 200 {
		t.Fatalf("emerging: %d", code)
	}
	if len(fc.Bins) != 12 || fc.Bins[0] != "2025-01" || fc.Bins[11] != "2025-12" || fc.Incidents != 12*60+25 {
		t.Errorf("bins %v, %d incidents", fc.Bins, fc.Incidents)
	}
	centre := geo.CellOf(emergingCluster, 9).String()
	found := false
	for _, f := range fc.Features {
		for _, k := range []string{"cell", "category", "label", "mk_z", "mk_p", "z", "p", "colour"} {
			if _, ok := f.Properties[k]; !ok {
				t.Fatalf("feature lacks %q: %v", k, f.Properties)
			}
		}
		if f.Properties["cell"] == centre {
			found = true
			if f.Properties["category"] != "new_hot" || f.Properties["label"] != "Điểm nóng mới" || f.Properties["z"].(float64) < 1.96 {
				t.Errorf("cluster centre: %v", f.Properties)
			}
		}
	}
	if !found || len(fc.Features) < 4000 {
		t.Fatalf("%d features, cluster centre found: %v", len(fc.Features), found)
	}

	var cell struct {
		Cell     string `json:"cell"`
		Category string `json:"category"`
		Bins     []struct {
			Bin   string   `json:"bin"`
			Count float64  `json:"count"`
			Z     *float64 `json:"z"`
			Hot   bool     `json:"hot"`
		} `json:"bins"`
	}
	if code := ts.do(t, "GET", "/api/emerging/cells/"+centre+"?area=503", "", &cell); code != 200 {
		t.Fatalf("cell: %d", code)
	}
	if cell.Category != "new_hot" || len(cell.Bins) != 12 || !cell.Bins[11].Hot || cell.Bins[11].Count == 0 || cell.Bins[10].Hot || cell.Bins[11].Bin != "2025-12" {
		t.Errorf("cell history: %+v", cell)
	}

	for _, tc := range []struct {
		name, path string
		status     int
		field      string
	}{
		{"no area", "/api/emerging", 400, "area"},
		{"unknown area", "/api/emerging?area=nowhere", 400, "area"},
		{"resolution 12", "/api/emerging?area=503&res=12", 400, "res"},
		{"weekly bins", "/api/emerging?area=503&bin=week", 400, "bin"},
		{"ring 0", "/api/emerging?area=503&ring=0", 400, "ring"},
		{"alpha 1", "/api/emerging?area=503&alpha=1", 400, "alpha"},
		{"fdr maybe", "/api/emerging?area=503&fdr=maybe", 400, "fdr"},
		{"bad from", "/api/emerging?area=503&from=yesterday", 400, "from"},
		{"unknown kind", "/api/emerging?area=503&kind=theft", 400, "kind"},
		{"not a cell", "/api/emerging/cells/zzz?area=503", 400, "cell"},
		{"cell outside", "/api/emerging/cells/" + geo.CellOf(geo.Point{Lon: 106.7, Lat: 10.8}, 9).String() + "?area=503", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			if code := ts.do(t, "GET", tc.path, "", &e); code != tc.status || e.Field != tc.field || e.Error == "" {
				t.Errorf("%d %+v, want %d on %q", code, e, tc.status, tc.field)
			}
		})
	}
}

// TestEmergingPushAfterImport checks the live path: importing incidents
// invalidates the cached analysis and tells open maps to reload the layer.
func TestEmergingPushAfterImport(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", "ref,lon,lat,kind,occurred_at\nX1,108.25,15.9,use,2025-01-10\n")
	ts.settle(t)
	var before emergingCollection
	if code := ts.do(t, "GET", "/api/emerging?area=503", "", &before); code != 200 || before.Incidents != 1 {
		t.Fatalf("before: %d, %d incidents", code, before.Incidents)
	}
	c := ts.dial(t, `{"type":"subscribe","areas":["503"]}`)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	importText(t, ts.store, "incidents", plantedIncidents("P"))
	var m wsMessage
	for m.Seq <= before.Seq { // skip the push of the first import, if it comes late
		var ok bool
		if m, ok = c.waitFor("emerging", 15*time.Second); !ok {
			t.Fatal("no emerging message after an import")
		}
	}
	t.Logf("emerging message after %v: %+v", time.Since(start), m)
	var after emergingCollection
	if code := ts.do(t, "GET", "/api/emerging?area=503", "", &after); code != 200 || after.Incidents != 1+12*60+25 || after.Seq < m.Seq {
		t.Errorf("after: %d, %d incidents, seq %d (message %d)", code, after.Incidents, after.Seq, m.Seq)
	}
}
