package webmap

import (
	"net/http"
	"strconv"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// handleCameras answers GET /api/cameras?area=&shape=point|sector.
func (s *Server) handleCameras(w http.ResponseWriter, r *http.Request) error {
	shape := r.URL.Query().Get("shape")
	if shape != "" && shape != "point" && shape != "sector" {
		return errBad("shape", "want point or sector")
	}
	list, err := s.store.ListCameras(r.Context(), r.URL.Query().Get("area"))
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i := range list {
		fc.Append(cameraFeature(&list[i], shape == "sector"))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

// cameraBody is POST /api/cameras.
type cameraBody struct {
	Ref     string   `json:"ref"`
	Lon     *float64 `json:"lon"`
	Lat     *float64 `json:"lat"`
	Bearing float64  `json:"bearing"`
	FOV     float64  `json:"fov"`
	RangeM  float64  `json:"range_m"`
	Owner   string   `json:"owner"`
	Status  string   `json:"status"`
}

// handleCreateCamera stores a new camera.
func (s *Server) handleCreateCamera(w http.ResponseWriter, r *http.Request) error {
	var b cameraBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if err := checkTexts(text{"ref", b.Ref, hotspot.MaxRef, false}); err != nil {
		return err
	}
	if b.Lon == nil || b.Lat == nil {
		field := "lon"
		if b.Lon != nil {
			field = "lat"
		}
		return errBad(field, "is required")
	}
	if b.Status == "" {
		b.Status = "planned"
	}
	c, err := s.store.CreateCamera(r.Context(), hotspot.Camera{
		Ref: b.Ref, Point: geo.Point{Lon: *b.Lon, Lat: *b.Lat}, Bearing: b.Bearing, FOV: b.FOV, RangeM: b.RangeM,
		Owner: hotspot.CameraOwner(b.Owner), Status: hotspot.CameraStatus(b.Status),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/cameras/"+strconv.FormatInt(c.ID, 10))
	writeGeoJSON(w, http.StatusCreated, cameraFeature(c, false))
	return nil
}

func (b *cameraBody) place() bodyPlace {
	return bodyPlace{status: b.Status, points: []bodyPoint{{"lon", b.Lon, b.Lat}}}
}

// cameraStatusBody is PATCH /api/cameras/{id}.
type cameraStatusBody struct {
	Status string `json:"status"`
}

// handleCameraStatus marks a camera offline, back in service (active) or
// planned.
func (s *Server) handleCameraStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b cameraStatusBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Status == "" {
		return errBad("status", "is required (active, offline or planned)")
	}
	c, err := s.store.SetCameraStatus(r.Context(), id, hotspot.CameraStatus(b.Status))
	if err != nil {
		return err
	}
	writeGeoJSON(w, http.StatusOK, cameraFeature(c, false))
	return nil
}
