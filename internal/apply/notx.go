package apply

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// stmtGuarded serves a `-- atlas:txmode none` file: with no transaction
// around the file, a statement that may change stored data runs in a
// savepoint of its own, measured like a file, and is undone when it loses
// data the file does not declare. Other statements (VACUUM, PRAGMA, DDL
// that stores nothing) run as they are, outside any transaction.
type stmtGuarded struct {
	migrate.Driver
	o Options
	f migrate.File
}

// ScanStmts: see Guarded.ScanStmts.
func (g *stmtGuarded) ScanStmts(input string) ([]*migrate.Stmt, error) {
	return (&Guarded{Driver: g.Driver}).ScanStmts(input)
}

func (g *stmtGuarded) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := measureStmt(ctx, g.o.DB, filepath.Join(g.o.Dir.Path(), g.f.Name()), q, func() error {
		var err error
		res, err = g.Driver.ExecContext(ctx, q, args...)
		return err
	}, func(u *guard.Unit, losses []guard.Loss) error { return g.o.judge(g.f, u, losses) })
	return res, err
}

// mayChangeData reports whether q writes a user table that exists, or
// sqlite_sequence (the AUTOINCREMENT counters the guard keeps).
func mayChangeData(db *sql.DB, q string) bool {
	ws, err := sqlitedb.Writes(db, q)
	if err != nil {
		return true
	}
	for _, w := range ws {
		t := ident.Fold(w.Table)
		if t == "sqlite_sequence" || !strings.HasPrefix(t, "sqlite_") && !ident.SameName(w.Table, revisions.Table) {
			return true
		}
	}
	return false
}
