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
	"github.com/structmigrate/structmigrate/internal/runfile"
)

// TxModeNoneError refuses a dry run over a pending file that runs outside
// a transaction (`-- atlas:txmode none`): the dry run's one transaction
// is what makes it undoable, and such a file (CREATE INDEX CONCURRENTLY)
// cannot run inside one.
type TxModeNoneError struct{ Path string }

func (e *TxModeNoneError) Error() string {
	return fmt.Sprintf("apply --dry-run: %s has -- atlas:txmode none: it cannot run inside the dry run's transaction, which is rolled back; nothing was run (dry-run the files before it with apply --dry-run N)", e.Path)
}

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
	// Before anything runs.
	for _, f := range pending {
		if !runfile.InTx(f) {
			return &TxModeNoneError{Path: filepath.Join(in.Dir.Path(), f.Name())}
		}
	}
	if err := store.Init(ctx); err != nil {
		return fmt.Errorf("create the revisions table: %w", err)
	}
	scan := func(f migrate.File) ([]*migrate.Stmt, error) { return migrate.FileStmtDecls(drv, f) }
	done, err := apply.DryFiles(in.Out, pending, scan, func(f migrate.File) error { return in.dryFile(ctx, tx, f) })
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
// savepoint: where the digests differ, tx goes back to it and f runs once
// more, value by value. The digests are taken on tx itself: a reader on
// another connection would see the committed state, not the earlier
// files', and PostgreSQL exports no snapshot from a savepoint.
func (in ApplyInput) dryFile(ctx context.Context, tx *sql.Tx, f migrate.File) error {
	path := filepath.Join(in.Dir.Path(), f.Name())
	log := apply.NewLogger(io.Discard) // DryFiles printed the statements
	var detail map[string]bool
	for {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+drySavepoint); err != nil {
			return err
		}
		retry, err := in.guarded(ctx, log, tx, f, path, detail, nil, in.runFile(ctx, f))
		if err != nil {
			return err
		}
		if retry == nil {
			_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+drySavepoint)
			return err
		}
		for _, q := range []string{"ROLLBACK TO SAVEPOINT ", "RELEASE SAVEPOINT "} {
			if _, err := tx.ExecContext(ctx, q+drySavepoint); err != nil {
				return err
			}
		}
		detail = retry
	}
}
