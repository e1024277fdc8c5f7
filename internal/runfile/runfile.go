// Package runfile decides, once, how a migration file runs: apply itself,
// and everything that predicts apply (the replay behind diff, status, lint
// and rollback's verification, lint's SM701, the dry run). What a file
// does and loses depends on it: a parent-table rebuild keeps its children
// with foreign keys off, and cascades into them with foreign keys on; a
// seed row in a child whose key SQLite cannot enforce inserts with them off
// and fails with them on.
package runfile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// InTx reports whether f runs in one transaction (the default) or, under
// the Atlas CLI's `-- atlas:txmode none`, statement by statement outside
// any transaction.
func InTx(f migrate.File) bool { return txMode(f) != "none" }

func txMode(f migrate.File) string {
	if lf, ok := f.(*migrate.LocalFile); ok {
		if ds := lf.Directive("txmode"); len(ds) > 0 {
			return ds[0]
		}
	}
	return "file"
}

// OpenTx opens the transaction a file runs in: sqlitedb.OpenTx switches
// foreign keys off outside it (SQLite ignores the PRAGMA inside one) and
// refuses to commit new foreign-key violations.
func OpenTx(ctx context.Context, db *sql.DB) (*sqlclient.Tx, error) {
	return sqlitedb.OpenTx(ctx, db, nil)
}

// Replay runs f on db (a dev database) as apply runs it, unmeasured and
// without the revisions table: in one transaction with foreign keys off,
// or (txmode none) statement by statement. apply.RunMeasured is the same
// under the data-loss guard. A failing
// statement is a *migdir.StmtError with op ("replaying", "running").
// after, when not nil, runs after each statement on what it ran on (the
// file's transaction, or db): a dev database has one connection, so
// inspecting it through db while the file's transaction is open would
// wait forever.
func Replay(ctx context.Context, db *sql.DB, f migrate.File, path, op string, after func(q schema.ExecQuerier, st *migrate.Stmt) error) error {
	return run(ctx, db, f, path, op, after)
}

func run(ctx context.Context, db *sql.DB, f migrate.File, path, op string, after func(schema.ExecQuerier, *migrate.Stmt) error) error {
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	each := func(q schema.ExecQuerier) error {
		for _, st := range stmts {
			if err := Exec(ctx, db, q, st.Text); err != nil {
				return &migdir.StmtError{Op: op, Path: path, Line: migdir.Line(f.Bytes(), st.Pos), Stmt: st.Text, Err: err}
			}
			if after != nil {
				if err := after(q, st); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if !InTx(f) {
		return each(db)
	}
	tx, err := OpenTx(ctx, db)
	if err != nil {
		return err
	}
	if err := each(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return CommitError(path, err)
	}
	return nil
}

// Exec runs a migration's statement on q (db, or a transaction on it),
// refusing transaction control as apply does.
func Exec(ctx context.Context, db *sql.DB, q schema.ExecQuerier, stmt string) error {
	defer sqlitedb.DenyTxControl(db)()
	_, err := q.ExecContext(ctx, stmt)
	return err
}

// CommitError explains a refused commit; sqlitedb.OpenTx refuses one that
// would add foreign-key violations (a *sqlitedb.ViolationError).
func CommitError(what string, err error) error {
	var ve *sqlitedb.ViolationError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s not committed, it would leave rows that violate foreign keys; the transaction was rolled back (%w)", what, err)
	}
	return fmt.Errorf("%s not committed; the transaction was rolled back (%w)", what, migdir.ExplainWrite(err))
}
