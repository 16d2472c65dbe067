package webmap

import (
	"context"
	"net/http"
	"time"

	"github.com/diaban/diaban/hotspot"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// liveStats are the live feed's Prometheus metrics (GET /metrics), in a
// registry of the server's own.
type liveStats struct {
	reg            *prometheus.Registry
	changes        prometheus.Counter
	lag            prometheus.Histogram
	feedLag        prometheus.Gauge
	clients        *prometheus.GaugeVec
	sent           prometheus.Counter
	dropped        *prometheus.CounterVec
	resyncs        *prometheus.CounterVec
	replaySize     prometheus.Histogram
	enrichFailures prometheus.Counter
	coalesced      prometheus.Counter
	backfilled     prometheus.Counter
	pruned         prometheus.Counter
	refused        *prometheus.CounterVec
	areaIndex      *prometheus.CounterVec
	recomputes     *prometheus.CounterVec
}

func newLiveStats() *liveStats {
	s := &liveStats{
		reg: prometheus.NewRegistry(),
		changes: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_feed_changes_total",
			Help: "Changes published by the hub (rate() gives changes/s)."}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "diaban_feed_commit_to_fanout_seconds",
			Help: "From a change's commit to its fan-out.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}),
		feedLag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "diaban_feed_lag_seconds",
			Help: "Age of the oldest committed change the hub has not published yet (0 when caught up), as of the last /readyz or scrape."}),
		clients: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "diaban_ws_clients",
			Help: "Open websockets by role."}, []string{"role"}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_ws_messages_sent_total",
			Help: "Live messages written to websockets (replays counted in diaban_ws_replay_messages)."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "diaban_ws_messages_dropped_total",
			Help: "Messages queued for a client that was dropped, by reason."}, []string{"reason"}),
		resyncs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "diaban_ws_resyncs_total",
			Help: "Resyncs sent, by reason."}, []string{"reason"}),
		replaySize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "diaban_ws_replay_messages",
			Help: "Messages sent by one replay.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)}),
		enrichFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_feed_enrichment_failures_total",
			Help: "Enrichments of a change that failed (each retried, then resynced)."}),
		coalesced: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_feed_coalesced_total",
			Help: "Changes told by a bulk summary instead of one message each."}),
		backfilled: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_ws_replay_backfilled_total",
			Help: "Changes older than the replay ring read back into it for replays (after a restart)."}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{Name: "diaban_feed_pruned_total",
			Help: "Changes pruned by the retention."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "diaban_ws_refused_total",
			Help: "Websocket upgrades refused, by cap."}, []string{"cap"}),
		recomputes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "diaban_live_recomputes_total",
			Help: "Derived recomputations run after changes (coalesced per key), by view."}, []string{"view"}),
		areaIndex: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "diaban_feed_area_index_total",
			Help: "Batches of the feed placed with the area index the hub kept (kept: no query) or after asking the store (asked: the areas changed, or the batch was read without its version)."}, []string{"how"}),
	}
	s.reg.MustRegister(s.changes, s.lag, s.feedLag, s.clients, s.sent, s.dropped, s.resyncs, s.replaySize,
		s.enrichFailures, s.coalesced, s.backfilled, s.pruned, s.refused, s.areaIndex, s.recomputes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner, hotspot.RoleViewer} {
		s.clients.WithLabelValues(string(r))
	}
	return s
}

// registerFeed adds the gauges read from the hub at scrape time.
func (h *Hub) registerFeed() {
	h.stats.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "diaban_feed_last_seq", Help: "The newest change published."},
			func() float64 { return float64(h.LastSeq()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "diaban_feed_listener_quiet_seconds",
			Help: "Since the listener's connection last answered."},
			func() float64 {
				if f := h.feed.Load(); f != nil {
					return time.Since(f.Status().Contact).Seconds()
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "diaban_live_recomputes_waiting",
			Help: "Derived recomputations due and waiting for a worker (at most one per view and key)."},
			func() float64 { w, _ := h.recomputes.pending(); return float64(w) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "diaban_live_recomputes_running",
			Help: "Derived recomputations running."},
			func() float64 { _, r := h.recomputes.pending(); return float64(r) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "diaban_feed_reconnects_total", Help: "Listener connections lost."},
			func() float64 {
				if f := h.feed.Load(); f != nil {
					return float64(f.Status().Reconnects)
				}
				return 0
			}),
	)
}

// readiness says whether the live feed works: the database answers, the
// listener is connected and answered lately, and no committed change has
// waited longer than MaxLag.
type readiness struct {
	Status   string  `json:"status"`
	Database string  `json:"database"`
	Listener string  `json:"listener"`
	Lag      float64 `json:"lag_seconds"`
	LastSeq  int64   `json:"last_seq"`
}

func (h *Hub) readiness(ctx context.Context) (readiness, bool) {
	r := readiness{Status: "ok", Database: "ok", Listener: "ok", LastSeq: h.LastSeq()}
	ok := true
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		r.Database, ok = "unreachable: "+err.Error(), false
	}
	f := h.feed.Load()
	cfg := h.cfg
	every, timeout := cfg.PingEvery, cfg.PingTimeout
	if every <= 0 {
		every = time.Second
	}
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if f == nil {
		r.Listener, ok = "not started", false
	} else {
		switch st := f.Status(); {
		case !st.Connected:
			r.Listener, ok = "disconnected: "+st.LastError, false
		case !st.Handling && time.Since(st.Contact) > every+timeout+500*time.Millisecond:
			r.Listener, ok = "not answering for "+time.Since(st.Contact).Round(100*time.Millisecond).String(), false
		}
	}
	if r.Database == "ok" {
		if at, err := h.store.OldestUnhandled(ctx, r.LastSeq); err == nil && !at.IsZero() {
			r.Lag = max(0, time.Since(at).Seconds())
		}
		h.stats.feedLag.Set(r.Lag)
		if r.Lag > cfg.MaxLag.Seconds() {
			ok = false
		}
	}
	if !ok {
		r.Status = "unavailable"
	}
	return r, ok
}

// handleReady serves GET /readyz: 200 when the live feed works, else 503
// saying what is wrong.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	rd, ok := s.hub.readiness(r.Context())
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
		s.log.Warn("not ready", "database", rd.Database, "listener", rd.Listener, "lag_seconds", rd.Lag)
	}
	writeJSON(w, status, rd)
	return nil
}

// handlePrometheus serves GET /metrics (Prometheus text format).
func (s *Server) handlePrometheus(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.hub.stats.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

// Shutdown closes every websocket with 1001 (going away) and a reconnect
// hint, and refuses new ones (503), before the HTTP server shuts down.
func (s *Server) Shutdown(ctx context.Context) { s.hub.Shutdown(ctx) }

// live is the hub's configuration from the server's.
func (c Config) live() LiveConfig {
	l := c.Live
	if l.SessionCheck <= 0 {
		l.SessionCheck = c.SessionCheck
	}
	return l
}
