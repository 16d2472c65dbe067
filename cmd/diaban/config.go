package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
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
	fs.StringVar(&d.url, "db", def, "PostgreSQL `URL` (env DATABASE_URL)")
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

// envVars is every environment variable diaban reads, with the flags whose
// default it sets: one table, listed by "diaban --help". A flag given on the
// command line wins over its variable; a variable's value is checked as the
// flag's would be (a bad one is a usage error naming the variable).
var envVars = []struct {
	name  string
	flags []string // the flags it sets, in every command that has them; none: read directly
	help  string
}{
	{"DATABASE_URL", []string{"db"}, "PostgreSQL URL of every database command (default " + defaultDatabaseURL + ")"},
	{"DIABAN_STATEMENT_TIMEOUT", []string{"statement-timeout"}, "longest a single SQL statement may run (default 30s; migrate, import, seed: no limit)"},
	{"DIABAN_ADDR", []string{"addr"}, "serve: listen address (default :8080)"},
	{"DIABAN_BASEMAP_URL", []string{"basemap"}, "serve: basemap tile URL template (default none: a plain background)"},
	{"DIABAN_BASEMAP_ATTRIBUTION", []string{"basemap-attribution"}, "serve: basemap attribution text"},
	{"DIABAN_METRICS_CONFIG", []string{"metrics-config", "config"}, "serve, metrics: metrics configuration JSON overriding the defaults"},
	{"DIABAN_SESSION_TTL", []string{"session-ttl"}, "serve: how long a login lasts (default 12h)"},
	{"DIABAN_TRUST_PROXY", []string{"trust-proxy"}, "serve: true to believe X-Forwarded-For/-Proto from the proxy in front"},
	{"DIABAN_TRUSTED_PROXIES", []string{"trusted-proxies"}, "serve: networks of the proxies in front (CIDR, comma-separated)"},
	{"DIABAN_DB_ROLE", []string{"db-role"}, "serve: database role to act as, under row-level security (default diaban_app)"},
	{"DIABAN_DB_LOGIN", []string{"db-login"}, "serve: database role to log in as (default diaban_server)"},
	{"DIABAN_DB_LOGIN_PASSWORD", nil, "serve: the password of --db-login (unset: serve sets one through the owner's --db)"},
	{"DIABAN_LOG_FORMAT", []string{"log-format"}, "serve: log format, text or json (default text on a terminal)"},
}

// envOfFlag returns the variable that sets flag name, or "".
func envOfFlag(name string) string {
	for _, v := range envVars {
		for _, f := range v.flags {
			if f == name {
				return v.name
			}
		}
	}
	return ""
}

// flagEnvs remembers the environment of each flag set newFlagSet made, for
// parseFlags: help goes to the command's standard output and the
// variables of envVars set the flags' defaults.
var flagEnvs sync.Map // *flag.FlagSet → *environment

// newFlagSet returns a flag set that reports to env.stderr and returns
// errors. usage is the command line after "diaban ", its first line the
// synopsis; the flags (each with its environment variable) follow it.
func newFlagSet(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: diaban %s\n", usage)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			if e := envOfFlag(f.Name); e != "" && !strings.Contains(f.Usage, e) {
				f.Usage += " (env " + e + ")"
			}
		})
		if n > 0 {
			fmt.Fprintln(w, "\nflags (before or after the arguments):")
			fs.PrintDefaults()
		}
		fmt.Fprintln(w, "\nRun 'diaban --help' for every command and environment variable.")
	}
	flagEnvs.Store(fs, env)
	return fs
}

// helpRequested reports whether args ask for help (-h, -help, --help)
// before a "--".
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// parseFlags parses args as the go command does, but with flags accepted
// before, between and after the positional arguments (a "--" ends the
// flags); fs.Args() are then the positional arguments in order. Help (-h,
// --help) prints the usage on standard output and returns flag.ErrHelp,
// which run turns into success; a bad flag is a usage error (exit 2) after
// the usage on standard error. For a flag set made by newFlagSet the
// environment variables of envVars set their flags first.
func parseFlags(fs *flag.FlagSet, args []string) error {
	e, _ := flagEnvs.LoadAndDelete(fs)
	env, _ := e.(*environment)
	if helpRequested(args) {
		if env != nil {
			fs.SetOutput(env.stdout)
			defer fs.SetOutput(env.stderr)
		}
		fs.Usage()
		return flag.ErrHelp
	}
	if env != nil {
		for _, v := range envVars {
			val := env.getenv(v.name)
			if val == "" {
				continue
			}
			for _, name := range v.flags {
				if fs.Lookup(name) == nil {
					continue
				}
				if err := fs.Set(name, val); err != nil {
					fs.Usage()
					return fmt.Errorf("%w: %s=%q: %v", errUsage, v.name, val, err)
				}
			}
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...) // after "--" everything is an argument
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	// Leave the positional arguments in fs.Args().
	return fs.Parse(append([]string{"--"}, pos...))
}

// noArgs refuses positional arguments for a command that takes none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
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
