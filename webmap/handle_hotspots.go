package webmap

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// handleHotspots answers GET /api/hotspots?area=&status=&events=1 (events:
// each hotspot's lifecycle with it).
func (s *Server) handleHotspots(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.store.ListHotspots(r.Context(), store.HotspotFilter{AreaCode: q.Get("area"), Status: hotspot.Status(q.Get("status"))})
	if err != nil {
		return err
	}
	switch q.Get("events") {
	case "":
	case "1":
		// The lifecycle of each, for the map's month-by-month replay.
		ids := make([]int64, len(list))
		for i := range list {
			ids[i] = list[i].ID
		}
		evs, err := s.store.EventsOf(r.Context(), ids)
		if err != nil {
			return err
		}
		for i := range list {
			list[i].Events = evs[list[i].ID]
			if list[i].Events == nil {
				list[i].Events = []hotspot.Event{}
			}
		}
	default:
		return errBad("events", "want 1 or nothing")
	}
	fc := geojson.NewFeatureCollection()
	for i := range list {
		fc.Append(hotspotFeature(&list[i]))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

// handleHotspot answers GET /api/hotspots/{id} with the hotspot and its events.
func (s *Server) handleHotspot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.store.GetHotspot(r.Context(), id)
	if err != nil {
		return err
	}
	writeGeoJSON(w, http.StatusOK, hotspotFeature(h))
	return nil
}

// newHotspotBody is POST /api/hotspots.
type newHotspotBody struct {
	Ref        string   `json:"ref"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Lon        *float64 `json:"lon"`
	Lat        *float64 `json:"lat"`
	DetectedAt string   `json:"detected_at"`
	Note       string   `json:"note"`
}

// handleCreateHotspot records a new hotspot with its detection.
func (s *Server) handleCreateHotspot(w http.ResponseWriter, r *http.Request) error {
	var b newHotspotBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if err := checkTexts(
		text{"ref", b.Ref, hotspot.MaxRef, false}, text{"name", b.Name, hotspot.MaxName, false}, text{"note", b.Note, hotspot.MaxNote, true},
	); err != nil {
		return err
	}
	if b.Lon == nil {
		return errBad("lon", "is required")
	}
	if b.Lat == nil {
		return errBad("lat", "is required")
	}
	var at time.Time
	if b.DetectedAt != "" {
		var err error
		if at, err = hotspot.ParseInstant(b.DetectedAt); err != nil {
			return errBad("detected_at", err.Error())
		}
	}
	h, err := s.store.CreateHotspot(r.Context(), store.NewHotspot{
		Ref: b.Ref, Name: b.Name, Kind: hotspot.HotspotKind(b.Kind), Point: geo.Point{Lon: *b.Lon, Lat: *b.Lat}, DetectedAt: at, Note: b.Note,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/hotspots/"+strconv.FormatInt(h.ID, 10))
	writeGeoJSON(w, http.StatusCreated, hotspotFeature(h))
	return nil
}

// eventBody is POST /api/hotspots/{id}/events.
type eventBody struct {
	Event      string `json:"event"`
	OccurredAt string `json:"occurred_at"`
	Note       string `json:"note"`
}

// handleAddEvent appends a lifecycle event; an illegal transition is a 409.
func (s *Server) handleAddEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b eventBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if err := checkTexts(text{"note", b.Note, hotspot.MaxNote, true}); err != nil {
		return err
	}
	if b.Event == "" {
		return errBad("event", "is required (detected, eliminated, recurred or note)")
	}
	var at time.Time
	if b.OccurredAt != "" {
		if at, err = hotspot.ParseInstant(b.OccurredAt); err != nil {
			return errBad("occurred_at", err.Error())
		}
	}
	h, err := s.store.AddEvent(r.Context(), id, hotspot.Event{Kind: hotspot.EventKind(b.Event), OccurredAt: at, Note: b.Note})
	if err != nil {
		return err
	}
	writeGeoJSON(w, http.StatusCreated, hotspotFeature(h))
	return nil
}

func (b *newHotspotBody) place() bodyPlace {
	return bodyPlace{points: []bodyPoint{{"lon", b.Lon, b.Lat}}}
}

// editHotspotBody is PATCH /api/hotspots/{id}: a new name, or a new place
// (lon and lat together), or both. Absent fields are left as they are.
type editHotspotBody struct {
	Name *string  `json:"name"`
	Lon  *float64 `json:"lon"`
	Lat  *float64 `json:"lat"`
}

// handleEditHotspot renames or moves a hotspot (its lifecycle changes by
// events only). The guard checked the hotspot's present area; a move must
// also land inside the caller's area (403 otherwise).
func (s *Server) handleEditHotspot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b editHotspotBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	var e store.HotspotEdit
	if b.Name != nil {
		if err := checkTexts(text{"name", *b.Name, hotspot.MaxName, false}); err != nil {
			return err
		}
		if *b.Name == "" {
			return errBad("name", "is empty")
		}
		e.Name = b.Name
	}
	if (b.Lon == nil) != (b.Lat == nil) {
		field := "lat"
		if b.Lon == nil {
			field = "lon"
		}
		return errBad(field, "is required with the other coordinate")
	}
	if b.Lon != nil {
		e.Point = &geo.Point{Lon: *b.Lon, Lat: *b.Lat}
	}
	if e.Name == nil && e.Point == nil {
		return errBad("name", "nothing to change: give a name, or lon and lat")
	}
	u := userFrom(r.Context())
	check := func(code string) bool { return true }
	if u != nil && u.Scope != "" {
		idx, err := s.store.Areas(r.Context())
		if err != nil {
			return err
		}
		check = func(code string) bool { return inScope(idx, u, code) }
	}
	h, err := s.store.UpdateHotspot(r.Context(), id, e, check)
	if errors.Is(err, store.ErrForbiddenArea) {
		return errStatus(http.StatusForbidden, "lon", "the new place lies outside your area")
	}
	if err != nil {
		return err
	}
	writeGeoJSON(w, http.StatusOK, hotspotFeature(h))
	return nil
}
