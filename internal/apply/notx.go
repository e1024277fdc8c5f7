package apply

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/guard"
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
	if !g.mayChangeData(ctx, q) {
		return g.Driver.ExecContext(ctx, q, args...)
	}
	path := filepath.Join(g.o.Dir.Path(), g.f.Name())
	var detail map[string]bool
	for {
		if _, err := g.o.DB.ExecContext(ctx, "SAVEPOINT sm_stmt"); err != nil {
			return nil, err
		}
		undo := func(err error) (sql.Result, error) {
			_, err2 := g.o.DB.ExecContext(ctx, "ROLLBACK TO sm_stmt; RELEASE sm_stmt")
			return nil, join(err, err2)
		}
		unit, err := guard.Begin(ctx, g.o.DB, guard.Options{DB: g.o.DB, Name: path, Exclude: []string{revisions.Table}, Detail: detail})
		if err != nil {
			return undo(err)
		}
		var res sql.Result
		if err := unit.Exec(ctx, q, func() error {
			var err error
			res, err = g.Driver.ExecContext(ctx, q, args...)
			return err
		}); err != nil {
			return undo(err)
		}
		r, err := unit.End(ctx)
		if err != nil {
			return undo(err)
		}
		if len(r.Suspects) > 0 && detail == nil {
			if _, err := undo(nil); err != nil {
				return nil, err
			}
			detail = r.Suspects
			continue
		}
		if err := g.o.judge(g.f, unit, r.Losses); err != nil {
			return undo(err)
		}
		_, err = g.o.DB.ExecContext(ctx, "RELEASE sm_stmt")
		return res, err
	}
}

// mayChangeData reports whether q writes a user table that exists.
func (g *stmtGuarded) mayChangeData(ctx context.Context, q string) bool {
	ws, err := sqlitedb.Writes(ctx, g.o.DB, g.o.DB, q)
	if err != nil {
		return true
	}
	for _, w := range ws {
		if !strings.HasPrefix(strings.ToLower(w.Table), "sqlite_") && !strings.EqualFold(w.Table, revisions.Table) {
			return true
		}
	}
	return false
}
