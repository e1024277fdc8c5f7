package cli

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/rollback"
)

type rollbackOptions struct {
	To     string
	DryRun bool
	Force  bool
	Wait   time.Duration // --lock-timeout
}

func rollbackCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "rollback",
		Usage: "undo the last applied version (or every version after --to), in one transaction",
		Description: "Each version is reverted by its reviewed down script (migrations/down/<file>) or, without one,\n" +
			"by a plan computed from the live schema to the directory's state at the previous version.\n" +
			"It commits only if the result equals the directory at the target version, and refuses to\n" +
			"drop tables holding rows, columns holding values, or delete rows, unless --force.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "undo every version after `VERSION` (0 undoes all)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "run it in a transaction, print the SQL, roll it back"},
			&cli.BoolFlag{Name: "force", Usage: "proceed even when data would be lost"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "rollback takes no arguments; use --to VERSION"}
			}
			return runRollback(c.Context, env, rollbackOptions{To: c.String("to"), DryRun: c.Bool("dry-run"), Force: c.Bool("force"), Wait: c.Duration(lockTimeoutFlag.Name)})
		},
	}
}

func runRollback(ctx context.Context, env *Env, o rollbackOptions) error {
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	if err := migdir.Validate(dir); err != nil {
		return err
	}
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		return err
	}
	if err := down.Validate(dir); err != nil {
		return err
	}
	if err := env.needDB(); err != nil {
		return err
	}
	if !env.dbExists() {
		return &ExitError{Code: ExitFailure, Msg: "database " + env.DB + " does not exist: nothing to roll back"}
	}
	db, err := env.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkHistory(ctx, db, dir); err != nil {
		return err
	}
	_, err = rollback.Run(ctx, rollback.Options{
		DB: db, Dir: dir, Down: down, To: o.To, DryRun: o.DryRun, Force: o.Force, Out: env.Out, Progress: env.terminal(),
		LockTimeout: o.Wait,
	})
	return env.busy(err, o.Wait)
}
