package apply

import (
	"context"
	"database/sql"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
)

// How a file runs is runfile's decision; RunMeasured is runfile.Replay
// under the data-loss guard, for what predicts apply (lint's SM701).

// Judge decides on the losses a unit measured; an error refuses the unit
// (its statements are undone).
type Judge func(u *guard.Unit, losses []guard.Loss) error

// measureStmt runs one statement of a file outside any transaction (txmode
// none), with foreign keys as the connection has them: a statement that
// may change stored data runs in a savepoint of its own, measured like a
// file; others (VACUUM, PRAGMA, DDL that stores nothing) run as they are.
func measureStmt(ctx context.Context, db *sql.DB, name, stmt string, exec func() error, judge Judge) error {
	if !mayChangeData(db, stmt) {
		return exec()
	}
	return guard.Measure(ctx, db, guard.Options{DB: db, Name: name}, func(u *guard.Unit) error {
		return u.Exec(ctx, stmt, exec)
	}, judge)
}

// RunMeasured runs f's statements on db (a dev database) as apply runs
// them, without the revisions table: in one transaction with foreign keys
// off, or (txmode none) statement by statement. judge sees what each unit
// loses, as apply's would; a nil judge runs f unmeasured (a file already
// applied, replayed to reach the state the next one starts from).
func RunMeasured(ctx context.Context, db *sql.DB, f migrate.File, name string, judge Judge) error {
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return err
	}
	stmtErr := func(st *migrate.Stmt, err error) error {
		if err != nil {
			return &migdir.StmtError{Op: "running", Path: name, Line: migdir.Line(f.Bytes(), st.Pos), Stmt: st.Text, Err: err}
		}
		return nil
	}
	if !runfile.InTx(f) {
		for _, st := range stmts {
			exec := func() error { return stmtErr(st, runfile.Exec(ctx, db, db, st.Text)) }
			if judge == nil {
				err = exec()
			} else {
				err = measureStmt(ctx, db, name, st.Text, exec, judge)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	tx, err := runfile.OpenTx(ctx, db)
	if err != nil {
		return err
	}
	run := func(u *guard.Unit) error {
		for _, st := range stmts {
			exec := func() error { return stmtErr(st, runfile.Exec(ctx, db, tx, st.Text)) }
			if u != nil {
				err = u.Exec(ctx, st.Text, exec)
			} else {
				err = exec()
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if judge == nil {
		err = run(nil)
	} else {
		err = guard.Measure(ctx, tx, guard.Options{DB: db, Name: name}, run, judge)
	}
	if err != nil {
		return join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return runfile.CommitError(name, err)
	}
	return nil
}
