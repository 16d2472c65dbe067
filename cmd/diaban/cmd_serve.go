package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/webmap"
)

func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--addr HOST:PORT] [--db URL] [--basemap FILE|URL]")
	var db dbFlags
	db.register(fs, env)
	addr := fs.String("addr", envOr(env, "DIABAN_ADDR", ":8080"), "listen address (env DIABAN_ADDR)")
	basemap := fs.String("basemap", env.getenv("DIABAN_BASEMAP_URL"), "offline base map: a PMTiles archive FILE (such as hoian.pmtiles, made with `pmtiles extract`; README) served from this server, or a tile URL template such as https://tile.example/{z}/{x}/{y}.png (env DIABAN_BASEMAP_URL); empty: plain background")
	attribution := fs.String("basemap-attribution", env.getenv("DIABAN_BASEMAP_ATTRIBUTION"), "basemap attribution text (env DIABAN_BASEMAP_ATTRIBUTION)")
	metricsConfig := fs.String("metrics-config", env.getenv("DIABAN_METRICS_CONFIG"), "metrics configuration JSON overriding the defaults (env DIABAN_METRICS_CONFIG)")
	sessionTTL := fs.Duration("session-ttl", webmap.DefaultSessionTTL, "how long a login lasts (env DIABAN_SESSION_TTL)")
	trustProxy := fs.Bool("trust-proxy", env.getenv("DIABAN_TRUST_PROXY") == "true", "believe X-Forwarded-For and X-Forwarded-Proto from the proxy in front: the client is the hop the proxy appended (the rightmost), never the leftmost the client writes; set it only when every request comes through that proxy (env DIABAN_TRUST_PROXY=true; see --trusted-proxies for a chain)")
	fs.StringVar(&db.role, "db-role", envOr(env, "DIABAN_DB_ROLE", "diaban_app"), "database role to act as, subject to row-level security by area (env DIABAN_DB_ROLE; empty: the login user, without area scope in the database)")
	fs.StringVar(&db.login, "db-login", envOr(env, "DIABAN_DB_LOGIN", "diaban_server"), "database role serve logs in as, which owns nothing and can only become --db-role (env DIABAN_DB_LOGIN; its password from env DIABAN_DB_LOGIN_PASSWORD). When --db is the owner's URL (the demo), serve sets a fresh password on it through that URL first; a deployment gives --db the login's own URL (README, Security). Empty: the --db user, refused if it can reach past row-level security")
	trustedProxies := fs.String("trusted-proxies", env.getenv("DIABAN_TRUSTED_PROXIES"), "comma-separated networks of the proxies in front (CIDR, e.g. 10.0.0.0/8); their X-Forwarded-For hops are skipped from the right and the first other hop is the client (env DIABAN_TRUSTED_PROXIES)")
	logFormat := fs.String("log-format", env.getenv("DIABAN_LOG_FORMAT"), "text or json (default: text on a terminal, else json)")
	feedRetention := fs.Duration("feed-retention", webmap.DefaultFeedRetention, "how long committed changes are kept for websocket replays; older ones are pruned in batches, and a client asking from before them is told to resync (negative: never pruned)")
	dbPool := fs.Int("db-pool", 0, "database connections in the pool (0: pgxpool's default, the larger of 4 and the CPUs); the change feed's listener has a connection of its own, the live recomputations a pool of their own (--recompute-pool)")
	wsMax := fs.Int("ws-max", 20000, "open websockets in total; beyond it an upgrade gets 429")
	wsPerUser := fs.Int("ws-max-per-user", 20, "open websockets per user; beyond it an upgrade gets 429")
	reportAt := fs.String("report-at", envOr(env, "DIABAN_REPORT_AT", inputs.DefaultSchedule.String()), "when the previous month's report of every unit is made and stored: day of the month (1–28) and time, Asia/Ho_Chi_Minh, such as \"14 07:00\"; \"off\": never (env DIABAN_REPORT_AT)")
	recomputePool := fs.Int("recompute-pool", webmap.DefaultRecomputePool, "database connections of the live feed's derived recomputations (an area's metrics, coverage and emerging hot spots after a change), in a pool of their own so they never hold the connections of the API and the feed (0: they share --db-pool)")
	recomputes := fs.Int("recomputes", webmap.DefaultRecomputes, "how many of those recomputations run at once; the areas due wait in one queue, each once, their changes coalesced")
	debugAddr := fs.String("debug-addr", "", "serve Go's profiler (net/http/pprof: /debug/pprof/) on this address, such as 127.0.0.1:6060, apart from the service's own; keep it on loopback (empty: off)")
	wsWriteGap := fs.Duration("ws-write-gap", webmap.DefaultWriteGap, "least time between two writes to one websocket: what arrives meanwhile goes in the next write (fewer writes for busy maps, at most this much later; negative: every message at once)")
	if v := env.getenv("DIABAN_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%w: DIABAN_SESSION_TTL %q is not a positive duration", errUsage, v)
		}
		*sessionTTL = d
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *sessionTTL <= 0 {
		return fmt.Errorf("%w: --session-ttl must be positive", errUsage)
	}
	db.loginPassword, db.provision = env.getenv("DIABAN_DB_LOGIN_PASSWORD"), env.getenv("DIABAN_DB_LOGIN_PASSWORD") == ""
	var proxies []netip.Prefix
	for _, p := range strings.Split(*trustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			if a, err2 := netip.ParseAddr(p); err2 == nil {
				pfx, err = netip.PrefixFrom(a, a.BitLen()), nil
			}
		}
		if err != nil {
			return fmt.Errorf("%w: --trusted-proxies: %q is not a network (CIDR) or an address", errUsage, p)
		}
		proxies = append(proxies, pfx.Masked())
	}
	var schedule *inputs.Schedule
	if *reportAt != "off" {
		sc, err := inputs.ParseSchedule(*reportAt)
		if err != nil {
			return fmt.Errorf("%w: --report-at: %v", errUsage, err)
		}
		schedule = &sc
	}
	log := newLogger(env, *logFormat)
	mcfg, err := metrics.LoadConfig(*metricsConfig)
	if err != nil {
		return fmt.Errorf("--metrics-config: %w", err)
	}
	if *dbPool > 0 { // pgxpool reads pool_max_conns from the URL
		if strings.Contains(db.url, "://") {
			sep := "?"
			if strings.Contains(db.url, "?") {
				sep = "&"
			}
			db.url += fmt.Sprintf("%spool_max_conns=%d", sep, *dbPool)
		} else {
			db.url += fmt.Sprintf(" pool_max_conns=%d", *dbPool)
		}
	}
	if *recomputePool < 0 || *recomputes < 1 {
		return fmt.Errorf("%w: --recompute-pool must be 0 or more and --recomputes 1 or more", errUsage)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var recomputeStore = st
	if *recomputePool > 0 {
		if recomputeStore, err = st.Sibling(ctx, int32(*recomputePool), "diaban recompute"); err != nil {
			return fmt.Errorf("--recompute-pool: %w", err)
		}
		defer recomputeStore.Close()
	}

	// A value without "://" is a file: the PMTiles archive this server serves.
	var archive *webmap.Basemap
	basemapURL := *basemap
	if basemapURL != "" && !strings.Contains(basemapURL, "://") {
		if archive, err = webmap.OpenBasemap(basemapURL); err != nil {
			return fmt.Errorf("%w: --basemap: %v", errUsage, err)
		}
		basemapURL = ""
	}
	srv := webmap.New(webmap.Config{BasemapURL: basemapURL, Basemap: archive, BasemapAttribution: *attribution, Version: version, Metrics: mcfg,
		SessionTTL: *sessionTTL, TrustProxy: *trustProxy, TrustedProxies: proxies,
		Live: webmap.LiveConfig{Retention: *feedRetention, MaxClients: *wsMax, MaxPerUser: *wsPerUser, WriteGap: *wsWriteGap,
			Recompute: recomputeStore, Recomputes: *recomputes}}, st, log)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// HTTP timeouts follow the database's: an answer may take as long as its statement plus margin.
	writeTimeout := db.statementTimeout + 10*time.Second
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
	}
	if *debugAddr != "" {
		dln, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
		defer dln.Close()
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { _ = http.Serve(dln, mux) }()
		log.Info("profiler serving", "addr", dln.Addr().String())
	}
	runCtx, stopFeed := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("change feed stopped", "err", err)
		}
	}()
	if schedule != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			(&inputs.Reporter{Store: st, Config: mcfg, Log: log}).Run(runCtx, *schedule)
		}()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	log.Info("diaban serving", "addr", ln.Addr().String(), "version", version)
	fmt.Fprintf(env.stdout, "diaban: bản đồ tại / map at http://%s\n", displayAddr(ln.Addr()))

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		// Websockets first: close 1001 with a reconnect hint (they are
		// hijacked, so the HTTP server's Shutdown does not see them).
		srv.Shutdown(shutdownCtx)
		err = httpServer.Shutdown(shutdownCtx)
		cancel()
	}
	stopFeed()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func envOr(env *environment, key, def string) string {
	if v := env.getenv(key); v != "" {
		return v
	}
	return def
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && (tcp.IP == nil || tcp.IP.IsUnspecified()) {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}
