package webmap

import (
	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/inputs"
)

// The websocket messages. A client receives a hello, then one Message per
// change (Type is the change's kind; seq orders them and is never repeated
// on one connection), a "replayed" marker after the replay a subscribe with
// `since` asked for, the derived messages of the topics it subscribed to
// (metrics, coverage, emerging: each carries the seq of the newest change
// it reflects, so seqs of derived messages repeat those of changes), a
// resync with its reason when it must reload, and a goaway before the
// server closes for a restart. Each kind of data a message carries is a
// struct of its own below.

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
	messageReplayed MessageType = "replayed"
	messageGoAway   MessageType = "goaway"
)

// topics are the derived message types a client may subscribe to.
var topics = map[MessageType]bool{MessageMetrics: true, MessageCoverage: true, MessageEmerging: true}

// The reasons of a resync.
const (
	reasonSlowClient   = "slow_client"            // its queue overflowed
	reasonEnrichment   = "enrichment"             // a change it should get could not be read in time
	reasonRetention    = "since_before_retention" // the replay asked for was pruned
	reasonReplayFailed = "replay_failed"          // the replay's query failed
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
// period recomputed, under the disclosure rule of the message's audience.
type metricsData struct {
	Metrics []disclosure.AreaMetrics `json:"metrics"`
}

// coverageData is the data of a coverage update: the summary of the area's
// coverage report (figures per scope, no list of uncovered hotspots; the
// map fetches GET /api/coverage for the detail it shows).
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

// resyncMessage tells a client to reload (and reconnect), and why. Seq is
// the change it stands for, when there is one.
type resyncMessage struct {
	Type   MessageType `json:"type"`
	Seq    int64       `json:"seq,omitempty"`
	Reason string      `json:"reason"`
}

// replayedMessage follows a replay: the changes in (Since, Seq] that match
// the subscription were sent (Count of them); live messages follow.
type replayedMessage struct {
	Type  MessageType `json:"type"`
	Seq   int64       `json:"seq"`
	Since int64       `json:"since"`
	Count int         `json:"count"`
}

// goAwayMessage precedes the close (1001) of a server shutting down: the
// client reconnects after RetryMS with since = Seq (or its own newer one).
type goAwayMessage struct {
	Type    MessageType `json:"type"`
	Seq     int64       `json:"seq"`
	RetryMS int         `json:"retry_ms"`
}
