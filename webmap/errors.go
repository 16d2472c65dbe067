package webmap

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/tiles"
)

// apiError is the JSON body of every error answer.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// badRequest is an input error found in webmap itself (query string, body shape).
type badRequest struct {
	field, msg string
	status     int
}

func (e *badRequest) Error() string { return e.field + ": " + e.msg }

func errBad(field, msg string) error {
	return &badRequest{field: field, msg: msg, status: http.StatusBadRequest}
}

// handlerFunc is an endpoint: it writes its answer, or returns the error
// that writeError turns into one (nothing must be written then).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve adapts h to net/http, answering its error with writeError.
func (s *Server) serve(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// writeError is the one place where errors become HTTP answers: the client
// gets a safe message and the field at fault; the log gets the cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status = http.StatusInternalServerError
		body   = apiError{Error: "internal error"}
		ve     *hotspot.ValidationError
		te     *hotspot.TransitionError
		ce     *hotspot.ConflictError
		ie     *hotspot.ImportError
		br     *badRequest
		mbe    *http.MaxBytesError
		tce    *tiles.CoordError
		tle    *tiles.UnknownLayerError
	)
	switch {
	case errors.As(err, &br):
		status, body = br.status, apiError{Error: br.msg, Field: br.field}
	case errors.As(err, &mbe):
		status, body = http.StatusRequestEntityTooLarge, apiError{Error: "the request body is larger than 1 MiB", Field: "body"}
	case errors.As(err, &ve):
		status, body = http.StatusBadRequest, apiError{Error: ve.Reason, Field: ve.Field}
	case errors.As(err, &te):
		status, body = http.StatusConflict, apiError{Error: te.Error(), Field: "event"}
	case errors.As(err, &ce):
		status, body = http.StatusConflict, apiError{Error: ce.Reason, Field: ce.Field}
	case errors.As(err, &ie):
		status, body = http.StatusBadRequest, apiError{Error: ie.Error()}
	case errors.As(err, &tce):
		status, body = http.StatusBadRequest, apiError{Error: tce.Reason, Field: tce.Field}
	case errors.As(err, &tle):
		status, body = http.StatusNotFound, apiError{Error: tle.Error(), Field: "layer"}
	case errors.Is(err, hotspot.ErrNotFound):
		status, body = http.StatusNotFound, apiError{Error: "not found"}
	case errors.Is(err, r.Context().Err()):
		status, body = 499, apiError{Error: "request cancelled"}
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.log.InfoContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}

func writeGeoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
