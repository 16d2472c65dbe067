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
// Periods (a year, a quarter, a month) are cut in Asia/Ho_Chi_Minh and are
// half-open, [start, end). The status of a hotspot "at" an instant t is the
// status after every event that occurred strictly before t, so the status at
// a period's end is the status at the next period's start and an event at
// exactly 00:00 on 1 January belongs to the new year.
//
// Nullable ratios are *float64: nil marshals to JSON null and is never 0 or
// NaN.
//
// The package does not import package hotspot (which may one day import it);
// it mirrors the vocabulary: event kinds, incident kinds and the
// registered_users indicator key.
package metrics
