package webmap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"reflect"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"

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
	// Basemap is an offline base map (a PMTiles archive, OpenBasemap)
	// served at BasemapPath; it wins over BasemapURL.
	Basemap *Basemap
	Version string
	// MaxBody caps request bodies (default 1 MiB).
	MaxBody int64
	// WriteTimeout bounds API answers; the server derives its own timeouts from it.
	WriteTimeout time.Duration
	Metrics      metrics.Config // targets, weights, trend windows (zero: metrics.DefaultConfig)
	// SessionTTL is how long a login lasts (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto from the
	// connection's peer: set it only when every request comes through one
	// proxy that appends the client's address and sets the protocol. The
	// client is the hop the proxy appended (the rightmost), never the
	// leftmost, which the client writes.
	TrustProxy bool
	// TrustedProxies, when set, are the networks of the proxies: their
	// headers are believed only from a peer inside one, and hops inside one
	// are skipped from the right (a chain of proxies).
	TrustedProxies []netip.Prefix
	// LoginHashes bounds the password hashes (64 MiB of argon2id each) run
	// at once; a login beyond it is answered 503 at once. 0: DefaultLoginHashes.
	LoginHashes int
	// Analyses bounds the heavy analyses (plans, emerging hot spots) run at
	// once, in total and per user; beyond it a request is answered 429/503
	// at once. 0: DefaultAnalyses, DefaultAnalysesPerUser.
	Analyses, AnalysesPerUser int
	// SessionCheck is how often an open websocket checks that its session
	// still stands (logout, disable, expiry end it); 0: DefaultSessionCheck.
	SessionCheck time.Duration
	// Live tunes the live feed: retention, caps on websockets, replay memory.
	Live LiveConfig
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
	// hashSlots is the semaphore of password hashes; hashes counts them.
	hashSlots chan struct{}
	hashes    atomic.Int64
	// analyses bounds the heavy analyses in total and per user.
	analyses *analysisGate
	// sessions shares identical session lookups in flight (auth_sessions.go).
	sessions sessionLookups
}

// New builds a server over store. Call Run to start the change feed.
func New(cfg Config, store *store.Store, log *slog.Logger) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	s := &Server{cfg: cfg, store: store, log: log, mux: http.NewServeMux(), limiter: newLoginLimiter()}
	if cfg.LoginHashes <= 0 {
		cfg.LoginHashes = DefaultLoginHashes
	}
	s.hashSlots = make(chan struct{}, cfg.LoginHashes)
	s.analyses = newAnalysisGate(cfg.Analyses, cfg.AnalysesPerUser)
	s.hub = newHub(store, log, cfg.live())
	s.tiles = tiles.New(store, 4096)
	s.hub.beforeBroadcast(s.forgetTiles)
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
	s.handle("GET /readyz", s.handleReady)
	s.handle("GET /metrics", s.handlePrometheus)
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
	s.handle("PATCH /api/hotspots/{id}", s.handleEditHotspot)
	s.handle("GET /api/incidents", s.handleIncidents)
	s.handle("GET /api/cameras", s.handleCameras)
	s.handle("POST /api/cameras", s.handleCreateCamera)
	s.handle("PATCH /api/cameras/{id}", s.handleCameraStatus)
	s.handle("GET /api/cells", s.handleCells)
	s.handle("GET /api/areas/{code}/metrics", s.handleAreaMetrics)
	s.handle("GET /api/metrics", s.handleMetrics)
	s.handle("GET /api/reports", s.handleReport)
	s.handle("GET /api/reports/scheduled", s.handleScheduledReports)
	s.handle("GET /api/reports/scheduled/file", s.handleScheduledReportFile)
	s.handle("GET /api/areas/{code}/trend", s.handleAreaTrend)
	em := newEmergingAPI(s)      // also recomputes and pushes after incident changes
	cov := newCoverageAPI(s, em) // also pushes fresh coverage after camera changes
	s.handle("GET /api/coverage", s.analysis(cov.handleCoverage))
	s.handle("POST /api/plans", s.analysis(cov.handlePlan))
	s.handle("POST /api/plans/evaluate", cov.handleEvaluate)
	s.handle("POST /api/plans/accept", cov.handleAccept)
	s.handle("GET /api/emerging", s.analysis(em.handleEmerging))
	s.handle("GET /api/emerging/cells/{cell}", s.analysis(em.handleEmergingCell))
	s.handle("GET /ws", s.handleWebsocket)
	s.handle("GET /tiles/{layer}/{z}/{x}/{y}", s.handleTile)
	s.handle("GET "+BasemapPath, s.handleBasemap)
	s.handle("GET /", func(w http.ResponseWriter, r *http.Request) error {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			return &badRequest{field: "path", msg: "no such API endpoint: " + r.URL.Path, status: http.StatusNotFound}
		}
		if s.toLoginFirst(w, r) {
			return nil
		}
		serveStatic(w, r) // static.go: compressed, revalidated by ETag
		return nil
	})
}

// Handler returns the server's handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.securityHeaders(compressAPI(s.mux)))
}

// compressAPI gzips the JSON API's answers for a client that accepts it
// (klauspost/compress's gzhttp: answers under 1 kB, and types already
// compressed such as XLSX, are sent as they are): the hotspot list with
// its events, 1.9 MB on a province, is what a ward's slow link waits for
// after the first paint. The other paths pass untouched: the websocket
// (hijacked), the vector tiles (served from the tile cache at the cost of
// a copy), the base map's range requests and the static files (gzipped
// once per process, static.go).
func compressAPI(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		panic(err) // only for options out of range: a programming error
	}
	gz := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			gz.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	imgSrc := "'self' data:"
	if host := basemapOrigin(s.cfg.BasemapURL); host != "" {
		imgSrc += " " + host
	}
	csp := "default-src 'self'; img-src " + imgSrc + "; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
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
	cfg := map[string]string{
		"basemap_url": s.cfg.BasemapURL, "basemap_attribution": s.cfg.BasemapAttribution, "version": s.cfg.Version,
	}
	if s.cfg.Basemap != nil {
		cfg["basemap_url"] = ""
		cfg["basemap_pmtiles"] = BasemapPath
	}
	writeJSON(w, http.StatusOK, cfg)
	return nil
}

// decodeBody is the one decoder of request bodies. It reads exactly one
// JSON object into v and refuses, with a 400 naming the field or "body":
// anything but an object (null, a list, a number), a field v does not have,
// a value of the wrong type, and anything after the object but white space
// (a second object, a stray "}"). When the guard has already decoded the
// body (a route whose area comes from it, scopeBody in authz.go), v gets
// that same value: the scope check and the handler read one parse.
func decodeBody(r *http.Request, v any) error {
	if d := r.Context().Value(bodyKey{}); d != nil {
		dv, vv := reflect.ValueOf(d), reflect.ValueOf(v)
		if dv.Type() != vv.Type() {
			return fmt.Errorf("webmap: body decoded as %T, the handler reads %T", d, v)
		}
		vv.Elem().Set(dv.Elem())
		return nil
	}
	return decodeJSON(r.Body, v)
}

// msgEmptyBody refuses a body of nothing at all.
const msgEmptyBody = "is empty: want a JSON object"

// bodyKey carries the body the guard decoded to the handler.
type bodyKey struct{}

// decodeJSON reads one strict JSON object from body into v (see decodeBody).
func decodeJSON(body io.Reader, v any) error {
	if body == nil {
		return errBad("body", "must be a JSON object")
	}
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return errBad("body", "unreadable: "+err.Error())
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 {
		return errBad("body", msgEmptyBody)
	} else if t[0] != '{' {
		return errBad("body", "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
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
	// dec.More() would not do: it reports false before a stray '}' or ']'.
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return errBad("body", fmt.Sprintf("trailing data after the JSON object at byte %d: %q", len(data)-len(rest), truncate(string(rest), 20)))
	}
	return nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
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
