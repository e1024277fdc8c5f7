package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/rollback"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// For every committed migration, whatever the project's history: up → down
// → up yields the same schema, whether the down script or a computed plan
// reverts it, and a file that only changes the schema keeps every row. A
// data migration (a file with INSERT, UPDATE, DELETE or REPLACE) may
// legitimately give other rows when run again (new AUTOINCREMENT ids,
// timestamps), so only its schema is compared. Rolling back the first file
// leaves an empty database.
func TestEveryMigrationRoundTrips(t *testing.T) {
	ctx := context.Background()
	dir := openDir(t)
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Validate(dir); err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, computed := range []bool{false, true} {
		dd := down
		if computed {
			dd = dataDownOnly(t, dir, down, files)
		}
		// computed: a plan computed from the schema reverts every file that
		// only changes the schema.
		t.Run(fmt.Sprintf("computed=%v", computed), func(t *testing.T) {
			db := openDB(t)
			for i, f := range files {
				up(t, db, dir, 1)
				after, afterSchema := dump(t, db), inspect(t, db)
				if _, err := rollback.Run(ctx, rollback.Options{DB: db, Dir: dir, Down: dd, Force: true, Out: io.Discard}); err != nil {
					t.Fatalf("rollback %s: %v", f.Name(), err)
				}
				if i == 0 {
					if got := dump(t, db); got != "" {
						t.Fatalf("rollback of %s left:\n%s", f.Name(), got)
					}
				}
				up(t, db, dir, 1)
				if got := dump(t, db); got != after && !changesRows(t, f) {
					t.Fatalf("%s: up → down → up changed the rows:\nbefore:\n%s\nafter:\n%s", f.Name(), after, got)
				}
				// The schema compares as Atlas sees it: SQLite rewrites a
				// table's stored CREATE text (quoting) when a copy renames it.
				dev, err := sqlitedb.OpenDev()
				if err != nil {
					t.Fatal(err)
				}
				changes, err := plan.Diff(dev.Driver, inspect(t, db), afterSchema)
				dev.Close()
				if err != nil || len(changes) > 0 {
					t.Fatalf("%s: up → down → up changed the schema: %v %v", f.Name(), changes, err)
				}
			}
		})
	}
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "app.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func up(t *testing.T, db *sql.DB, dir *migrate.LocalDir, n int) {
	t.Helper()
	if _, err := apply.Run(context.Background(), apply.Options{DB: db, Dir: dir, Amount: n, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
}

// dataDownOnly returns a down folder with only the down scripts of the files
// that write rows: every other step is computed from the schema, and a
// computed plan cannot take back the rows a data migration wrote.
func dataDownOnly(t *testing.T, dir migdir.Dir, down *migdir.Down, files []migrate.File) *migdir.Down {
	t.Helper()
	tmp := t.TempDir()
	if err := os.Mkdir(filepath.Join(tmp, migdir.DownDirName), 0o755); err != nil {
		t.Fatal(err)
	}
	ld, err := migrate.NewLocalDir(filepath.Join(tmp, migdir.DownDirName))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if s, ok := down.Script(f.Name()); ok && changesRows(t, f) {
			if err := ld.WriteFile(f.Name(), s.Bytes()); err != nil {
				t.Fatal(err)
			}
		}
	}
	sum, err := ld.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(ld, sum); err != nil {
		t.Fatal(err)
	}
	up, err := migrate.NewLocalDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	dd, err := migdir.OpenDown(up, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := dd.Validate(dir); err != nil {
		t.Fatal(err)
	}
	return dd
}

// changesRows reports whether f has a statement that writes rows.
func changesRows(t *testing.T, f migrate.File) bool {
	t.Helper()
	stmts, err := f.StmtDecls()
	if err != nil {
		t.Fatalf("%s: %v", f.Name(), err)
	}
	for _, s := range stmts {
		kw, _, _ := strings.Cut(strings.TrimSpace(s.Text), " ")
		switch strings.ToUpper(kw) {
		case "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH":
			return true
		}
	}
	return false
}

// inspect returns the live schema as Atlas sees it, revisions table aside.
func inspect(t *testing.T, db *sql.DB) *schema.Schema {
	t.Helper()
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := drv.InspectSchema(context.Background(), "", &schema.InspectOptions{Exclude: []string{"atlas_schema_revisions"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dump renders the objects (sqlite_master names, revisions table and
// SQLite's own sqlite_sequence aside: AUTOINCREMENT creates it, and nothing
// can drop it) and every row of every table, sqlite_sequence's included,
// in a stable order.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	rows, err := db.Query("SELECT type, name FROM sqlite_master WHERE name NOT LIKE '%atlas_schema_revisions%' ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			t.Fatal(err)
		}
		if name != "sqlite_sequence" {
			fmt.Fprintf(&b, "%s %s\n", typ, name)
		}
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, tbl := range tables {
		rows, err := db.Query("SELECT * FROM `" + tbl + "` ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", tbl, vals)
		}
		rows.Close()
	}
	return b.String()
}
