package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/status"
)

// ApplyInput is a run of the pending files.
type ApplyInput struct {
	Target   Target
	DB       *sql.DB // the target, opened (Open)
	Dir      migdir.Dir
	Amount   int // at most this many files; 0: all
	Out      io.Writer
	Operator string        // operator_version
	Wait     time.Duration // for the lock
	Force    bool          // apply losses the guard measures that a file does not declare
	// Baseline adopts a database without history at this version first
	// (Baseline), as `apply --baseline` does on SQLite; ignored once the
	// database has a history.
	Baseline string
	// DryRun runs the pending files in one transaction that is rolled
	// back (dryRun); nothing changes.
	DryRun bool

	holder int64 // the session holding the lock for the run (lockHolder)
}

// Apply applies the pending files under the Atlas CLI's apply lock, each
// in a transaction with its revision row (DDL is transactional on
// PostgreSQL), unless the file says `-- atlas:txmode none`. It returns the
// files applied. A run that waited for another one finds nothing pending.
func Apply(ctx context.Context, in ApplyInput) ([]migrate.File, error) {
	d := in.Target.Dialect
	// Atlas's Executor re-reads and re-hashes the directory for every
	// file it runs: hash it once, as SQLite's apply.Run does.
	in.Dir = migdir.Cached(in.Dir)
	if err := migdir.Validate(in.Dir); err != nil {
		return nil, err
	}
	holder, unlock, err := runLock(ctx, lockInput{in.Target, in.DB, in.Wait, in.Out}, "apply")
	if err != nil {
		return nil, err
	}
	defer unlock()
	in.holder = holder
	store := d.Revisions(in.DB)
	revs, err := store.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	if in.Baseline != "" && len(revs) == 0 && !in.DryRun {
		if revs, err = in.baseline(ctx); err != nil {
			return nil, err
		}
	}
	if err := status.CheckHistory(in.Dir, revs); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, in.dryRun(ctx, revs)
	}
	drv, err := d.Driver(in.DB)
	if err != nil {
		return nil, err
	}
	ex, err := migrate.NewExecutor(drv, in.Dir, store)
	if err != nil {
		return nil, err
	}
	pending, err := ex.Pending(ctx)
	var nc *migrate.NotCleanError
	switch {
	case errors.Is(err, migrate.ErrNoPendingFiles):
		fmt.Fprintln(in.Out, "No migration files to execute")
		return nil, nil
	case errors.As(err, &nc):
		return nil, &NotCleanError{Reason: nc.Reason}
	case err != nil:
		return nil, err
	}
	// After Pending, so that a refused database is left as it was.
	if err := store.Init(ctx); err != nil {
		return nil, fmt.Errorf("create the revisions table: %w", err)
	}
	if in.Amount > 0 && in.Amount < len(pending) {
		pending = pending[:in.Amount]
	}
	log := apply.NewLogger(in.Out)
	to := pending[len(pending)-1].Version()
	if len(revs) == 0 {
		log.Intro("Migrating to version %s (%s in total):", to, apply.Plural(len(pending), "migration"))
	} else {
		log.Intro("Migrating to version %s from %s (%s in total):", to, revs[len(revs)-1].Version, apply.Plural(len(pending), "migration"))
	}
	var done []migrate.File
	for _, f := range pending {
		if err := in.file(ctx, log, f); err != nil {
			return done, err
		}
		log.FileDone()
		done = append(done, f)
	}
	log.Done("migration")
	return done, nil
}

// baseline records in.Baseline under the lock Apply holds and returns the
// revisions then.
func (in ApplyInput) baseline(ctx context.Context) ([]*migrate.Revision, error) {
	f, err := apply.BaselineFile(in.Dir, in.Baseline)
	if err != nil {
		return nil, err
	}
	b := BaselineInput{Target: in.Target, DB: in.DB, Dir: in.Dir, Version: in.Baseline, Operator: in.Operator}
	if err := b.adopt(ctx, f); err != nil {
		return nil, err
	}
	apply.PrintBaseline(in.Out, in.Baseline, false)
	return in.Target.Dialect.Revisions(in.DB).ReadRevisions(ctx)
}

// NotCleanError refuses a database that holds objects but no revisions:
// the history would fail over them or duplicate them.
type NotCleanError struct{ Reason string }

func (e *NotCleanError) Error() string {
	return "connected database is not clean: " + e.Reason + " (the database has objects but no migration history; adopt it with `structmigrate baseline VERSION` or `apply --baseline VERSION`)"
}

// file runs one file in its own transaction under the data-loss guard
// (guard.PGUnit): the driver, the revisions store and Atlas's executor all
// over the transaction, so the file's statements and its revision row
// commit or roll back together. A `-- atlas:txmode none` file runs
// statement by statement, each measured in a transaction of its own
// (stmtGuarded).
func (in ApplyInput) file(ctx context.Context, log *apply.Logger, f migrate.File) error {
	path := filepath.Join(in.Dir.Path(), f.Name())
	if !runfile.InTx(f) {
		return in.fileNoTx(ctx, log, f, path)
	}
	return in.measured(ctx, in.DB, f, path, spareReader(in.DB), log, in.runFile(ctx, f))
}

// spareReader is db when its pool has a third connection (the lock holds
// one, the run's transaction another) to digest the committed state
// before while a file or step runs; nil when it has not.
func spareReader(db *sql.DB) *sql.DB {
	if n := db.Stats().MaxOpenConnections; n == 0 || n > 2 {
		return db
	}
	return nil
}

// runFile runs f with Atlas's executor on tx, each statement through unit,
// and writes its revision row in tx.
func (in ApplyInput) runFile(ctx context.Context, f migrate.File) func(*sql.Tx, *guard.PGUnit, *apply.Logger) error {
	d := in.Target.Dialect
	return func(tx *sql.Tx, unit *guard.PGUnit, log *apply.Logger) error {
		drv, err := d.Driver(tx)
		if err != nil {
			return err
		}
		return in.execute(ctx, log, &guardedDriver{Driver: drv, unit: unit}, d.Revisions(tx), f)
	}
}

// txBeginner opens a transaction: on the pool, or on a txmode-none file's
// own session.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// measured runs run (the file, or one statement of a txmode-none file) in a
// transaction on db under the guard, and commits it when the guard allows.
// Where the digests differ the transaction is rolled back and run runs
// once more, value by value, to name the loss; a loss the file does not
// declare rolls it back (apply.JudgeLosses).
func (in ApplyInput) measured(ctx context.Context, db txBeginner, f migrate.File, path string, reader *sql.DB, log *apply.Logger, run func(*sql.Tx, *guard.PGUnit, *apply.Logger) error) error {
	var detail map[string]bool
	for {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		retry, err := in.guarded(ctx, log, tx, f, path, detail, reader, run)
		if err != nil {
			return errors.Join(err, tx.Rollback())
		}
		if retry != nil {
			if err := tx.Rollback(); err != nil {
				return err
			}
			detail = retry
			continue
		}
		if err := stillHeld(ctx, tx, in.holder, path); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("%s not committed; the transaction was rolled back (%w)", f.Name(), err)
		}
		return nil
	}
}

// guarded runs run on tx, measured; it returns the tables to compare value
// by value when a first run (detail nil) found their digests changed.
// reader, when not nil, digests the committed state before on a
// connection of its own (run must begin on committed state).
func (in ApplyInput) guarded(ctx context.Context, log *apply.Logger, tx *sql.Tx, f migrate.File, path string, detail map[string]bool, reader *sql.DB, run func(*sql.Tx, *guard.PGUnit, *apply.Logger) error) (map[string]bool, error) {
	o := guard.Options{Name: path, Detail: detail, Reader: reader}
	unit, err := guard.BeginPG(ctx, tx, o)
	if err != nil {
		return nil, err
	}
	defer unit.Close()
	if detail != nil {
		log = apply.NewLogger(io.Discard) // the first run printed the statements
	}
	if err := run(tx, unit, log); err != nil {
		return nil, err
	}
	res, err := unit.End(ctx)
	if err != nil {
		return nil, err
	}
	if len(res.Suspects) > 0 && detail == nil {
		return res.Suspects, nil
	}
	res.SettleSuspects(path)
	return nil, apply.JudgeLosses(in.Out, in.Force, f, path, unit, res.Losses)
}

// guardedDriver runs the executor's statements through the unit, which
// notes which tables each one wrote.
type guardedDriver struct {
	migrate.Driver
	unit *guard.PGUnit
}

// ScanStmts keeps the PostgreSQL driver's statement scanner (dollar
// quotes, BEGIN ATOMIC), which the executor looks for on its driver.
func (g *guardedDriver) ScanStmts(input string) ([]*migrate.Stmt, error) {
	if s, ok := g.Driver.(migrate.StmtScanner); ok {
		return s.ScanStmts(input)
	}
	return migrate.Stmts(input)
}

func (g *guardedDriver) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := g.unit.Exec(ctx, q, func() error {
		var err error
		res, err = g.Driver.ExecContext(ctx, q, args...)
		return err
	})
	return res, err
}

func (in ApplyInput) execute(ctx context.Context, log *apply.Logger, drv migrate.Driver, rrw migrate.RevisionReadWriter, f migrate.File) error {
	ex, err := migrate.NewExecutor(drv, in.Dir, rrw, migrate.WithOperatorVersion(in.Operator), migrate.WithLogger(log))
	if err != nil {
		return err
	}
	if err := ex.Execute(ctx, f); err != nil {
		var le *guard.LossError
		if errors.As(err, &le) {
			// A txmode-none statement refused: the refusal names the
			// file, line and loss.
			return le
		}
		if se := migdir.AsStmtError(in.Dir, "applying", err); se != nil {
			return se
		}
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	return nil
}

// Open opens the target database.
func Open(ctx context.Context, t Target) (*sql.DB, error) { return t.Dialect.Open(ctx, t.URL) }
