package apply

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// UnconfirmedError refuses a file with a generated backfill nobody has
// confirmed (see plan.ConfirmDirective).
type UnconfirmedError struct{ Where string }

func (e *UnconfirmedError) Error() string {
	return fmt.Sprintf("%s: unconfirmed backfill: check the value it writes into existing rows, delete the %q line, then run `structmigrate hash`", e.Where, plan.ConfirmDirective)
}

func unconfirmed(o Options, files []migrate.File) error {
	for _, f := range files {
		if n := plan.Unconfirmed(f); n > 0 {
			return &UnconfirmedError{Where: filepath.Join(o.Dir.Path(), f.Name()) + ":" + strconv.Itoa(n)}
		}
	}
	return nil
}

// scope is where one file runs: its own transaction, or (dry run) a
// savepoint inside the run's transaction, which is never committed.
type scope struct {
	q    schema.ExecQuerier
	done func(commit bool) error
}

func (o Options) begin(ctx context.Context, outer schema.ExecQuerier) (*scope, error) {
	if outer != nil {
		if _, err := outer.ExecContext(ctx, "SAVEPOINT sm_file"); err != nil {
			return nil, err
		}
		return &scope{q: outer, done: func(commit bool) error {
			q := "RELEASE sm_file"
			if !commit {
				q = "ROLLBACK TO sm_file; RELEASE sm_file"
			}
			_, err := outer.ExecContext(ctx, q)
			return err
		}}, nil
	}
	tx, err := runfile.OpenTx(ctx, o.DB) // foreign keys off, see openTx
	if err != nil {
		return nil, err
	}
	return &scope{q: tx, done: func(commit bool) error {
		if commit {
			return tx.Commit()
		}
		return tx.Rollback()
	}}, nil
}

// spillWithoutWaiting lets sc's writer spill only while the guard's reader
// is not reading (guard.SpillWithoutWaiting); the wait for locks is back
// before the commit, or on db's one connection after a rollback.
func spillWithoutWaiting(ctx context.Context, sc *scope, db *sql.DB) (*scope, error) {
	restore, err := guard.SpillWithoutWaiting(ctx, sc.q)
	if err != nil {
		return nil, join(err, sc.done(false))
	}
	return &scope{q: sc.q, done: func(commit bool) error {
		if !commit {
			return join(sc.done(false), restore(db))
		}
		if err := restore(sc.q); err != nil {
			return join(err, sc.done(false))
		}
		return sc.done(true)
	}}, nil
}

// runGuarded runs f in its transaction under the data-loss guard: digests
// first; where they differ, once more value by value to name the loss.
// A loss the file does not declare rolls the transaction back.
func runGuarded(ctx context.Context, o Options, log *Logger, f migrate.File, outer schema.ExecQuerier) error {
	path := filepath.Join(o.Dir.Path(), f.Name())
	var detail map[string]bool
	for {
		sc, err := o.begin(ctx, outer)
		if err != nil {
			return err
		}
		var rd *sql.DB
		if outer == nil && o.reader != nil {
			rd = o.reader // the file begins on committed state
			if sc, err = spillWithoutWaiting(ctx, sc, o.DB); err != nil {
				return err
			}
		}
		unit, err := guard.Begin(ctx, sc.q, guard.Options{DB: o.DB, Name: path, Detail: detail, Reader: rd})
		if err != nil {
			return join(err, sc.done(false))
		}
		defer unit.Close(ctx)
		unit.Prefetch(ctx, f)
		drv, err := sqlitedb.Driver(sc.q)
		if err != nil {
			return join(err, sc.done(false))
		}
		l := log
		if detail != nil {
			l = NewLogger(io.Discard) // the first run printed the statements; Run counts the file
		}
		if err := execute(ctx, o, l, &Guarded{Driver: drv, Unit: unit}, txHistory{revisions.New(sc.q), o.DB}, f); err != nil {
			err = join(err, sc.done(false))
			// Count on the run's transaction in a dry run: it holds the one
			// connection (a real apply has released it by now).
			var q schema.ExecQuerier = o.DB
			if outer != nil {
				q = outer
			}
			return withNulls(ctx, q, err)
		}
		res, err := unit.End(ctx)
		if err != nil {
			err = fmt.Errorf("%s: measuring what it changed: %w", path, migdir.ExplainWrite(err))
			return join(err, sc.done(false))
		}
		if len(res.Suspects) > 0 && detail == nil {
			if err := sc.done(false); err != nil {
				return err
			}
			detail = res.Suspects
			continue
		}
		res.SettleSuspects(path)
		if err := o.judge(f, unit, res.Losses); err != nil {
			return join(err, sc.done(false))
		}
		if err := sc.done(true); err != nil {
			return runfile.CommitError(path, err)
		}
		return nil
	}
}

// judge refuses losses the file does not declare, unless --force.
func (o Options) judge(f migrate.File, unit *guard.Unit, losses []guard.Loss) error {
	return JudgeLosses(o.Out, o.Force, f, filepath.Join(o.Dir.Path(), f.Name()), unit, losses)
}

// JudgeLosses decides on the losses measured while file f (at path) ran, on
// SQLite and PostgreSQL alike: it prints those f declares
// (guard.Undeclared) and refuses the others, unless force, which prints
// them.
func JudgeLosses(out io.Writer, force bool, f migrate.File, path string, w guard.Writers, losses []guard.Loss) error {
	open, declared, err := guard.Undeclared(f, path, w, losses)
	if err != nil {
		return err
	}
	for _, l := range declared {
		fmt.Fprintf(out, "  -- declared data loss (atlas:nolint %s): %s\n", l.Kind.Code(), l)
	}
	if len(open) == 0 {
		return nil
	}
	if force {
		for _, l := range open {
			fmt.Fprintf(out, "  -- data loss accepted with --force: %s\n", l)
		}
		return nil
	}
	return &guard.LossError{Op: "apply", Losses: open,
		Hint: "after review, declare it with -- atlas:nolint DS102 (rows, tables) or DS103 (values, columns) on the statement, or use --force"}
}

// Guarded is a driver whose statements all go through the unit: the
// Executor's (apply) and a rollback step's.
type Guarded struct {
	migrate.Driver
	Unit *guard.Unit
}

// ScanStmts keeps the SQLite driver's statement scanner (it keeps CREATE
// TRIGGER … END together), which the Executor looks for on its driver.
func (g *Guarded) ScanStmts(input string) ([]*migrate.Stmt, error) {
	if s, ok := g.Driver.(migrate.StmtScanner); ok {
		return s.ScanStmts(input)
	}
	return migrate.Stmts(input)
}

func (g *Guarded) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := g.Unit.Exec(ctx, q, func() error {
		var err error
		res, err = g.Driver.ExecContext(ctx, q, args...)
		return err
	})
	return res, err
}

var notNull = regexp.MustCompile(`NOT NULL constraint failed: ([^.\s]+)\.(\S+)`)

// withNulls adds to a NOT NULL failure how many rows of the live table
// hold NULL there (the copy of a rebuild is named new_<table>).
func withNulls(ctx context.Context, db schema.ExecQuerier, err error) error {
	m := notNull.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	for _, t := range []string{m[1], trimNew(m[1])} {
		var n int64
		q := "SELECT count(*) FROM " + ident.Quote(t) + " WHERE " + ident.Quote(m[2]) + " IS NULL"
		if rows, qerr := db.QueryContext(ctx, q); qerr == nil {
			ok := rows.Next() && rows.Scan(&n) == nil
			rows.Close()
			if !ok {
				continue
			}
			return fmt.Errorf("%w (%s of %q hold NULL in %q)", err, Plural(int(n), "row"), t, m[2])
		}
	}
	return err
}

func trimNew(t string) string {
	if len(t) > 4 && t[:4] == "new_" {
		return t[4:]
	}
	return t
}

func join(err, err2 error) error {
	if err2 == nil {
		return err
	}
	return fmt.Errorf("%w (and: %v)", err, err2)
}
