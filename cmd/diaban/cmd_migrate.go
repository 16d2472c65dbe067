package main

import (
	"context"
	"fmt"
)

func cmdMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate [--db URL]")
	db := dbFlags{batch: true}
	db.register(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.stdout, "schema is up to date")
	} else {
		fmt.Fprintf(env.stdout, "applied migrations %v\n", applied)
	}
	return nil
}
