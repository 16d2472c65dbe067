package inputs

import (
	"context"
	"fmt"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// MaxAccept is the most cameras one accepted plan may store.
const MaxAccept = 500

// Accept stores a plan's cameras with status planned, all or none, in one
// transaction, and returns them as stored. Each camera is validated as
// POST /api/cameras would; its Status is ignored. A field error names the
// camera: "cameras[2].bearing".
func Accept(ctx context.Context, s *store.Store, cams []hotspot.Camera) ([]hotspot.Camera, error) {
	if len(cams) == 0 {
		return nil, &hotspot.ValidationError{Field: "cameras", Reason: "is empty"}
	}
	if len(cams) > MaxAccept {
		return nil, &hotspot.ValidationError{Field: "cameras", Reason: fmt.Sprintf("holds %d cameras, at most %d may be accepted at once", len(cams), MaxAccept)}
	}
	for i := range cams {
		cams[i].Status = hotspot.CameraPlanned
	}
	return s.CreateCameras(ctx, cams, func(i int) string { return fmt.Sprintf("cameras[%d].", i) })
}
