package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
	"github.com/structmigrate/structmigrate/internal/rollback"
)

type rollbackOptions struct {
	To     string
	Steps  int // undo this many versions
	DryRun bool
	Force  bool
	Wait   time.Duration // --lock-timeout
	Point  *restorepoint.Config
}

func rollbackCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "undo the last applied version (or the last N, or every version after --to), in one transaction",
		ArgsUsage: "[N]",
		Description: "Each version is reverted by its reviewed down script (migrations/down/<file>) or, without one,\n" +
			"by a plan computed from the live schema to the directory's state at the previous version.\n" +
			"It commits only if the result equals the directory at the target version, and refuses to\n" +
			"drop tables holding rows, columns holding values, or delete rows, unless --force.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "undo every version after `VERSION` (0 undoes all)"},
			&cli.IntFlag{Name: "steps", Usage: "undo the last `N` versions (as the argument N: goose down, migrate down N, alembic downgrade -N)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "run it in a transaction, print the SQL, roll it back"},
			&cli.BoolFlag{Name: "force", Usage: "proceed even when data would be lost"},
			noRestorePointFlag,
		}, restorePointFlags()...),
		Action: func(c *cli.Context) error {
			o := rollbackOptions{To: c.String("to"), DryRun: c.Bool("dry-run"), Force: c.Bool("force"), Wait: c.Duration(lockTimeoutFlag.Name)}
			steps, err := rollbackSteps(c)
			if err != nil {
				return err
			}
			o.Steps = steps
			if o.Point, err = env.restoreConfig(c); err != nil {
				return err
			}
			return runRollback(c.Context, env, o)
		},
	}
}

// rollbackSteps reads N from the argument or --steps (one of them, and not
// with --to); 0 when neither is given.
func rollbackSteps(c *cli.Context) (int, error) {
	fail := func(msg string) (int, error) { return 0, &ExitError{Code: ExitFailure, Msg: msg} }
	if c.NArg() > 1 {
		return fail("rollback takes at most one argument, the number of versions to undo")
	}
	arg, set := c.Args().First(), c.IsSet("steps")
	switch {
	case arg != "" && set:
		return fail("rollback: give N or --steps N, not both")
	case (arg != "" || set) && c.IsSet("to"):
		return fail("rollback: give a number of versions or --to VERSION, not both")
	case set:
		if n := c.Int("steps"); n < 1 {
			return fail(fmt.Sprintf("rollback --steps: N must be a positive number of versions, got %d", n))
		}
		return c.Int("steps"), nil
	case arg != "":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return fail("rollback [N]: N must be a positive number of versions, got " + strconv.Quote(arg) + " (use --to VERSION for a version)")
		}
		return n, nil
	}
	return 0, nil
}

func runRollback(ctx context.Context, env *Env, o rollbackOptions) error {
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	if err := migdir.Validate(dir); err != nil {
		return err
	}
	down, err := migdir.OpenValid(dir)
	if err != nil {
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
		DB: db, Dir: dir, Down: down, To: o.To, Steps: o.Steps, DryRun: o.DryRun, Force: o.Force, Out: env.Out, Progress: env.terminal(),
		LockTimeout: o.Wait, RestorePoint: o.Point,
	})
	return env.busy(err, o.Wait)
}
