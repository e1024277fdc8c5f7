package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
)

type applyOptions struct {
	Amount   int
	DryRun   bool
	Force    bool
	Baseline string
	Wait     time.Duration // --lock-timeout
	Point    *restorepoint.Config
}

func applyCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "apply pending migration files to the database, one transaction per file",
		ArgsUsage: "[N]",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "print the pending files and run them under the data-loss guard in a transaction that is rolled back (SQLite: on a temporary copy of the database when a file has -- atlas:txmode none; PostgreSQL refuses such a file); say which file would be refused or fail; change nothing"},
			&cli.BoolFlag{Name: "force", Usage: "apply even when the guard measures a loss of rows or values that the file does not declare (-- atlas:nolint DS102/DS103)"},
			&cli.StringFlag{Name: "baseline", Usage: "adopt a database without history at `VERSION` first (see baseline); default: the env's migration.baseline"},
			noRestorePointFlag,
		}, restorePointFlags()...),
		Action: func(c *cli.Context) error {
			o := applyOptions{DryRun: c.Bool("dry-run"), Force: c.Bool("force"), Baseline: c.String("baseline"), Wait: c.Duration(lockTimeoutFlag.Name)}
			var err error
			if o.Point, err = env.restoreConfig(c); err != nil {
				return err
			}
			if o.Amount, err = applyAmount(c); err != nil {
				return err
			}
			return runApply(c.Context, env, o)
		},
	}
}

func runApply(ctx context.Context, env *Env, o applyOptions) error {
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	// Hash the directory once: validating here and again in apply.Run (and
	// in Atlas's Executor) then costs nothing more.
	dir = migdir.Cached(dir)
	// Refuse a broken directory before the database file is created.
	if err := migdir.Validate(dir); err != nil {
		return err
	}
	open := env.openDB
	if o.DryRun {
		open = func(bool) (*sql.DB, error) { return env.openDryRun() }
	}
	db, err := open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkHistory(ctx, db, dir); err != nil {
		return err
	}
	baseline := o.Baseline
	if baseline == "" {
		baseline = env.Project.Baseline
	}
	_, err = apply.Run(ctx, apply.Options{
		DB: db, Dir: dir, Amount: o.Amount, DryRun: o.DryRun, Force: o.Force, Baseline: baseline, Out: env.Out, Operator: Operator, Progress: env.terminal(),
		LockTimeout: o.Wait, RestorePoint: o.Point,
	})
	var hn *migrate.HistoryNonLinearError
	if errors.As(err, &hn) {
		// Atlas's text, and what to do: the CLI applies such files only with
		// --exec-order non-linear, which structmigrate does not offer.
		return fmt.Errorf("%w; nothing was applied: a file older than the database's version is never run, give it a version newer than the last applied one and re-hash", err)
	}
	return env.busy(err, o.Wait)
}

// applyAmount reads apply's optional N (the number of files to apply; 0:
// all), on either engine.
func applyAmount(c *cli.Context) (int, error) {
	if c.NArg() > 1 {
		return 0, &ExitError{Code: ExitFailure, Msg: "apply takes at most one argument, the number of files to apply"}
	}
	a := c.Args().First()
	if a == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(a)
	if err != nil || n < 1 {
		return 0, &ExitError{Code: ExitFailure, Msg: "apply [N]: N must be a positive number of files, got " + strconv.Quote(a)}
	}
	return n, nil
}
