package engine

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
)

// smallDir is a history of two files: a table, then a column.
func smallDir(t *testing.T) migdir.Dir {
	t.Helper()
	dir, err := migdir.Open(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"1_create.sql": "CREATE TABLE \"a\" (\"x\" int NOT NULL, PRIMARY KEY (\"x\"));\n",
		"2_add.sql":    "ALTER TABLE \"a\" ADD COLUMN \"yName\" text NULL;\n",
	} {
		if err := dir.WriteFile(name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// made is a database made without migrations in the state of smallDir's
// first file.
func made(t *testing.T) (Target, *sql.DB) {
	t.Helper()
	tg, db := pgTarget(t)
	if _, err := db.Exec(`CREATE TABLE "a" ("x" int NOT NULL PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return tg, db
}

// revisionRows are the table's rows, every column but executed_at.
func revisionRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return query(t, db, `SELECT concat_ws('|', "version", "description", "type", "applied", "total", "execution_time", coalesce("error", 'NULL'), coalesce("error_stmt", 'NULL'), "hash", coalesce("partial_hashes"::text, 'NULL'), "operator_version") FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY "version"`)
}

// The row Baseline records is the one Atlas's Executor writes for the
// CLI's `migrate apply --baseline` (Executor.Pending with
// WithBaselineVersion), and both leave the same file pending.
func TestBaselineRowIsTheCLIs(t *testing.T) {
	ctx := context.Background()
	dir := smallDir(t)
	tg, ours := made(t)
	if err := Baseline(ctx, BaselineInput{Target: tg, DB: ours, Dir: dir, Version: "1", Operator: "test", Wait: time.Second, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	_, theirs := made(t)
	drv, err := postgres.Open(theirs)
	if err != nil {
		t.Fatal(err)
	}
	store := revisions.NewPostgres(theirs)
	if err := store.Init(ctx); err != nil {
		t.Fatal(err)
	}
	ex, err := migrate.NewExecutor(drv, dir, store, migrate.WithBaselineVersion("1"), migrate.WithOperatorVersion("test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Pending(ctx); err != nil {
		t.Fatal(err)
	}
	got, want := revisionRows(t, ours), revisionRows(t, theirs)
	if !slices.Equal(got, want) || len(got) != 1 {
		t.Fatalf("baseline rows:\n%q\nAtlas's executor writes:\n%q", got, want)
	}
	ex, err = migrate.NewExecutor(drv, dir, revisions.NewPostgres(ours))
	if err != nil {
		t.Fatal(err)
	}
	pending, err := ex.Pending(ctx)
	if err != nil || len(pending) != 1 || pending[0].Version() != "2" {
		t.Fatalf("pending after the baseline: %v, %v; want file 2", pending, err)
	}
}

// A database that is not the directory's state at the version is refused
// with the SQL that would make it match: nothing recorded, and the
// temporary dev database dropped.
func TestBaselineMismatch(t *testing.T) {
	ctx := context.Background()
	tg, db := made(t)
	err := Baseline(ctx, BaselineInput{Target: tg, DB: db, Dir: smallDir(t), Version: "2", Wait: time.Second, Out: io.Discard})
	var mm *apply.BaselineMismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("baseline at 2 of a database at 1: %v, want a mismatch", err)
	}
	if want := []string{`ALTER TABLE "a" ADD COLUMN "yName" text NULL`}; !slices.Equal(mm.SQL, want) {
		t.Errorf("difference %q, want %q", mm.SQL, want)
	}
	if got := query(t, db, `SELECT coalesce(to_regnamespace('atlas_schema_revisions')::text, 'absent')`); got[0] != "absent" {
		t.Errorf("the refused baseline made the revisions schema")
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Errorf("dev databases left behind: %q", left)
	}
}

// baseline and set wait for the Atlas CLI's apply lock and give up after
// the wait, changing nothing; a baseline dry run takes no lock.
func TestBaselineAndSetTakeTheLock(t *testing.T) {
	ctx := context.Background()
	dir := smallDir(t)
	tg, db := made(t)
	other, err := sql.Open("pgx", tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	drv, err := postgres.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := drv.(schema.Locker).Lock(ctx, dialect.ApplyLock, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := BaselineInput{Target: tg, DB: db, Dir: dir, Version: "1", Wait: 200 * time.Millisecond, Out: io.Discard}
	var held *dialect.HeldError
	if err := Baseline(ctx, in); !errors.As(err, &held) {
		t.Fatalf("baseline under the CLI's lock: %v, want a HeldError", err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	sums, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	set := SetInput{Target: tg, DB: db, Files: files, Sums: sums, Version: "2", Wait: 200 * time.Millisecond, Out: io.Discard}
	if _, _, err := Set(ctx, set); !errors.As(err, &held) {
		t.Fatalf("set under the CLI's lock: %v, want a HeldError", err)
	}
	if got := query(t, db, `SELECT coalesce(to_regnamespace('atlas_schema_revisions')::text, 'absent')`); got[0] != "absent" {
		t.Fatalf("a refused run made the revisions schema")
	}
	in.DryRun = true
	if err := Baseline(ctx, in); err != nil {
		t.Fatalf("baseline --dry-run under the lock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	version, ops, err := Set(ctx, set)
	if err != nil || version != "2" || len(ops) != 2 {
		t.Fatalf("set after release: %s, %v, %v", version, ops, err)
	}
	if got := strings.Join(query(t, db, `SELECT "version" || ':' || "type" FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY 1`), ","); got != "1:4,2:4" {
		t.Fatalf("rows after set: %s", got)
	}
}
