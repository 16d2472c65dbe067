package webmap_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// TestPlanWeightedByEmergingHotSpots: a plan asked with "weight":"emerging"
// weighs each demand point's risk by 1 + the Gi* z-score of the last month
// in the emerging analysis's cell holding it (1 where z ≤ 0), for every
// role that plans, scoped to the commune and to the province; the figure is
// checked against the z the emerging route gives for that cell.
func TestPlanWeightedByEmergingHotSpots(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", plantedIncidents(""))
	ts.settle(t)
	// H2 sits at the planted December burst in commune 20533: a new hot spot.
	var cell struct {
		Bins []struct {
			Z *float64 `json:"z"`
		} `json:"bins"`
	}
	centre := geo.CellOf(emergingCluster, 9).String()
	if code := ts.do(t, "GET", "/api/emerging/cells/"+centre+"?area=20533", "", &cell); code != 200 || len(cell.Bins) == 0 || cell.Bins[len(cell.Bins)-1].Z == nil {
		t.Fatalf("emerging cell: %d %+v", code, cell)
	}
	z := *cell.Bins[len(cell.Bins)-1].Z
	if z <= 1.96 {
		t.Fatalf("the planted burst's z is %g, not a hot spot: the fixture is wrong", z)
	}
	type planAnswer struct {
		Plan struct {
			TotalWeight float64 `json:"total_weight"`
			Chosen      []struct{ Site string }
			Before      struct {
				Risk float64 `json:"risk"`
			} `json:"before"`
		} `json:"plan"`
	}
	const body = `{"area":"20533","k":1,"range_m":100,"fov":90,"demand":"hotspots"%s}`
	planners := map[string]string{
		"admin":             ts.token,
		"planner of 20533":  ts.addUser(t, "planner-commune", hotspot.RolePlanner, "20533"),
		"planner of the 49": ts.addUser(t, "planner-province", hotspot.RolePlanner, "49"),
	}
	for who, token := range planners {
		t.Run(who, func(t *testing.T) {
			var plain, weighted, explicit planAnswer
			if code, raw := ts.doAs(t, token, "POST", "/api/plans", fmt.Sprintf(body, ""), &plain); code != 200 {
				t.Fatalf("plan: %d %s", code, raw)
			}
			if code, raw := ts.doAs(t, token, "POST", "/api/plans", fmt.Sprintf(body, `,"weight":"incidents"`), &explicit); code != 200 || explicit.Plan.TotalWeight != plain.Plan.TotalWeight {
				t.Fatalf("weight incidents: %d %s, want the default's total %g", code, raw, plain.Plan.TotalWeight)
			}
			if code, raw := ts.doAs(t, token, "POST", "/api/plans", fmt.Sprintf(body, `,"weight":"emerging"`), &weighted); code != 200 {
				t.Fatalf("weighted plan: %d %s", code, raw)
			}
			// One hotspot (H2): risk 1 + its incidents, times 1 + z.
			if plain.Plan.TotalWeight <= 1 {
				t.Fatalf("H2's risk is %g: no incidents counted around it", plain.Plan.TotalWeight)
			}
			// (The route gives z to 4 decimals.)
			want := plain.Plan.TotalWeight * (1 + z)
			if math.Abs(weighted.Plan.TotalWeight-want) > 1e-4*want {
				t.Errorf("weighted total %g, want %g (%g × (1 + z %g))", weighted.Plan.TotalWeight, want, plain.Plan.TotalWeight, z)
			}
			// The risk cells are weighted too: the burst's cells count more.
			if !(weighted.Plan.Before.Risk > plain.Plan.Before.Risk) {
				t.Errorf("risk of the cells %g weighted, %g not: the burst's cells were not weighted", weighted.Plan.Before.Risk, plain.Plan.Before.Risk)
			}
			if len(weighted.Plan.Chosen) != 1 {
				t.Errorf("weighted plan chose %d cameras, want 1", len(weighted.Plan.Chosen))
			}
		})
	}
	var e struct{ Error, Field string }
	if code, _ := ts.doAs(t, ts.token, "POST", "/api/plans", fmt.Sprintf(body, `,"weight":"tips"`), &e); code != 400 || e.Field != "weight" || e.Error == "" {
		t.Errorf("unknown weight: %d %+v", code, e)
	}
	for _, role := range []hotspot.Role{hotspot.RoleOfficer, hotspot.RoleViewer} {
		token := ts.addUser(t, "no-plans-"+string(role), role, "20533")
		if code, raw := ts.doAs(t, token, "POST", "/api/plans", fmt.Sprintf(body, `,"weight":"emerging"`), nil); code != 403 {
			t.Errorf("%s: %d %s, want 403", role, code, raw)
		}
	}
}
