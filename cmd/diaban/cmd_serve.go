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
	logFormat := fs.String("log-format", env.getenv("DIABAN_LOG_FORMAT"), "text or json (default: text on a terminal, else json)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(env, *logFormat)
	mcfg, err := metrics.LoadConfig(*metricsConfig)
	if err != nil {
		return fmt.Errorf("--metrics-config: %w", err)
	}
	store, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()

	srv := webmap.New(webmap.Config{BasemapURL: *basemap, BasemapAttribution: *attribution, Version: version, Metrics: mcfg}, store, log)
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
