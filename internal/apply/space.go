package apply

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/diskspace"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// checkSpace refuses, before it begins, a file that rebuilds tables the
// database's file system has no room to copy (issue 11, item 8). A rebuild
// is a file that drops a table existing now and creates one (the copy,
// new_<table> in Atlas's files). SQLite's authorizer names both when each
// statement is compiled; a statement that needs an earlier one's table
// does not compile yet and names nothing, which is right: that table does
// not exist now.
func checkSpace(ctx context.Context, o Options, f migrate.File) error {
	return CheckSpace(ctx, o.DB, filepath.Join(o.Dir.Path(), f.Name()), f)
}

// CheckSpace is checkSpace for f (at path where) on db's current state: for
// apply's files and rollback's first down script.
func CheckSpace(ctx context.Context, db *sql.DB, where string, f migrate.File) error {
	var file string
	if err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil || file == "" {
		return err // an in-memory database has no file system to fill
	}
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return nil // the Executor reports it
	}
	var drops []string
	creates := false
	for _, s := range stmts {
		ws, err := sqlitedb.Writes(db, s.Text)
		if err != nil {
			continue
		}
		for _, w := range ws {
			if strings.HasPrefix(strings.ToLower(w.Table), "sqlite_") || strings.EqualFold(w.Table, revisions.Table) {
				continue
			}
			switch w.Action {
			case "drop":
				if !slices.Contains(drops, w.Table) {
					drops = append(drops, w.Table)
				}
			case "create":
				creates = true
			}
		}
	}
	if len(drops) == 0 || !creates {
		return nil
	}
	return diskspace.Check(ctx, db, file, where, drops)
}
