package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
)

// dryDone ends a dry run in which every file ran, as SQLite's says it.
const dryDone = "-- dry run: the files ran in a transaction that was rolled back; nothing changed"

// dryRun is apply --dry-run, under the lock Apply holds: the pending files
// run for real, each under the data-loss guard as apply runs it, all in one
// transaction (DDL is transactional on PostgreSQL) that is always rolled
// back, so what it reports (failures, refused losses) is measured on the
// live rows. The statements and the verdicts print as SQLite's dry run
// prints them (apply.DryFiles); a failing or refused file ends the run,
// exit 0. A baseline to adopt is verified, and recorded only inside the
// transaction. Not undone by the rollback: sequences the files advance
// (nextval is not transactional in PostgreSQL).
func (in ApplyInput) dryRun(ctx context.Context, revs []*migrate.Revision) (err error) {
	d := in.Target.Dialect
	var base migrate.File
	if in.Baseline != "" && len(revs) == 0 {
		if base, err = apply.BaselineFile(in.Dir, in.Baseline); err != nil {
			return err
		}
		b := BaselineInput{Target: in.Target, DB: in.DB, Dir: in.Dir, Version: in.Baseline, Operator: in.Operator, DryRun: true}
		if err := b.adopt(ctx, base); err != nil {
			return err
		}
		apply.PrintBaseline(in.Out, in.Baseline, true)
	}
	tx, err := in.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// Not ctx: an interrupted dry run is rolled back too.
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("dry run: roll back: %w", rerr))
		}
	}()
	store := d.Revisions(tx)
	if base != nil {
		// Recorded in the transaction only, so the files after it are
		// the pending ones, as after a real baseline.
		if err := store.Init(ctx); err != nil {
			return fmt.Errorf("create the revisions table: %w", err)
		}
		if err := store.WriteRevision(ctx, apply.BaselineRevision(base, in.Operator)); err != nil {
			return err
		}
	}
	drv, err := d.Driver(tx)
	if err != nil {
		return err
	}
	ex, err := migrate.NewExecutor(drv, in.Dir, store)
	if err != nil {
		return err
	}
	pending, err := ex.Pending(ctx)
	var nc *migrate.NotCleanError
	switch {
	case errors.Is(err, migrate.ErrNoPendingFiles):
		fmt.Fprintln(in.Out, "No migration files to execute")
		return nil
	case errors.As(err, &nc):
		return &NotCleanError{Reason: nc.Reason}
	case err != nil:
		return err
	}
	if in.Amount > 0 && in.Amount < len(pending) {
		pending = pending[:in.Amount]
	}
	if err := store.Init(ctx); err != nil {
		return fmt.Errorf("create the revisions table: %w", err)
	}
	scan := func(f migrate.File) ([]*migrate.Stmt, error) { return migrate.FileStmtDecls(drv, f) }
	done, err := apply.DryFiles(in.Out, pending, scan, func(f migrate.File) error {
		if !runfile.InTx(f) {
			return in.dryFileNoTx(ctx, tx, f, scan)
		}
		return in.dryFile(ctx, tx, f)
	})
	switch {
	case ctx.Err() != nil: // interrupted: not a verdict on the file
		return ctx.Err()
	case err != nil:
		return err
	case done:
		fmt.Fprintln(in.Out, dryDone)
	}
	return nil
}

// drySavepoint holds the state before a file in the dry run's
// transaction.
const drySavepoint = "structmigrate_dry_run_file"

// dryFile runs f in tx under the guard as apply's file does, inside a
// savepoint (drySaved).
func (in ApplyInput) dryFile(ctx context.Context, tx *sql.Tx, f migrate.File) error {
	path := filepath.Join(in.Dir.Path(), f.Name())
	return in.drySaved(ctx, tx, f, path, in.runFile(ctx, f))
}

// drySaved runs run in tx under the guard inside a savepoint: where the
// digests differ, tx goes back to it and run runs once more, value by
// value. The digests are taken on tx itself: a reader on another
// connection would see the committed state, not the earlier files', and
// PostgreSQL exports no snapshot from a savepoint. On an error tx is
// back at the savepoint, so the dry run can go on.
func (in ApplyInput) drySaved(ctx context.Context, tx *sql.Tx, f migrate.File, path string, run func(*sql.Tx, *guard.PGUnit, *apply.Logger) error) error {
	log := apply.NewLogger(io.Discard) // DryFiles printed the statements
	var detail map[string]bool
	for {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+drySavepoint); err != nil {
			return err
		}
		retry, err := in.guarded(ctx, log, tx, f, path, detail, nil, run)
		if err == nil && retry == nil {
			_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+drySavepoint)
			return err
		}
		for _, q := range []string{"ROLLBACK TO SAVEPOINT ", "RELEASE SAVEPOINT "} {
			if _, qerr := tx.ExecContext(ctx, q+drySavepoint); qerr != nil {
				return errors.Join(err, qerr)
			}
		}
		if err != nil {
			return err
		}
		detail = retry
	}
}

// dryFileNoTx runs a `-- atlas:txmode none` file in the dry run's
// transaction as apply runs it (stmtGuarded): each statement measured on
// its own, in a savepoint. A statement PostgreSQL refuses inside a
// transaction block (SQLSTATE 25001) is not run, and said so: apply runs
// it outside any transaction, which a dry run cannot undo; such
// statements store no rows.
func (in ApplyInput) dryFileNoTx(ctx context.Context, tx *sql.Tx, f migrate.File, scan func(migrate.File) ([]*migrate.Stmt, error)) error {
	path := filepath.Join(in.Dir.Path(), f.Name())
	stmts, err := scan(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, st := range stmts {
		var ran error
		err := in.drySaved(ctx, tx, f, path, func(tx *sql.Tx, unit *guard.PGUnit, _ *apply.Logger) error {
			var err error
			ran, err = execUnder(ctx, unit, tx, st.Text)
			return err
		})
		switch {
		case isActiveTx(ran):
			fmt.Fprintf(in.Out, "-- not run in the dry run (PostgreSQL runs it only outside a transaction, as apply will): %s\n", migdir.OneLine(st.Text, 200))
		case ran != nil:
			return &migdir.StmtError{Op: "applying", Path: path, Line: migdir.Line(f.Bytes(), st.Pos), Stmt: st.Text, Err: ran}
		case err != nil:
			return err
		}
	}
	return nil
}
