package hotspot

// ChangeKind is what a committed change touched: the kind the schema's
// triggers write into `changes.kind` (migrations/00001_schema.sql), one per
// table that the change feed follows.
type ChangeKind string

// The change kinds, one per followed table.
const (
	ChangeHotspot   ChangeKind = "hotspot"   // hotspots
	ChangeEvent     ChangeKind = "event"     // hotspot_events (lifecycle events)
	ChangeIncident  ChangeKind = "incident"  // incidents
	ChangeTip       ChangeKind = "tip"       // tips
	ChangeCamera    ChangeKind = "camera"    // cameras
	ChangeIndicator ChangeKind = "indicator" // area_indicators
	ChangeArea      ChangeKind = "area"      // area_versions (boundaries, names)
	ChangeReport    ChangeKind = "report"    // scheduled_reports: one per unit whose monthly reports were stored
)

// ChangeKinds lists every change kind.
var ChangeKinds = []ChangeKind{ChangeHotspot, ChangeEvent, ChangeIncident, ChangeTip, ChangeCamera, ChangeIndicator, ChangeArea, ChangeReport}

// ChangeOp is what a change did: the `changes.op` the triggers write.
type ChangeOp string

// The change operations. A statement touching more than a hundred rows (a
// bulk import) is recorded as one ChangeBulk without an entity or area.
const (
	ChangeInsert ChangeOp = "insert"
	ChangeUpdate ChangeOp = "update"
	ChangeDelete ChangeOp = "delete"
	ChangeBulk   ChangeOp = "bulk"
)
