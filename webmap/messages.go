package webmap

import (
	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
)

// The websocket messages. A client receives a hello, then one Message per
// change (Type is the change's kind) or per view derived from changes
// (metrics, coverage, emerging), and a resync when it fell behind. Each
// kind of data a message carries is a struct of its own below.

// MessageType is the type of a websocket message.
type MessageType string

// The types of the messages that are not changes (those carry their
// hotspot.ChangeKind as their type: see changeType).
const (
	MessageMetrics  MessageType = "metrics"  // an area's live metrics (metrics_live.go)
	MessageCoverage MessageType = "coverage" // an area's camera coverage (coverage_push.go)
	MessageEmerging MessageType = "emerging" // emerging hot spots to reload (emerging_live.go)
	messageHello    MessageType = "hello"
	messageResync   MessageType = "resync"
)

// changeType is the message type of a change of kind k.
func changeType(k hotspot.ChangeKind) MessageType { return MessageType(k) }

// payload is the data of a message: one of the structs below.
type payload interface{ payload() }

// hotspotData is the data of a hotspot or event change. Fields are in the
// order of their JSON names.
type hotspotData struct {
	Event   *hotspot.Event   `json:"event,omitempty"` // for an event change
	Hotspot *geojson.Feature `json:"hotspot"`
}

// cameraData is the data of a camera change.
type cameraData struct {
	Camera *geojson.Feature `json:"camera"`
}

// incidentData is the data of an incident change.
type incidentData struct {
	Incident *geojson.Feature `json:"incident"`
}

// metricsData is the data of a metrics update: the area's metrics for each
// period recomputed.
type metricsData struct {
	Metrics []metrics.AreaMetrics `json:"metrics"`
}

// coverageData is the data of a coverage update: the area's coverage report.
type coverageData struct {
	inputs.Report
}

func (*hotspotData) payload()  {}
func (*cameraData) payload()   {}
func (*incidentData) payload() {}
func (*metricsData) payload()  {}
func (*coverageData) payload() {}

// helloMessage opens every websocket: the newest sequence published.
type helloMessage struct {
	Seq  int64       `json:"seq"`
	Type MessageType `json:"type"`
}

// resyncMessage tells a client that fell behind to reload and reconnect.
type resyncMessage struct {
	Type MessageType `json:"type"`
}
