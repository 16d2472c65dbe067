package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
)

// runIO runs diaban in-process with env as its environment and returns its
// standard output and standard error apart.
func runIO(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var out, errOut bytes.Buffer
	// A database nobody answers on: a command that ran instead of printing
	// its help fails to connect rather than touching a real database.
	env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string {
		if k == "DATABASE_URL" {
			if v := getenv(k); v != "" {
				return v
			}
			return "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
		}
		return getenv(k)
	}}
	err = run(context.Background(), env, args)
	return out.String(), errOut.String(), err
}

// helpCases is every command and subcommand with the synopsis its usage
// begins with. TestHelpCoversEveryCommand keeps it complete.
var helpCases = []struct {
	cmd  []string
	want string
}{
	{[]string{"serve"}, "usage: diaban serve"},
	{[]string{"migrate"}, "usage: diaban migrate"},
	{[]string{"import"}, "usage: diaban import KIND FILE"},
	{[]string{"seed"}, "usage: diaban seed demo"},
	{[]string{"seed", "demo"}, "usage: diaban seed demo"},
	{[]string{"user"}, "usage: diaban user add NAME"},
	{[]string{"user", "add"}, "usage: diaban user add NAME"},
	{[]string{"user", "passwd"}, "usage: diaban user add NAME"},
	{[]string{"user", "disable"}, "usage: diaban user add NAME"},
	{[]string{"user", "list"}, "usage: diaban user add NAME"},
	{[]string{"user", "rescope"}, "usage: diaban user add NAME"},
	{[]string{"import", "crosswalk"}, "usage: diaban import crosswalk FILE"},
	{[]string{"reform"}, "usage: diaban reform check"},
	{[]string{"reform", "check"}, "usage: diaban reform check"},
	{[]string{"metrics"}, "usage: diaban metrics --area CODE"},
	{[]string{"report"}, "usage: diaban report --area CODE"},
	{[]string{"emerging"}, "usage: diaban emerging"},
	{[]string{"cameras"}, "usage: diaban cameras SUBCOMMAND"},
	{[]string{"cameras", "plan"}, "usage: diaban cameras plan"},
	{[]string{"stats"}, "usage: diaban stats SUBCOMMAND"},
	{[]string{"stats", "gistar"}, "usage: diaban stats gistar"},
	{[]string{"stats", "mk"}, "usage: diaban stats mk"},
	{[]string{"version"}, "usage: diaban version"},
}

// TestHelp: every command and subcommand prints its usage on standard
// output and succeeds, asked as COMMAND --help, COMMAND -h, help COMMAND
// and with the help flag after other arguments.
func TestHelp(t *testing.T) {
	for _, tc := range helpCases {
		forms := map[string][]string{
			"--help":         append(slices.Clone(tc.cmd), "--help"),
			"-h":             append(slices.Clone(tc.cmd), "-h"),
			"help COMMAND":   append([]string{"help"}, tc.cmd...),
			"after a flag":   append(slices.Clone(tc.cmd), "--db", "postgres://x@127.0.0.1:1/x", "--help"),
			"after an arg":   append(slices.Clone(tc.cmd), "some-arg", "-help"),
			"help and flags": append(append([]string{"help"}, tc.cmd...), "--bogus"),
		}
		if tc.cmd[0] == "stats" || tc.cmd[0] == "version" || tc.cmd[0] == "cameras" && len(tc.cmd) == 1 {
			delete(forms, "after a flag") // no --db
		}
		for name, args := range forms {
			t.Run(strings.Join(tc.cmd, "_")+"/"+name, func(t *testing.T) {
				out, errOut, err := runIO(t, nil, args...)
				if err != nil {
					t.Fatalf("diaban %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
				}
				if !strings.HasPrefix(out, tc.want) {
					t.Errorf("diaban %s printed\n%s\nwant it to begin with %q", strings.Join(args, " "), out, tc.want)
				}
				if errOut != "" {
					t.Errorf("help wrote to standard error: %s", errOut)
				}
			})
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, _, err := runIO(t, nil, args...)
		if err != nil || !strings.HasPrefix(out, "usage: diaban COMMAND") {
			t.Errorf("diaban %v: %v\n%s", args, err, out)
		}
		for _, v := range envVars {
			if !strings.Contains(out, v.name) {
				t.Errorf("diaban --help does not list %s", v.name)
			}
		}
		for name := range commands() {
			if !strings.Contains(out, "\n  "+name+" ") {
				t.Errorf("diaban --help does not list %s", name)
			}
		}
	}
}

// TestHelpCoversEveryCommand: helpCases names every command of the table.
func TestHelpCoversEveryCommand(t *testing.T) {
	var missing []string
	for name := range commands() {
		if !slices.ContainsFunc(helpCases, func(c struct {
			cmd  []string
			want string
		}) bool {
			return c.cmd[0] == name
		}) {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("helpCases lacks %v", missing)
	}
}

// TestUsageErrors: an unknown command, subcommand or flag, a missing or
// stray argument exits 2 (errUsage) with the usage on standard error.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"help", "frobnicate"},
		{"serve", "--frobnicate"},
		{"serve", "stray"},
		{"migrate", "--frobnicate"},
		{"migrate", "stray"},
		{"import", "incidents"},
		{"import", "incidents", "f.csv", "--frobnicate"},
		{"seed"},
		{"seed", "other"},
		{"seed", "demo", "--frobnicate"},
		{"user"},
		{"user", "add"},
		{"user", "fly", "x"},
		{"user", "list", "--frobnicate"},
		{"user", "add", "a", "b", "--role", "admin"},
		{"metrics", "--frobnicate"},
		{"emerging", "--frobnicate"},
		{"cameras"},
		{"cameras", "fly"},
		{"cameras", "plan", "--frobnicate"},
		{"stats"},
		{"stats", "moran"},
		{"stats", "mk", "--frobnicate"},
		{"version", "--frobnicate"},
		{"version", "stray"},
	} {
		_, errOut, err := runIO(t, nil, args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("diaban %v: %v, want a usage error (exit 2)", args, err)
		}
		if !strings.Contains(errOut, "usage: diaban") {
			t.Errorf("diaban %v: no usage on standard error:\n%s", args, errOut)
		}
	}
}

// TestFlagsAnywhere: flags are read before, between and after the
// positional arguments; "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	env := &environment{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	for _, tc := range []struct {
		args     []string
		skip     bool
		db       string
		wantArgs []string
	}{
		{[]string{"incidents", "f.csv", "--skip-invalid"}, true, defaultDatabaseURL, []string{"incidents", "f.csv"}},
		{[]string{"--skip-invalid", "incidents", "f.csv"}, true, defaultDatabaseURL, []string{"incidents", "f.csv"}},
		{[]string{"incidents", "--db", "u", "f.csv"}, false, "u", []string{"incidents", "f.csv"}},
		{[]string{"incidents", "-", "-skip-invalid"}, true, defaultDatabaseURL, []string{"incidents", "-"}},
		{[]string{"incidents", "--", "--skip-invalid"}, false, defaultDatabaseURL, []string{"incidents", "--skip-invalid"}},
	} {
		fs := newFlagSet(env, "import", "import KIND FILE")
		db := dbFlags{}
		db.register(fs, env)
		skip := fs.Bool("skip-invalid", false, "")
		if err := parseFlags(fs, tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if *skip != tc.skip || db.url != tc.db || !slices.Equal(fs.Args(), tc.wantArgs) {
			t.Errorf("%v: skip %v db %q args %q, want %v %q %q", tc.args, *skip, db.url, fs.Args(), tc.skip, tc.db, tc.wantArgs)
		}
	}
}

// TestEnvironment: every variable of envVars sets its flags in every
// command that has them, a flag on the command line wins, and a bad value
// is a usage error naming the variable.
func TestEnvironment(t *testing.T) {
	values := map[string]string{
		"DATABASE_URL": "postgres://env@127.0.0.1:1/env", "DIABAN_STATEMENT_TIMEOUT": "7s", "DIABAN_ADDR": ":9999",
		"DIABAN_BASEMAP_URL": "https://t.example/{z}/{x}/{y}.png", "DIABAN_BASEMAP_ATTRIBUTION": "©",
		"DIABAN_METRICS_CONFIG": "m.json", "DIABAN_SESSION_TTL": "3h", "DIABAN_TRUST_PROXY": "true",
		"DIABAN_TRUSTED_PROXIES": "10.0.0.0/8", "DIABAN_DB_ROLE": "r", "DIABAN_DB_LOGIN": "l", "DIABAN_LOG_FORMAT": "text",
	}
	env := &environment{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string { return values[k] }}
	for _, v := range envVars {
		for _, name := range v.flags {
			if values[v.name] == "" {
				t.Fatalf("no test value for %s", v.name)
			}
			fs := newFlagSet(env, "x", "x")
			fs.String(name, "", "")
			if err := parseFlags(fs, nil); err != nil {
				t.Fatal(err)
			}
			if got := fs.Lookup(name).Value.String(); got != values[v.name] {
				t.Errorf("%s: --%s = %q, want %q", v.name, name, got, values[v.name])
			}
			fs = newFlagSet(env, "x", "x")
			fs.String(name, "", "")
			if err := parseFlags(fs, []string{"--" + name, "cli"}); err != nil || fs.Lookup(name).Value.String() != "cli" {
				t.Errorf("%s: the command line does not win over it: %v %q", v.name, err, fs.Lookup(name).Value.String())
			}
		}
	}
	bad := &environment{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string {
		if k == "DIABAN_STATEMENT_TIMEOUT" {
			return "soon"
		}
		return ""
	}}
	fs := newFlagSet(bad, "migrate", "migrate")
	db := dbFlags{}
	db.register(fs, bad)
	if err := parseFlags(fs, nil); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "DIABAN_STATEMENT_TIMEOUT") {
		t.Errorf("bad DIABAN_STATEMENT_TIMEOUT: %v", err)
	}
	// Every database command has --db and --statement-timeout: its help lists both with their variables.
	for _, c := range [][]string{{"serve"}, {"migrate"}, {"import"}, {"seed"}, {"user"}, {"metrics"}, {"emerging"}, {"cameras", "plan"}} {
		out, _, err := runIO(t, nil, append(c, "--help")...)
		if err != nil || !strings.Contains(out, "env DATABASE_URL") || !strings.Contains(out, "env DIABAN_STATEMENT_TIMEOUT") {
			t.Errorf("%s --help: %v\n%s", c, err, out)
		}
	}
}
