package inputs_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// fixture holds the small district (503: communes 20530 west, 20533 east)
// with, at the centres of their resolution-10 cells:
//
//	H1 (20530, active)     3 incidents in its cell; camera C1 (police, active)
//	                       50 m south of it, facing north: covers it
//	H2 (20533, active)     2 incidents in its cell; camera C2 (community,
//	                       active) 50 m south of it, facing south: does not
//	H3 (20533, eliminated) not demand
//	C3 (police, planned)   50 m north of H2, facing north: sees nothing
//	C4 (police, offline)   at H2, a dome: offline, so ignored
type fixture struct {
	store      *store.Store
	h1, h2, h3 geo.Point
}

const fixtureRes = 10

func center(lon, lat float64) geo.Point {
	return geo.CellOf(geo.Point{Lon: lon, Lat: lat}, fixtureRes).Center()
}

func ll(p geo.Point) string { return fmt.Sprintf("%.7f,%.7f", p.Lon, p.Lat) }

func newFixture(t *testing.T) (*fixture, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	db := pgtest.New(t)
	f := &fixture{store: store.NewStore(db.Pool), h1: center(108.25, 15.9), h2: center(108.35, 15.9), h3: center(108.36, 15.95)}
	south := func(p geo.Point) geo.Point { return geo.Destination(p, 180, 50) }
	north := func(p geo.Point) geo.Point { return geo.Destination(p, 0, 50) }
	areas, err := os.ReadFile("../testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	imports := []struct{ kind, text string }{
		{"areas", string(areas)},
		{"hotspots", "ref,lon,lat,kind,name\nH1," + ll(f.h1) + ",dealing,Quán A\nH2," + ll(f.h2) + ",storage,Kho B\nH3," + ll(f.h3) + ",public_use,Bãi C\n"},
		{"events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-10,\nH2,detected,2025-02-01,\nH3,detected,2025-02-01,\nH3,eliminated,2025-03-01,\n"},
		{"incidents", "ref,lon,lat,kind,occurred_at\n" +
			"I1," + ll(f.h1) + ",use,2025-01-01\nI2," + ll(f.h1) + ",use,2025-01-02\nI3," + ll(f.h1) + ",trafficking,2025-01-03\n" +
			"I4," + ll(f.h2) + ",use,2025-01-01\nI5," + ll(f.h2) + ",storage,2025-01-05\n"},
		{"cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\n" +
			"C1," + ll(south(f.h1)) + ",0,90,100,police,active\n" +
			"C2," + ll(south(f.h2)) + ",180,90,100,community,active\n" +
			"C3," + ll(north(f.h2)) + ",0,90,100,police,planned\n" +
			"C4," + ll(f.h2) + ",0,360,100,police,offline\n"},
	}
	for _, im := range imports {
		if _, err := importer.Import(ctx, f.store, im.kind, strings.NewReader(im.text), importer.Options{}); err != nil {
			t.Fatalf("import %s: %v", im.kind, err)
		}
	}
	return f, ctx
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestLoadAndMeasureByHand(t *testing.T) {
	f, ctx := newFixture(t)
	in, err := inputs.Load(ctx, f.store, inputs.Query{AreaCode: "503"})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Hotspots) != 2 || len(in.Cells) != 2 || len(in.Cameras) != 3 {
		t.Fatalf("loaded %d hotspots, %d cells, %d cameras; want 2, 2, 3 (H3 eliminated, C4 offline)", len(in.Hotspots), len(in.Cells), len(in.Cameras))
	}
	risk := map[string]float64{}
	for _, h := range in.Hotspots {
		risk[h.ID] = h.Weight
	}
	if risk["H1"] != 4 || risk["H2"] != 3 {
		t.Errorf("risks %v, want H1 1+3, H2 1+2", risk)
	}
	rep, err := inputs.Measure(in, in.Cameras, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		scope           placement.Scope
		cameras         int
		hotspotsCovered int
		riskCovered     float64
		uncovered       []string
	}{
		{"all owners, any status", placement.Scope{}, 3, 1, 3, []string{"H2"}},
		{"police", placement.Scope{Owner: placement.OwnerPolice}, 2, 1, 3, []string{"H2"}},
		{"community: facing away", placement.Scope{Owner: placement.OwnerCommunity}, 1, 0, 0, []string{"H1", "H2"}},
		{"active only", placement.Scope{ActiveOnly: true}, 2, 1, 3, []string{"H2"}},
		{"police, active only", placement.Scope{Owner: placement.OwnerPolice, ActiveOnly: true}, 1, 1, 3, []string{"H2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := rep.Get(tc.scope)
			var refs []string
			for _, u := range s.UncoveredHotspots {
				refs = append(refs, u.Ref)
			}
			if s.Cameras != tc.cameras || s.Hotspots != 2 || s.HotspotsCovered != tc.hotspotsCovered ||
				!near(s.HotspotShare, float64(tc.hotspotsCovered)/2) || s.Risk != 5 || !near(s.RiskCovered, tc.riskCovered) ||
				!near(s.RiskShare, tc.riskCovered/5) || strings.Join(refs, ",") != strings.Join(tc.uncovered, ",") {
				t.Errorf("got %+v", s)
			}
		})
	}
	if u := rep.Get(placement.Scope{}).UncoveredHotspots; len(u) == 1 && (u[0].Name != "Kho B" || u[0].Risk != 3 || u[0].ID == 0) {
		t.Errorf("uncovered hotspot details: %+v", u[0])
	}

	one, err := inputs.Load(ctx, f.store, inputs.Query{AreaCode: "20533"})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Hotspots) != 1 || one.Hotspots[0].ID != "H2" || len(one.Cameras) != 2 {
		t.Errorf("commune 20533: %d hotspots, %d cameras", len(one.Hotspots), len(one.Cameras))
	}
	var ve *hotspot.ValidationError
	if _, err := inputs.Load(ctx, f.store, inputs.Query{AreaCode: "99999"}); !errors.As(err, &ve) || ve.Field != "area" {
		t.Errorf("unknown area: %v", err)
	}
	if _, err := inputs.Load(ctx, f.store, inputs.Query{AreaCode: "503", RiskRes: 11}); !errors.As(err, &ve) || ve.Field != "risk_res" {
		t.Errorf("risk_res 11: %v", err)
	}
}

func TestPlanCoversTheUncoveredHotspot(t *testing.T) {
	f, ctx := newFixture(t)
	in, err := inputs.Load(ctx, f.store, inputs.Query{AreaCode: "20533"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := inputs.Plan(context.Background(), in, inputs.PlanRequest{Model: placement.Model{RangeM: 100, FOV: 90}, K: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Proposals) != 1 || p.Sites < 10 || p.Sites > 500 {
		t.Fatalf("%d proposals from %d sites", len(p.Proposals), p.Sites)
	}
	cam := p.Proposals[0].Camera
	if !cam.View.Covers(f.h2) || cam.Status != placement.StatusPlanned || cam.Owner != placement.OwnerPolice {
		t.Errorf("proposal %+v does not cover H2", cam)
	}
	gain := 0.0
	for _, d := range p.Proposals[0].Gained {
		gain += d.Weight
	}
	before, after := p.Before.Get(placement.Scope{}), p.After.Get(placement.Scope{})
	// H2 (risk 3) and its cell (2 incidents): all the demand.
	if !near(gain, 5) || !near(p.Result.Gain, 5) || p.Result.TotalWeight != 5 || p.Result.UpperBound < p.Result.CoveredWeight {
		t.Errorf("gain %v, result %+v", gain, p.Result)
	}
	if before.HotspotShare != 0 || after.HotspotShare != 1 || before.RiskShare != 0 || after.RiskShare != 1 {
		t.Errorf("before %+v after %+v", before, after)
	}
	var ve *hotspot.ValidationError
	if _, err := inputs.Plan(context.Background(), in, inputs.PlanRequest{Model: placement.Model{RangeM: 100, FOV: 90}, K: 1, SiteRes: 13}); !errors.As(err, &ve) || ve.Field != "res" {
		t.Errorf("res 13: %v", err)
	}
	if _, err := inputs.Plan(context.Background(), in, inputs.PlanRequest{Model: placement.Model{RangeM: -1, FOV: 90}, K: 1}); !errors.As(err, &ve) {
		t.Errorf("negative range: %v", err)
	}
}

func TestAcceptStoresAllOrNothing(t *testing.T) {
	f, ctx := newFixture(t)
	cam := func(ref string, p geo.Point) hotspot.Camera {
		return hotspot.Camera{Ref: ref, Point: p, Bearing: 90, FOV: 90, RangeM: 120, Owner: "police", Status: "active"}
	}
	stored, err := inputs.Accept(ctx, f.store, []hotspot.Camera{cam("P1", f.h1), cam("P2", f.h2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0].Status != "planned" || stored[0].AreaCode != "20530" || stored[1].AreaCode != "20533" {
		t.Fatalf("stored %+v", stored)
	}
	var ce *hotspot.ConflictError
	if _, err := inputs.Accept(ctx, f.store, []hotspot.Camera{cam("P3", f.h1), cam("P1", f.h2)}); !errors.As(err, &ce) || ce.Field != "cameras[1].ref" {
		t.Fatalf("taken ref: %v", err)
	}
	if all, err := f.store.ListCameras(ctx, ""); err != nil || len(all) != 4+2 {
		t.Errorf("a refused plan left cameras behind: %d stored, want 6 (%v)", len(all), err)
	}
	var ve *hotspot.ValidationError
	bad := cam("P4", f.h1)
	bad.Bearing = 360
	if _, err := inputs.Accept(ctx, f.store, []hotspot.Camera{cam("P5", f.h1), bad}); !errors.As(err, &ve) || ve.Field != "cameras[1].bearing" {
		t.Errorf("bad bearing: %v", err)
	}
}
