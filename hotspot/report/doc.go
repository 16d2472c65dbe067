// Package report renders a committee's báo cáo for one area and period as
// PDF, XLSX or CSV from what the metrics package computed (Data): no SQL
// and no HTTP here. hotspot/inputs.LoadReport gathers a Data through the
// store; cmd/diaban (diaban report) and webmap (GET /api/reports) call it
// and one of Render's formats.
//
// What every format holds, with the same figures as GET
// /api/areas/{code}/metrics and GET /api/metrics for the same area, period
// and as_of:
//
//   - the elimination target of the plans against the result, with its
//     status, in both readings (the period's rate against the band
//     prorated to its months, and the year-end projection against the
//     yearly 5–10% band), and for a district or province the roll-up's
//     goals;
//   - per unit (the communes of a district or province; the commune
//     itself for a commune): name, class, complexity score and its change
//     against the previous comparable period, hotspots at the start and
//     end, new, eliminated, recurred, incidents, tips handled, with totals;
//   - seed 001's six criteria with the numbers judged;
//   - new and recurred hotspots as places (ref, name, unit; never people);
//   - the trend of the complexity score.
//
// Numbers are written as on the map: Vietnamese 1.234,5 and 22,2 % (English
// 1,234.5 and 22.2 % with lang en), dates dd/mm/yyyy. For a viewer the
// counts about people (incidents, tips, registered users) pass through
// hotspot/disclosure: a count below disclosure.MinCount reads "< 5" and a
// figure derived from one is withheld; hotspot places are not listed.
//
// The PDF follows Nghị định 30/2020/NĐ-CP for an administrative report
// (quốc hiệu and tiêu ngữ, issuing body, số/ký hiệu left blank, place and
// date, title, body, nơi nhận, signature block) on A4 in Liberation Serif
// (fonts/, SIL Open Font License 1.1, from Debian's fonts-liberation2
// 2.1.5: metric-compatible with Times New Roman and covering Vietnamese),
// embedded in the binary and in every PDF, so the server makes reports
// offline. The map of units is drawn by the server from their polygons.
package report
