package webmap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/tiles"
)

// Config is what the HTTP server needs to know.
type Config struct {
	// BasemapURL is a tile URL template ({z}/{x}/{y}); empty draws the map on
	// a plain background, as on a closed police network.
	BasemapURL         string
	BasemapAttribution string
	Version            string
	// MaxBody caps request bodies (default 1 MiB).
	MaxBody int64
	// WriteTimeout bounds API answers; the server derives its own timeouts from it.
	WriteTimeout time.Duration
	Metrics      metrics.Config // targets, weights, trend windows (zero: metrics.DefaultConfig)
	// SessionTTL is how long a login lasts (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// TrustProxy takes the client's address from X-Forwarded-For and TLS
	// from X-Forwarded-Proto: set it only behind a proxy that sets both.
	TrustProxy bool
	// SessionCheck is how often an open websocket checks that its session
	// still stands (logout, disable, expiry end it); 0: DefaultSessionCheck.
	SessionCheck time.Duration
}

// DefaultSessionCheck is how soon an ended session closes its websockets.
const DefaultSessionCheck = 10 * time.Second

// Server is diaban's HTTP server: API, websocket hub and the embedded map.
type Server struct {
	cfg   Config
	store *store.Store
	log   *slog.Logger
	hub   *Hub
	tiles *tiles.Source
	mux   *http.ServeMux
	// limiter counts failed logins (per instance: see loginLimiter).
	limiter *loginLimiter
}

// New builds a server over store. Call Run to start the change feed.
func New(cfg Config, store *store.Store, log *slog.Logger) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	s := &Server{cfg: cfg, store: store, log: log, mux: http.NewServeMux(), limiter: newLoginLimiter()}
	s.hub = newHub(store, log)
	s.tiles = tiles.New(store, 4096)
	s.hub.beforeBroadcast(func(c changed) { s.tiles.Invalidate(c.kind) })
	s.watchMetrics()
	s.routes()
	return s
}

// Hub returns the websocket hub.
func (s *Server) Hub() *Hub { return s.hub }

// Run follows the database's change feed and fans changes out to the
// websocket clients until ctx ends.
func (s *Server) Run(ctx context.Context) error { return s.hub.Run(store.WithSystemScope(ctx)) }

// routes registers every endpoint through s.handle, which puts each behind
// its rule in authz.go's policy table.
func (s *Server) routes() {
	s.handle("GET /healthz", s.handleHealth)
	s.handle("POST /api/login", s.handleLogin)
	s.handle("POST /api/logout", s.handleLogout)
	s.handle("GET /api/me", s.handleMe)
	s.handle("GET /api/audit", s.handleAudit)
	s.handle("GET /api/config", s.handleConfig)
	s.handle("GET /api/areas", s.handleAreas)
	s.handle("GET /api/hotspots", s.handleHotspots)
	s.handle("GET /api/hotspots/{id}", s.handleHotspot)
	s.handle("POST /api/hotspots", s.handleCreateHotspot)
	s.handle("POST /api/hotspots/{id}/events", s.handleAddEvent)
	s.handle("GET /api/incidents", s.handleIncidents)
	s.handle("GET /api/cameras", s.handleCameras)
	s.handle("POST /api/cameras", s.handleCreateCamera)
	s.handle("GET /api/cells", s.handleCells)
	s.handle("GET /api/areas/{code}/metrics", s.handleAreaMetrics)
	s.handle("GET /api/metrics", s.handleMetrics)
	cov := newCoverageAPI(s) // also pushes fresh coverage after camera changes
	s.handle("GET /api/coverage", cov.handleCoverage)
	s.handle("POST /api/plans", cov.handlePlan)
	s.handle("POST /api/plans/evaluate", cov.handleEvaluate)
	s.handle("POST /api/plans/accept", cov.handleAccept)
	em := newEmergingAPI(s) // also recomputes and pushes after incident changes
	s.handle("GET /api/emerging", em.handleEmerging)
	s.handle("GET /api/emerging/cells/{cell}", em.handleEmergingCell)
	s.handle("GET /ws", s.handleWebsocket)
	s.handle("GET /tiles/{layer}/{z}/{x}/{y}", s.handleTile)
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(static)
	s.handle("GET /", func(w http.ResponseWriter, r *http.Request) error {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			return &badRequest{field: "path", msg: "no such API endpoint: " + r.URL.Path, status: http.StatusNotFound}
		}
		files.ServeHTTP(w, r)
		return nil
	})
}

// Handler returns the server's handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.securityHeaders(s.mux))
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	imgSrc := "'self' data:"
	if host := basemapOrigin(s.cfg.BasemapURL); host != "" {
		imgSrc += " " + host
	}
	csp := "default-src 'self'; img-src " + imgSrc + "; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// basemapOrigin returns scheme://host of a tile URL template, or "".
func basemapOrigin(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	rest := u[i+3:]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return u[:i+3] + strings.ReplaceAll(rest, "{s}", "*")
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	return nil
}

func (s *Server) handleConfig(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{
		"basemap_url": s.cfg.BasemapURL, "basemap_attribution": s.cfg.BasemapAttribution, "version": s.cfg.Version,
	})
	return nil
}

// decodeBody reads one JSON object into v, refusing unknown fields and trailing data.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if mbe, ok := err.(*http.MaxBytesError); ok {
			return mbe
		}
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if ute.Field == "" {
				return errBad("body", "must be a JSON object")
			}
			return errBad(ute.Field, "must be "+jsonKind(ute.Type.Kind()))
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if name = strings.Trim(name, `"`); name == "" {
				return errBad("body", `unknown field ""`)
			}
			return errBad(name, "unknown field")
		}
		return errBad("body", "malformed JSON: "+err.Error())
	}
	if dec.More() {
		return errBad("body", "trailing data after the JSON object")
	}
	return nil
}

// jsonKind names what a Go kind looks like in JSON, for error messages.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "an object"
	}
}
