package metrics_test

import (
	"slices"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// The package mirrors hotspot's vocabulary instead of importing it (the
// domain may one day import metrics); this keeps the two in step.
func TestVocabularyMatchesHotspot(t *testing.T) {
	var kinds []string
	for _, k := range metrics.IncidentKinds {
		kinds = append(kinds, string(k))
	}
	var want []string
	for _, k := range hotspot.IncidentKinds {
		want = append(want, string(k))
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("incident kinds %v, hotspot has %v", kinds, want)
	}
	for _, pair := range [][2]string{
		{string(metrics.EventDetected), string(hotspot.EventDetected)},
		{string(metrics.EventEliminated), string(hotspot.EventEliminated)},
		{string(metrics.EventRecurred), string(hotspot.EventRecurred)},
		{string(metrics.EventNote), string(hotspot.EventNote)},
		{metrics.IndRegisteredUsers, hotspot.IndRegisteredUsers},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%q here, %q in hotspot", pair[0], pair[1])
		}
	}
	if len(hotspot.EventKinds) != 4 {
		t.Errorf("hotspot has event kinds %v; teach metrics.scan the new ones", hotspot.EventKinds)
	}
}
