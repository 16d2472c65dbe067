package webmap

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/tiles"
)

// The authorization policy: the one place that says who may call what, and
// where. Every route is registered through Server.handle, which looks its
// pattern up here and refuses to start without an entry, so a new route
// cannot slip in unguarded.
//
// A user's scope is one area code covering everything below it; an admin
// has none (everywhere). Out-of-scope reads are 404 (the area "does not
// exist" for the caller; a list without an area is narrowed to the
// scope), out-of-scope writes are 403.

// Role sets used by the table.
var (
	anyRole    = []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner, hotspot.RoleViewer}
	adminOnly  = []hotspot.Role{hotspot.RoleAdmin}
	officers   = []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer}
	pointRead  = []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner}
	planners   = []hotspot.Role{hotspot.RoleAdmin, hotspot.RolePlanner}
	cameraEdit = []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner}
)

// scopeKind says where a route finds the area it touches.
type scopeKind int

const (
	scopeNone    scopeKind = iota // no area data (or admin only)
	scopeQuery                    // the query parameter param; empty means the caller's scope
	scopePath                     // the path value param
	scopeHotspot                  // the hotspot whose id is the path value "id"
	scopeBody                     // the JSON body's "area" and every lon/lat in it
	scopeTile                     // a tile: layer by role, rows by scope (handleTile)
	scopeCamera                   // the camera whose id is the path value "id"
)

// rule is one route's policy.
type rule struct {
	public bool           // no session needed
	roles  []hotspot.Role // who may call it
	scope  scopeKind
	param  string
	// audit names the action recorded after a successful call; auditIf,
	// when set, decides per request (an export only in CSV).
	audit   string
	auditIf func(*http.Request) bool
	// body makes the value a scopeBody route's body decodes into: the
	// handler's own type, so that the check and the handler read one parse.
	body func() placedBody
	// asOf: with as_of, a code outside the user's area today is allowed
	// when it lay inside it by lineage on that date (retiredInScope).
	asOf bool
}

// policy maps each route pattern to its rule.
var policy = map[string]rule{
	"GET /healthz":     {public: true},
	"GET /readyz":      {public: true}, // the live feed's readiness (health.go)
	"GET /metrics":     {public: true}, // Prometheus: counts only
	"POST /api/login":  {public: true},
	"GET /":            {public: true}, // the map's static files and the login page
	"POST /api/logout": {roles: anyRole},
	"GET /api/me":      {roles: anyRole},
	"GET /api/config":  {roles: anyRole},
	"GET /api/areas":   {roles: anyRole}, // boundaries and names only
	"GET /api/audit":   {roles: adminOnly},

	"GET /api/hotspots":              {roles: pointRead, scope: scopeQuery, param: "area"},
	"GET /api/hotspots/{id}":         {roles: pointRead, scope: scopeHotspot},
	"POST /api/hotspots":             {roles: officers, scope: scopeBody, body: newBody[newHotspotBody], audit: "hotspot.create"},
	"POST /api/hotspots/{id}/events": {roles: officers, scope: scopeHotspot, audit: "hotspot.event"},
	"PATCH /api/hotspots/{id}":       {roles: officers, scope: scopeHotspot, audit: "hotspot.edit"}, // rename or move; the new place is checked too
	"GET /api/incidents":             {roles: officers, scope: scopeQuery, param: "area"},
	"GET /api/cameras":               {roles: pointRead, scope: scopeQuery, param: "area"},
	"POST /api/cameras":              {roles: cameraEdit, scope: scopeBody, body: newBody[cameraBody], audit: "camera.create"},
	"PATCH /api/cameras/{id}":        {roles: officers, scope: scopeCamera, audit: "camera.status"}, // offline, back in service

	// Aggregates: hexagon counts, metrics, emerging hot spots.
	"GET /api/cells": {roles: anyRole, scope: scopeQuery, param: "area"},
	// Metrics reads are audited like the CSV export: the JSON holds the same rows.
	"GET /api/areas/{code}/metrics": {roles: anyRole, scope: scopePath, param: "code", audit: "metrics.read", asOf: true},
	"GET /api/metrics":              {roles: anyRole, scope: scopeQuery, param: "parent", audit: "metrics.export", asOf: true},
	"GET /api/areas/{code}/trend":   {roles: anyRole, scope: scopePath, param: "code", audit: "metrics.read", asOf: true}, // the monthly series behind the scorecard
	// Reports: as the metrics (the same figures), every one audited.
	"GET /api/reports":                {roles: anyRole, scope: scopeQuery, param: "area", audit: "report.generate", asOf: true},
	"GET /api/reports/scheduled":      {roles: anyRole, scope: scopeQuery, param: "area"},
	"GET /api/reports/scheduled/file": {roles: anyRole, scope: scopeQuery, param: "area", audit: "report.download"},
	"GET /api/emerging":               {roles: anyRole, scope: scopeQuery, param: "area"},
	"GET /api/emerging/cells/{cell}":  {roles: anyRole, scope: scopeQuery, param: "area"},

	"GET /api/coverage":        {roles: pointRead, scope: scopeQuery, param: "area"},
	"POST /api/plans":          {roles: planners, scope: scopeBody, body: newBody[planBody]},
	"POST /api/plans/evaluate": {roles: planners, scope: scopeBody, body: newBody[evaluateBody]},
	"POST /api/plans/accept":   {roles: planners, scope: scopeBody, body: newBody[acceptBody], audit: "camera.plan_accept"},

	"GET /ws":                        {roles: anyRole}, // filtered per message: subscription.matches
	"GET /tiles/{layer}/{z}/{x}/{y}": {roles: anyRole, scope: scopeTile},
	"GET /basemap.pmtiles":           {roles: anyRole}, // the offline base map: streets, no police data
}

// layerRoles says who may see each tile layer: viewers get boundaries and
// incident density hexagons, never hotspot or camera points.
var layerRoles = map[tiles.Layer][]hotspot.Role{
	tiles.LayerAreas:    anyRole,
	tiles.LayerCells:    anyRole,
	tiles.LayerHotspots: pointRead,
	tiles.LayerCameras:  pointRead,
}

// wsTypes says which websocket message types each role receives; nil is
// every type. Viewers get aggregates only (and bulk reload hints without
// data); planners no incident or tip points.
var wsTypes = map[hotspot.Role]map[MessageType]bool{
	hotspot.RoleViewer: {
		MessageMetrics: true, MessageEmerging: true,
		changeType(hotspot.ChangeArea): true, changeType(hotspot.ChangeIndicator): true, changeType(hotspot.ChangeReport): true,
	},
	hotspot.RolePlanner: {
		MessageMetrics: true, MessageEmerging: true, MessageCoverage: true,
		changeType(hotspot.ChangeArea): true, changeType(hotspot.ChangeIndicator): true, changeType(hotspot.ChangeReport): true,
		changeType(hotspot.ChangeHotspot): true, changeType(hotspot.ChangeEvent): true, changeType(hotspot.ChangeCamera): true,
	},
}

// newBody makes a zero body of type T for the guard to decode into.
func newBody[T any, P interface {
	*T
	placedBody
}]() placedBody {
	return P(new(T))
}

func isCSV(r *http.Request) bool { return r.URL.Query().Get("format") == "csv" }

// handle registers h for pattern behind its policy; the error h returns
// is answered by writeError.
func (s *Server) handle(pattern string, h handlerFunc) {
	ru, ok := policy[pattern]
	if !ok {
		panic("webmap: no authorization rule for " + pattern)
	}
	if (ru.scope == scopeBody) != (ru.body != nil) {
		panic("webmap: " + pattern + ": a body scope needs its body type, and only it")
	}
	s.mux.Handle(pattern, s.serve(s.guard(ru, h)))
}

// guard enforces a rule: session, CSRF, role, scope, then audit.
func (s *Server) guard(ru rule, next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if ru.public {
			return next(w, r)
		}
		p, err := s.authenticate(r)
		if err == nil {
			err = checkCSRF(r, p)
		}
		if err == nil && !slices.Contains(ru.roles, p.user.Role) {
			err = errForbidden
		}
		if err != nil {
			return err
		}
		// The policy's own checks look past the user's scope (a hotspot in
		// another area is a 403 on a write, not a 404), so they run in the
		// system scope; the handler then runs in the user's, which
		// PostgreSQL enforces again (row-level security, when the store
		// runs as its application role).
		ctx := store.WithAreaVersion(context.WithValue(r.Context(), principalKey, p), p.areaVersion)
		r = r.WithContext(store.WithSystemScope(ctx))
		if r, err = s.checkScope(r, ru, p.user); err != nil {
			return err
		}
		if r, err = s.withUserScope(r, p.user); err != nil {
			return err
		}
		if ru.audit == "" || (ru.auditIf != nil && !ru.auditIf(r)) {
			return next(w, r)
		}
		// The error is answered inside, so the audit sees its status.
		s.audited(w, r, ru.audit, p.user, s.serve(next))
		return nil
	}
}

// inScope reports whether the area code lies inside the user's scope.
func inScope(idx *hotspot.AreaIndex, u *hotspot.User, code string) bool {
	if u.Scope == "" {
		return true
	}
	if code == "" {
		return false
	}
	return slices.Contains(idx.Ancestors(code), u.Scope)
}

// retiredInScope: see Server.retiredInScope (asof.go), for the routes
// whose rule asks for it.
func (ru rule) retiredInScope(s *Server, r *http.Request, u *hotspot.User, code string) (bool, error) {
	if !ru.asOf {
		return false, nil
	}
	return s.retiredInScope(r, u, code)
}

// outOfScope is the answer to a request outside the caller's area: 404 for
// a read, 403 for a write.
func outOfScope(r *http.Request) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return hotspot.ErrNotFound
	}
	return errStatus(http.StatusForbidden, "area", "outside your area")
}

// checkScope applies the rule's scope to the request, returning it with a
// narrowed query when a list was asked for without an area.
func (s *Server) checkScope(r *http.Request, ru rule, u *hotspot.User) (*http.Request, error) {
	if ru.scope == scopeTile {
		// An unknown layer is left to the handler's 404.
		if roles, ok := layerRoles[tiles.Layer(r.PathValue("layer"))]; ok && !slices.Contains(roles, u.Role) {
			return r, errForbidden
		}
		return r, nil
	}
	if ru.scope == scopeBody {
		return s.checkBodyScope(r, ru, u)
	}
	if u.Scope == "" {
		return r, nil
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return r, err
	}
	switch ru.scope {
	case scopeQuery:
		q := r.URL.Query()
		code := q.Get(ru.param)
		if code == "" {
			q.Set(ru.param, u.Scope)
			r2 := r.Clone(r.Context())
			r2.URL.RawQuery = q.Encode()
			return r2, nil
		}
		if !inScope(idx, u, code) {
			if ok, err := ru.retiredInScope(s, r, u, code); !ok || err != nil {
				return r, cmp.Or(err, outOfScope(r))
			}
		}
	case scopePath:
		if code := r.PathValue(ru.param); !inScope(idx, u, code) {
			if ok, err := ru.retiredInScope(s, r, u, code); !ok || err != nil {
				return r, cmp.Or(err, outOfScope(r))
			}
		}
	case scopeHotspot:
		id, err := pathID(r, "id")
		if err != nil {
			return r, err
		}
		h, err := s.store.GetHotspot(r.Context(), id)
		if errors.Is(err, hotspot.ErrNotFound) {
			return r, nil // the handler answers 404
		} else if err != nil {
			return r, err
		}
		if !inScope(idx, u, h.AreaCode) {
			return r, outOfScope(r)
		}
	case scopeCamera:
		id, err := pathID(r, "id")
		if err != nil {
			return r, err
		}
		c, err := s.store.GetCamera(r.Context(), id)
		if errors.Is(err, hotspot.ErrNotFound) {
			return r, nil // the handler answers 404
		} else if err != nil {
			return r, err
		}
		if !inScope(idx, u, c.AreaCode) {
			return r, outOfScope(r)
		}
	}
	return r, nil
}

// bodyPlace is every field of a write's body that places it: its area, the
// status it asks for (cameras), and its points, each named by its field.
type bodyPlace struct {
	area   string
	status string
	points []bodyPoint
}

type bodyPoint struct {
	field    string
	lon, lat *float64
}

// placedBody is a body whose area the guard checks (scopeBody routes): the
// guard decodes it once, checks what place returns, and hands the same
// value to the handler (decodeBody).
type placedBody interface{ place() bodyPlace }

// checkBodyScope decodes the body (already capped by MaxBytesReader) with
// the one strict decoder into the route's body type, checks its area and
// points against the scope, and puts the decoded value on the request for
// the handler. A body that does not decode is refused here, with a 400
// naming the field: nothing the check did not read reaches the handler.
// Planners may only write planned cameras.
func (s *Server) checkBodyScope(r *http.Request, ru rule, u *hotspot.User) (*http.Request, error) {
	b := ru.body()
	if err := decodeJSON(r.Body, b); err != nil {
		return r, err
	}
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
	pl := b.place()
	if u.Role == hotspot.RolePlanner && pl.status != "" && pl.status != "planned" {
		return r, errStatus(http.StatusForbidden, "status", "planners may only add planned cameras")
	}
	if u.Scope == "" {
		return r, nil
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return r, err
	}
	if pl.area != "" && !inScope(idx, u, pl.area) {
		return r, outOfScope(r)
	}
	for _, p := range pl.points {
		if p.lon == nil || p.lat == nil {
			continue // the handler says what is missing
		}
		a, ok := idx.Locate(geo.Point{Lon: *p.lon, Lat: *p.lat})
		if !ok || !inScope(idx, u, a.Code) {
			return r, outOfScope(r)
		}
	}
	return r, nil
}

// scopeIDs returns the area ids the user may see (nil: all): the user's
// area of today, everything below it, and the units that went into them.
func (s *Server) scopeIDs(ctx context.Context, u *hotspot.User) ([]int64, error) {
	if u == nil || u.Scope == "" {
		return nil, nil
	}
	idx, err := s.store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	ids, ok := idx.Descendants(u.Scope)
	if !ok {
		return []int64{}, nil
	}
	// With the units that went into them (issue 13): their old numbers.
	old, err := s.store.PredecessorIDs(ctx, ids)
	return append(ids, old...), err
}

// withUserScope puts the user's database scope on the request: every area
// id at or below the user's area, or everything for a user without one
// (admins).
func (s *Server) withUserScope(r *http.Request, u *hotspot.User) (*http.Request, error) {
	if u.Scope == "" {
		return r, nil // already the system scope
	}
	ids, err := s.scopeIDs(r.Context(), u)
	if err != nil {
		return r, err
	}
	return r.WithContext(store.WithScope(r.Context(), ids)), nil
}
