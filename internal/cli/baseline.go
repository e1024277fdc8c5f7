package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/apply"
)

type baselineOptions struct {
	Version string
	DryRun  bool
	Wait    time.Duration // --lock-timeout
}

func baselineCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "baseline",
		Usage:     "adopt an existing database: record VERSION as applied once its schema is verified to match",
		ArgsUsage: "VERSION",
		Description: "For a database made without migrations (e.g. by GORM AutoMigrate). The live schema must equal\n" +
			"the migration directory's state at VERSION; on a mismatch nothing is recorded and the difference\n" +
			"is printed as SQL. Then `apply` runs the files after VERSION.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "verify only; record nothing"},
		},
		Action: func(c *cli.Context) error {
			o, err := baselineArgs(c)
			if err != nil {
				return err
			}
			return runBaseline(c.Context, env, o)
		},
	}
}

// baselineArgs reads baseline's arguments, on either engine.
func baselineArgs(c *cli.Context) (baselineOptions, error) {
	if c.NArg() != 1 {
		return baselineOptions{}, &ExitError{Code: ExitFailure, Msg: "baseline needs exactly one VERSION, e.g. structmigrate baseline 20261130042119"}
	}
	return baselineOptions{Version: c.Args().First(), DryRun: c.Bool("dry-run"), Wait: c.Duration(lockTimeoutFlag.Name)}, nil
}

// printBaseline reports an adoption, on either engine.
func printBaseline(w io.Writer, o baselineOptions) {
	verb := "Recorded"
	if o.DryRun {
		verb = "Would record"
	}
	fmt.Fprintf(w, "%s baseline %s: the database matches the migration directory at that version; `apply` runs the files after it.\n", verb, o.Version)
}

func runBaseline(ctx context.Context, env *Env, o baselineOptions) error {
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	if err := env.needDB(); err != nil {
		return err
	}
	// A baseline adopts an existing database; refused, it must leave no
	// new (empty) file or folder behind.
	if !env.dbExists() {
		return &ExitError{Code: ExitFailure, Msg: "database " + env.DB + " does not exist: nothing to adopt (apply creates a new database)"}
	}
	db, err := env.openDB(o.DryRun)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := apply.Baseline(ctx, apply.BaselineOptions{DB: db, Dir: dir, Version: o.Version, DryRun: o.DryRun, Operator: Operator, LockTimeout: o.Wait}); err != nil {
		return env.busy(err, o.Wait)
	}
	printBaseline(env.Out, o)
	return nil
}
