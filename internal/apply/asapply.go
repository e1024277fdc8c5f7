package apply

import (
	"context"
	"database/sql"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// How apply runs a file is decided here, once, for apply itself and for
// everything that predicts it (lint's SM701, the dry run): what a file
// loses depends on it. A parent-table rebuild keeps its children with
// foreign keys off, and cascades into them with foreign keys on.

// InTx reports whether apply runs f in one transaction (the default) or,
// under the Atlas CLI's `-- atlas:txmode none`, statement by statement
// outside any transaction.
func InTx(f migrate.File) bool { return txMode(f) != "none" }

// openTx opens the transaction a file runs in: sqlitedb.OpenTx switches
// foreign keys off outside it (SQLite ignores the PRAGMA inside one) and
// refuses to commit new foreign-key violations.
func openTx(ctx context.Context, db *sql.DB) (*sqlclient.Tx, error) {
	return sqlitedb.OpenTx(ctx, db, nil)
}

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
	if !InTx(f) {
		for _, st := range stmts {
			exec := func() error { return execOn(ctx, db, db, st.Text) }
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
	tx, err := openTx(ctx, db)
	if err != nil {
		return err
	}
	run := func(u *guard.Unit) error {
		for _, st := range stmts {
			exec := func() error { return execOn(ctx, db, tx, st.Text) }
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
		return CommitError(name, err)
	}
	return nil
}

// execOn runs a migration's statement on q (db, or a transaction on it),
// refusing transaction control as apply does.
func execOn(ctx context.Context, db *sql.DB, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmt string) error {
	defer sqlitedb.DenyTxControl(db)()
	_, err := q.ExecContext(ctx, stmt)
	return err
}
