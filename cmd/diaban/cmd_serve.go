package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/webmap"
)

func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--addr HOST:PORT] [--db URL] [--basemap URL]")
	var db dbFlags
	db.register(fs, env)
	addr := fs.String("addr", envOr(env, "DIABAN_ADDR", ":8080"), "listen address (env DIABAN_ADDR)")
	basemap := fs.String("basemap", env.getenv("DIABAN_BASEMAP_URL"), "basemap tile URL template such as https://tile.example/{z}/{x}/{y}.png (env DIABAN_BASEMAP_URL); empty: plain background")
	attribution := fs.String("basemap-attribution", env.getenv("DIABAN_BASEMAP_ATTRIBUTION"), "basemap attribution text (env DIABAN_BASEMAP_ATTRIBUTION)")
	metricsConfig := fs.String("metrics-config", env.getenv("DIABAN_METRICS_CONFIG"), "metrics configuration JSON overriding the defaults (env DIABAN_METRICS_CONFIG)")
	sessionTTL := fs.Duration("session-ttl", webmap.DefaultSessionTTL, "how long a login lasts (env DIABAN_SESSION_TTL)")
	trustProxy := fs.Bool("trust-proxy", env.getenv("DIABAN_TRUST_PROXY") == "true", "take the client address from X-Forwarded-For and TLS from X-Forwarded-Proto (only behind a proxy that sets them; env DIABAN_TRUST_PROXY=true)")
	fs.StringVar(&db.role, "db-role", envOr(env, "DIABAN_DB_ROLE", "diaban_app"), "database role to act as, subject to row-level security by area (env DIABAN_DB_ROLE; empty: the login user, without area scope in the database)")
	logFormat := fs.String("log-format", env.getenv("DIABAN_LOG_FORMAT"), "text or json (default: text on a terminal, else json)")
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
	if *sessionTTL <= 0 {
		return fmt.Errorf("%w: --session-ttl must be positive", errUsage)
	}
	log := newLogger(env, *logFormat)
	mcfg, err := metrics.LoadConfig(*metricsConfig)
	if err != nil {
		return fmt.Errorf("--metrics-config: %w", err)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	srv := webmap.New(webmap.Config{BasemapURL: *basemap, BasemapAttribution: *attribution, Version: version, Metrics: mcfg,
		SessionTTL: *sessionTTL, TrustProxy: *trustProxy}, st, log)
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
	runCtx, stopFeed := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("change feed stopped", "err", err)
		}
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	log.Info("diaban serving", "addr", ln.Addr().String(), "version", version)
	fmt.Fprintf(env.stdout, "diaban: bản đồ tại / map at http://%s\n", displayAddr(ln.Addr()))

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
