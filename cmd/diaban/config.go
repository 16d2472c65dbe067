package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/diaban/diaban/hotspot/store"
)

// defaultDatabaseURL is where diaban looks when neither --db nor DATABASE_URL is set.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/diaban?sslmode=disable"

// dbFlags are the database settings every database command shares.
type dbFlags struct {
	url              string
	statementTimeout time.Duration
	role             string // the role to SET ROLE to (serve only); "" stays the login user
	// login, loginPassword: the role serve logs in as instead of the URL's
	// user (store.StoreConfig.Login); provision lets an owner's URL set its password.
	login, loginPassword string
	provision            bool
	// batch marks a command that may rightly run long statements (migrate,
	// import, seed: a million-row COPY, an index built over a big table):
	// its statements have no time limit unless --statement-timeout sets one.
	batch bool
}

// register adds --db and --statement-timeout, with DATABASE_URL as fallback.
func (d *dbFlags) register(fs *flag.FlagSet, env *environment) {
	def := env.getenv("DATABASE_URL")
	if def == "" {
		def = defaultDatabaseURL
	}
	fs.StringVar(&d.url, "db", def, "PostgreSQL URL (env DATABASE_URL)")
	timeout := 30 * time.Second
	if d.batch {
		timeout = 0
	}
	fs.DurationVar(&d.statementTimeout, "statement-timeout", timeout, "longest a single SQL statement may run (0: no limit)")
}

func (d *dbFlags) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.StoreConfig{URL: d.url, StatementTimeout: d.statementTimeout, ApplicationName: "diaban", AppRole: d.role,
		Login: d.login, LoginPassword: d.loginPassword, ProvisionLogin: d.provision})
}

// newFlagSet returns a flag set that reports to env.stderr and returns errors.
func newFlagSet(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: diaban %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and wraps failures as usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// newLogger logs text to a terminal and JSON otherwise (for log collectors).
func newLogger(env *environment, format string) *slog.Logger {
	if format == "" {
		format = "json"
		if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(env.stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(env.stderr, nil))
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
