// Command diaban serves the live drug-hotspot map and runs the project's
// offline tools: migrations, imports, the demo data set, metrics, the
// emerging-hot-spot analysis and the camera planner.
//
// main holds flags and wiring only; every computation lives in a package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: it gets the arguments after its name.
type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a subcommand may use of the process: its streams and
// its environment variables. Nothing reads os.* directly, so tests can run
// commands in-process.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// commands is the table of subcommands. One line per command; each lives in
// its own cmd_<name>.go file.
func commands() map[string]command {
	return map[string]command{
		"serve":    {"serve the live map and the API", cmdServe},
		"migrate":  {"create or update the database schema", cmdMigrate},
		"import":   {"import a CSV or GeoJSON file (areas, hotspots, events, incidents, tips, cameras, indicators)", cmdImport},
		"seed":     {"load the demo district and its admin (seed demo)", cmdSeed},
		"user":     {"manage accounts (user add NAME --role ROLE [--area CODE] | passwd NAME | disable NAME | list)", cmdUser},
		"metrics":  {"an area's transformation metrics for a period (metrics --area CODE --period 2025)", cmdMetrics},
		"report":   {"a committee's report of an area for a period (report --area CODE --period 2025-10 --format pdf|xlsx|csv)", cmdReport},
		"emerging": {"emerging hot spots on the H3 grid (emerging --area CODE, or --cube cube.csv)", cmdEmerging},
		"cameras":  {"plan camera placement (cameras plan --area CODE --k K, or --demand ... --candidates ...)", cmdCameras},
		"reform":   {"check areas across a reform (reform check [--province CODE])", cmdReform},
		"stats":    {"offline statistics on CSV files (stats gistar | stats mk)", cmdStats},
		"version":  {"print the version", cmdVersion},
	}
}

// errUsage marks an error caused by bad arguments (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := run(ctx, env, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "diaban:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run dispatches args[0] to its subcommand. Help is success: "diaban
// --help", "diaban help COMMAND [SUBCOMMAND]" and "diaban COMMAND [...]
// --help" print the usage on standard output; a missing or unknown command
// is a usage error (exit 2) after the usage on standard error.
func run(ctx context.Context, env *environment, args []string) error {
	table := commands()
	if len(args) == 0 {
		printUsage(env.stderr, table)
		return fmt.Errorf("%w: no command", errUsage)
	}
	switch args[0] {
	case "-h", "-help", "--help", "--h":
		printUsage(env.stdout, table)
		return nil
	case "help":
		if len(args) == 1 {
			printUsage(env.stdout, table)
			return nil
		}
		args = append(append([]string(nil), args[1:]...), "--help")
	}
	c, ok := table[args[0]]
	if !ok {
		printUsage(env.stderr, table)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	err := c.run(ctx, env, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// isHelp reports whether a subcommand name asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

func printUsage(w io.Writer, table map[string]command) {
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: diaban COMMAND [arguments and flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, table[n].summary)
	}
	fmt.Fprint(w, `
"diaban help COMMAND" or "diaban COMMAND --help" prints a command's usage.
Flags go before or after the arguments (import incidents FILE --skip-invalid).
Every command that reads the database (all but stats and version) takes
--db URL and --statement-timeout D.

environment (a flag on the command line wins):
`)
	for _, v := range envVars {
		fmt.Fprintf(w, "  %-27s %s\n", v.name, v.help)
	}
}
