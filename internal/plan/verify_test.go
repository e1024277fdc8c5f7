package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// seededDir writes files (name → SQL) as a hashed migration directory.
func seededDir(t *testing.T, files ...string) migdir.Dir {
	t.Helper()
	path := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		if err := os.WriteFile(filepath.Join(path, files[i]), []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := migdir.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

const (
	initT = "CREATE TABLE `t` (`id` integer NOT NULL, `a` text NULL, `b` text NULL, `c` text NOT NULL, PRIMARY KEY (`id`));\n"
	seedT = "INSERT INTO `t` (`id`, `a`, `b`, `c`) VALUES (1, 'x', 'p', 'c1'), (2, 'x', 'p', 'c2'), (3, 'y', 'q', 'c3'), (4, 'x', 'q', 'c4'), (5, NULL, NULL, 'c5'), (6, NULL, NULL, 'c6');\n"
)

// edited returns dir's state with edit applied, as a desired schema.
func edited(t *testing.T, dir migdir.Dir, edit func(*schema.Table)) *schema.Schema {
	t.Helper()
	s, err := State(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := s.Table("t")
	if !ok {
		t.Fatal("no table t")
	}
	edit(tb)
	return s
}

func col(tb *schema.Table, name string) *schema.Column {
	c, ok := tb.Column(name)
	if !ok {
		panic("no column " + name)
	}
	return c
}

func TestNextRefusesWhatTheReplayRejects(t *testing.T) {
	dir := seededDir(t, "20200101000000_init.sql", initT, "20200101000001_seed.sql", seedT)
	for _, c := range []struct {
		name string
		edit func(*schema.Table)
		want string // regexp on the error
	}{
		{"unique index over seeded duplicates", func(tb *schema.Table) {
			tb.AddIndexes(schema.NewUniqueIndex("t_a").AddColumns(col(tb, "a")))
		}, `^diff refused: .*/20200101000002_next\.sql:2 \(not written\) would fail when the directory is replayed: "CREATE UNIQUE INDEX ` + "`t_a` ON `t` \\(`a`\\)" + `": .*UNIQUE constraint failed: t\.a.*; duplicate values in "t" \("a"\) already in the directory's data: 'x' \(3 rows\); nothing was written$`},
		{"two-column unique index", func(tb *schema.Table) {
			tb.AddIndexes(schema.NewUniqueIndex("t_a_b").AddColumns(col(tb, "a"), col(tb, "b")))
		}, `duplicate values in "t" \("a", "b"\) already in the directory's data: \('x', 'p'\) \(2 rows\); nothing was written$`},
		{"NOT NULL over seeded NULLs", func(tb *schema.Table) {
			col(tb, "a").Type.Null = false
		}, `_next\.sql:\d+ \(not written\) would fail when the directory is replayed: "INSERT INTO ` + "`new_t`" + `.*NOT NULL constraint failed: new_t\.a.*; "t"\."a" holds 2 NULLs in the directory's data; nothing was written$`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Next(context.Background(), dir, Input{Desired: edited(t, dir, c.edit), Version: "20200101000002", Name: "next"})
			var re *ReplayError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, %v; want a *ReplayError", res, err)
			}
			if !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Errorf("error\n%s\ndoes not match\n%s", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
	// Without the seed rows, the same edits are written.
	empty := seededDir(t, "20200101000000_init.sql", initT)
	res, err := Next(context.Background(), empty, Input{Desired: edited(t, empty, func(tb *schema.Table) {
		tb.AddIndexes(schema.NewUniqueIndex("t_a").AddColumns(col(tb, "a")))
		col(tb, "b").Type.Null = false
	}), Version: "20200101000002", Name: "next"})
	if err != nil || res == nil {
		t.Fatalf("got %v, %v; want a file", res, err)
	}
}

// A dropped NOT NULL column without default: SQLite refuses to add it back
// with ADD COLUMN, so the down script adds it nullable, fills the zero
// value and tightens it; up then down restores the schema on seeded rows.
func TestDownRestoresDroppedNotNullColumn(t *testing.T) {
	dir := seededDir(t, "20200101000000_init.sql", initT, "20200101000001_seed.sql", seedT)
	res, err := Next(context.Background(), dir, Input{Desired: edited(t, dir, func(tb *schema.Table) {
		tb.Columns = tb.Columns[:3] // drop c
	}), Version: "20200101000002", Name: "next"})
	if err != nil {
		t.Fatal(err)
	}
	down := string(res.Down.Bytes())
	if !strings.Contains(down, "ALTER TABLE `t` ADD COLUMN `c` text NULL;\n") || !strings.Contains(down, "UPDATE `t` SET `c` = '' WHERE `c` IS NULL;\n") ||
		!strings.Contains(down, "`c` text NOT NULL") || strings.Contains(down, ConfirmDirective) {
		t.Errorf("down script:\n%s", down)
	}
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "app.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, res.File, res.Down) {
		execFile(t, db, f)
	}
	if got := query(t, db, "SELECT count(*), count(`c`), sum(`c` = '') FROM `t`"); got[0] != "6|6|6" {
		t.Errorf("after up and down: %v", got)
	}
}

// verify refuses a down script that leaves another schema behind.
func TestVerifyRefusesDownThatDoesNotUndo(t *testing.T) {
	ctx := context.Background()
	dir := seededDir(t, "20200101000000_init.sql", initT)
	dev, err := replay(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	current, _, err := inspect(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	up := migrate.NewLocalFile("20200101000002_next.sql", []byte("ALTER TABLE `t` ADD COLUMN `d` text NULL;\n"))
	down := migrate.NewLocalFile("20200101000002_next.sql", []byte("SELECT 1;\n"))
	err = verify(ctx, dev, dir, current, up, down, nil)
	want := `^diff refused: .*/down/20200101000002_next\.sql \(not written\) does not undo 20200101000002_next\.sql: the schema it leaves differs from the directory's: column "t"\."d" is left over; nothing was written$`
	if err == nil || !regexp.MustCompile(want).MatchString(err.Error()) {
		t.Errorf("got %v, want %s", err, want)
	}
}
