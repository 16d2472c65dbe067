package metrics_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

func ExampleParsePeriod() {
	p, err := hotspot.ParsePeriod("2025-Q3")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Kind(), p, p.Previous(), p.Year())
	fmt.Println(p.Start(), "to", p.End())

	_, err = hotspot.ParsePeriod("2025-13")
	fmt.Println(err)
	// Output:
	// quarter 2025-Q3 2025-Q2 2025
	// 2025-06-30 17:00:00 +0000 UTC to 2025-09-30 17:00:00 +0000 UTC
	// invalid period "2025-13": month "13" is not 01 to 12 (want a year 2025, a half 2025-H1, a quarter 2025-Q3, a month 2025-07 or a window of dates 2024-04-15..2025-04-14)
}

func ExampleCompute() {
	local := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, hotspot.Zone)
		return t
	}
	in := metrics.AreaInput{
		Code: "26734",
		Hotspots: []metrics.Hotspot{
			{ID: 1, Events: []metrics.Event{{Kind: hotspot.EventDetected, OccurredAt: local("2024-03-02 21:00"), Seq: 1}}},
			{ID: 2, Events: []metrics.Event{
				{Kind: hotspot.EventDetected, OccurredAt: local("2024-05-10 09:00"), Seq: 2},
				{Kind: hotspot.EventEliminated, OccurredAt: local("2025-12-31 23:30"), Seq: 3}, // still 2025
			}},
		},
		Incidents: []metrics.IncidentCount{{Month: hotspot.MonthOf(2025, time.April), Kind: hotspot.IncTrafficking, N: 6}},
		Tips:      []metrics.TipCount{{Month: hotspot.MonthOf(2025, time.May), Received: 4, Handled: 3}},
	}
	m := metrics.Compute(in, hotspot.YearPeriod(2025), metrics.DefaultConfig())
	fmt.Printf("active %d→%d, eliminated %d of %d: rate %.2f, target %s\n",
		m.ActiveStart, m.ActiveEnd, m.Eliminated, m.ActiveDuring, *m.EliminationRate, m.Target.Status)
	fmt.Printf("incidents %d, tips handled %.0f%%\n", m.IncidentTotal(), 100**m.TipsHandledShare)
	fmt.Printf("score %.1f, class %s, trend %s over %d years\n", m.ComplexityScore, m.Class, m.Trend.Direction, m.Trend.N)
	// Output:
	// active 2→1, eliminated 1 of 2: rate 0.50, target exceeded
	// incidents 6, tips handled 75%
	// score 4.0, class affected, trend none over 5 years
}

func ExampleRollUp() {
	cfg := metrics.DefaultConfig()
	busy := metrics.AreaInput{Code: "A", Incidents: []metrics.IncidentCount{
		{Month: hotspot.MonthOf(2024, time.June), Kind: hotspot.IncTrafficking, N: 20},
		{Month: hotspot.MonthOf(2025, time.June), Kind: hotspot.IncTrafficking, N: 22},
	}}
	quiet := metrics.AreaInput{Code: "B"}
	prev := metrics.ComputeMany([]metrics.AreaInput{busy, quiet}, hotspot.YearPeriod(2024), cfg, 1)
	cur := metrics.ComputeMany([]metrics.AreaInput{busy, quiet}, hotspot.YearPeriod(2025), cfg, 1)
	r := metrics.RollUp("79", cur, prev, cfg)
	fmt.Printf("cases %d→%d: %+.0f%% %s\n", r.PreviousCases, r.Cases, 100**r.CasesGrowth.Value, r.CasesGrowth.Status)
	fmt.Printf("affected communes %d→%d: %s\n", r.PreviousAffected, r.Affected, r.AffectedShareChange.Status)
	// Output:
	// cases 20→22: +10% met
	// affected communes 1→1: not_met
}

func ExampleWriteCSV() {
	m := metrics.Compute(metrics.AreaInput{Code: "26734"}, hotspot.MonthPeriod(2025, time.July), metrics.DefaultConfig())
	_ = metrics.WriteCSV(os.Stdout, []metrics.AreaMetrics{m})
	b, _ := json.Marshal(m.Target)
	fmt.Println(string(b))
	// Output:
	// area,period,active_start,active_during,active_end,new,eliminated,eliminated_sustained,recurred,elimination_rate,previous_eliminated,elimination_growth,target_measure,target_min,target_max,target_value,target_status,target_projection_months_elapsed,target_projection_value,target_projection_status,irregular_events,incidents_trafficking,incidents_storage,incidents_transport,incidents_organised_use,incidents_use,incidents_cultivation,incidents_production,incidents_other,tips_received,tips_handled,tips_handled_share,registered_users,complexity_score,class,trend_score_change,trend_n,trend_s,trend_var_s,trend_z,trend_p,trend_sen_slope,trend_direction,tips_handled_earlier,notes
	// 26734,2025-07,0,0,0,0,0,0,0,,0,,elimination_rate,0.004166666666666667,0.008333333333333333,,undefined,7,,undefined,0,0,0,0,0,0,0,0,0,0,0,,,0,clear,0,12,0,0,0,1,0,none,0,
	// {"measure":"elimination_rate","min":0.004166666666666667,"max":0.008333333333333333,"value":null,"status":"undefined","projection":{"months_elapsed":7,"eliminated_ytd":0,"active_during_ytd":0,"previous_year_eliminated":0,"value":null,"min":0.05,"max":0.1,"status":"undefined"}}
}
