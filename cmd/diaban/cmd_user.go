package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

const userUsage = `user add NAME --role admin|officer|planner|viewer [--area CODE]
       diaban user passwd NAME
       diaban user disable NAME
       diaban user list
       diaban user rescope NAME --area CODE   (a user whose area a reform retired)
The password is one line read from standard input (asked twice on a terminal), never a flag.`

// cmdUser manages accounts: add, passwd, disable, list.
func cmdUser(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "user", userUsage)
	var db dbFlags
	db.register(fs, env)
	role := fs.String("role", "", "the role of a new user: admin, officer, planner or viewer")
	area := fs.String("area", "", "the code of the area a new user covers (with everything below it); optional for an admin")
	if len(args) > 0 && isHelp(args[0]) {
		args = []string{"--help"}
	}
	if err := parseFlags(fs, args); err != nil { // flags anywhere: user add NAME --role R, user --role R add NAME
		return err
	}
	pos := fs.Args()
	if len(pos) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: user needs a subcommand", errUsage)
	}
	sub, pos := pos[0], pos[1:]
	var name string
	switch sub {
	case "list":
	case "add", "passwd", "disable", "rescope":
		if len(pos) == 0 {
			fs.Usage()
			return fmt.Errorf("%w: user %s needs a NAME", errUsage, sub)
		}
		name, pos = pos[0], pos[1:]
	default:
		fs.Usage()
		return fmt.Errorf("%w: unknown user subcommand %q", errUsage, sub)
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected %q", errUsage, pos[0])
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		if !hotspot.Role(*role).Valid() {
			return fmt.Errorf("%w: --role must be admin, officer, planner or viewer", errUsage)
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		u, err := st.CreateUser(cliAudit(ctx, "user.add", name), store.NewUser{Name: name, Role: hotspot.Role(*role), Scope: *area, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "user %s added (%s, area %s)\n", u.Name, u.Role, scopeText(u.Scope))
		return nil
	case "passwd":
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		if err := st.SetPassword(cliAudit(ctx, "user.passwd", name), name, pw); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "password of %s changed; its sessions ended\n", name)
		return nil
	case "disable":
		if err := st.DisableUser(cliAudit(ctx, "user.disable", name), name); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "user %s disabled; its sessions ended\n", name)
		return nil
	case "rescope":
		return userRescope(ctx, env, st, name, *area)
	case "list":
		users, err := st.ListUsers(ctx)
		if err != nil {
			return err
		}
		retired, err := st.RetiredScopes(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tAREA\tSTATE\tCREATED")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			r, ok := retired[u.Name]
			state += retiredText(r, ok)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, scopeText(u.Scope), state, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	default:
		fs.Usage()
		return fmt.Errorf("%w: unknown user subcommand %q", errUsage, sub)
	}
}

func scopeText(s string) string {
	if s == "" {
		return "everywhere"
	}
	return s
}

// cliAudit asks the account change made with ctx to record itself as done
// by user "cli", in the change's own transaction: the change and its audit
// row land together or not at all.
func cliAudit(ctx context.Context, action, name string) context.Context {
	return store.WithAudit(ctx, &store.PendingAudit{Entry: store.AuditEntry{User: "cli", Role: "cli", Action: action, Detail: "user " + name}})
}

// readPassword reads one line from stdin; on a terminal it asks twice
// without echo.
func readPassword(env *environment) (string, error) {
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
