// Package metrics computes how a commune (xã, phường) is transforming
// (chuyển hóa địa bàn) over a period: hotspot stocks and flows, the
// elimination rate against the plans' 5–10% target, incidents, tips, a
// complexity score with the commune's class (trọng điểm, có tệ nạn, không có
// tệ nạn), its trend, and the roll-up a district or province committee
// reviews each year.
//
// Everything here is pure: the caller loads [AreaInput] values (from PostGIS
// or anywhere) and calls [Compute], [ComputeHistory], [ComputeMany] and
// [RollUp]. No database, no HTTP, no clock: a period is always treated as
// complete, so "year to date" means from 1 January to the end of the period
// asked for.
//
// # Periods and instants
//
// Periods (a year 2025, a quarter 2025-Q3, a month 2025-07) are cut in
// Asia/Ho_Chi_Minh and are half-open, [start, end); events count by when
// they occurred, not when they were recorded, so a backdated event moves
// the numbers of the period it occurred in. The status of a hotspot "at" an
// instant t is its status after every event that occurred strictly before
// t: the status at a period's end is the status at the next period's start,
// and an event at exactly 00:00 on 1 January belongs to the new year.
//
// # Definitions, per area and period
//
//   - active_start, active_end: hotspots active at start, at end.
//   - active_during: hotspots active at start or made active (detected,
//     recurred) by an event in the period.
//   - new, recurred: hotspots with a detected, a recurred event in the period.
//   - eliminated: hotspots with an eliminated event in the period that found
//     them active (on legal histories, simply "an eliminated event");
//     eliminated_sustained: of those, the ones still eliminated at end.
//   - elimination_rate = eliminated / active_during; elimination_growth =
//     (eliminated − previous_eliminated) / previous_eliminated, against the
//     previous period of the same length. Null when dividing by 0.
//   - target: the yearly band prorated to the period ([ProratedBand]) and a
//     year-end [Projection] at the year-to-date pace.
//   - incidents by kind; tips received (by received_at), tips_handled (of
//     those, handled by the period's end), tips_handled_share = handled /
//     received (at most 1); tips_handled_earlier: tips received before the
//     period and handled in it, apart.
//   - registered_users and the other indicators of an area with children:
//     the sum of the children's, null while a child lacks one (notes).
//   - complexity_score and class: see [ComplexityConfig].
//   - trend: score change against the previous period and Mann–Kendall over
//     the last n periods: see [TrendConfig].
//
// Nullable ratios are *float64: nil marshals to JSON null and is never 0 or
// NaN.
//
// The drug-free recognition criteria of seed 001 ([Criteria]) are judged
// here too, so the CLI, the API and reports share them.
//
// The vocabulary (event kinds, incident kinds, indicator keys, the status
// rule) is package hotspot's; nothing here restates it.
package metrics
