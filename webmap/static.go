package webmap

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
)

// staticFS is the map: HTML, JS, CSS and vendored Leaflet, embedded so a
// server on a closed network needs nothing from the internet.
//
//go:embed static
var staticFS embed.FS

// toLoginFirst answers a request for the map page itself without a valid
// session with a redirect to the login screen (true), so the page never
// starts only to be refused (a 401 in the browser's console on every
// visit). Every other file is served as it is.
func (s *Server) toLoginFirst(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/" && r.URL.Path != "/index.html" {
		return false
	}
	if _, err := s.authenticate(r); !errors.Is(err, errLoginRequired) {
		return false // a session, or a database fault the page will report
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login.html?next="+url.QueryEscape(next), http.StatusSeeOther)
	return true
}
