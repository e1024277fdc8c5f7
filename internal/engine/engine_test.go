package engine

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/pgtest"
	appschema "github.com/structmigrate/structmigrate/schema"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pgTarget is a fresh database on the test server.
func pgTarget(t *testing.T) (Target, *sql.DB) {
	t.Helper()
	u := pgtest.NewDB(t)
	d, err := dialect.For(dialect.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	tg := Target{Dialect: d, URL: u}
	db, err := Open(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return tg, db
}

// history is a copy of the committed PostgreSQL history.
// skipWithoutSample skips a test about the sample Player model and its
// committed PostgreSQL history: a team that replaced the sample
// (docs/getting-started.md, make test-template) has other models.
func skipWithoutSample(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("../../schema/player.go"); err != nil {
		t.Skip("the sample Player model was replaced")
	}
}

func history(t *testing.T) *migrate.LocalDir {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "postgres")
	// With its down scripts (down/).
	if err := os.CopyFS(tmp, os.DirFS("../../migrations/postgres")); err != nil {
		t.Fatal(err)
	}
	dir, err := migdir.Open(tmp, false)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func query(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func devDatabases(t *testing.T) []string {
	admin, err := sql.Open("pgx", pgtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	return query(t, admin, `SELECT datname FROM pg_database WHERE datname LIKE 'structmigrate\_dev\_%'`)
}

// The committed history applies, each version once, with the rows of the
// seed; the revisions table has the columns and types the Atlas CLI's ent
// schema gives it on PostgreSQL, in the schema the CLI uses.
func TestApplyHistory(t *testing.T) {
	skipWithoutSample(t)
	tg, db := pgTarget(t)
	ctx := context.Background()
	dir := history(t)
	done, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Operator: "test", Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 {
		t.Fatalf("applied %d files, want 2", len(done))
	}
	if got := query(t, db, `SELECT count(*)::text FROM "players"`); got[0] != "25" {
		t.Fatalf("players: %s rows, want 25", got[0])
	}
	cols := query(t, db, `SELECT column_name || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
		FROM information_schema.columns c
		JOIN pg_attribute a ON a.attrelid = '"atlas_schema_revisions"."atlas_schema_revisions"'::regclass AND a.attname = c.column_name
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.table_schema = 'atlas_schema_revisions' AND c.table_name = 'atlas_schema_revisions' ORDER BY c.ordinal_position`)
	want := []string{
		"version character varying NOT NULL", "description character varying NOT NULL",
		"type bigint NOT NULL DEFAULT 2", "applied bigint NOT NULL DEFAULT 0", "total bigint NOT NULL DEFAULT 0",
		"executed_at timestamp with time zone NOT NULL", "execution_time bigint NOT NULL",
		"error text NULL", "error_stmt text NULL", "hash character varying NOT NULL",
		"partial_hashes jsonb NULL", "operator_version character varying NOT NULL",
	}
	if strings.Join(cols, "\n") != strings.Join(want, "\n") {
		t.Fatalf("revisions columns:\n%s\nwant:\n%s", strings.Join(cols, "\n"), strings.Join(want, "\n"))
	}
	if pk := query(t, db, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '"atlas_schema_revisions"."atlas_schema_revisions"'::regclass AND contype = 'p'`); len(pk) != 1 || pk[0] != "PRIMARY KEY (version)" {
		t.Fatalf("primary key: %q", pk)
	}
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	rows := query(t, db, `SELECT version || ' ' || type || ' ' || applied || '/' || total || ' ' || hash || ' ' || partial_hashes::text FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version`)
	for i, f := range done {
		h, err := sum.SumByName(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		n := map[int]string{0: "2/2", 1: "1/1"}[i]
		if w := f.Version() + " 2 " + n + " " + h + " null"; rows[i] != w {
			t.Errorf("revision %d: %q, want %q", i, rows[i], w)
		}
	}
	// A second run finds nothing to do; status agrees.
	if done, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Operator: "test", Wait: time.Second}); err != nil || len(done) != 0 {
		t.Fatalf("second apply: %d files, %v", len(done), err)
	}
	r, err := Status(ctx, StatusInput{Target: tg, DB: db, Dir: dir, Models: &Models{List: appschema.Models()}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "OK" || len(r.Applied) != 2 || len(r.StructsDrift) > 0 || len(r.DatabaseDrift) > 0 || r.ExitCode() != 0 {
		t.Fatalf("status: %+v", r)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("dev databases left behind: %q", left)
	}
}

// A file whose second statement fails leaves nothing: its first
// statement and its revision row roll back with it.
func TestFailedFileRollsBack(t *testing.T) {
	tg, db := pgTarget(t)
	dir, err := migdir.Open(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"1_ok.sql":  "CREATE TABLE \"a\" (\"x\" int);\n",
		"2_bad.sql": "CREATE TABLE \"b\" (\"x\" int);\nINSERT INTO \"a\" (\"x\") VALUES ('not a number');\n",
	} {
		if err := dir.WriteFile(name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	done, err := Apply(context.Background(), ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: time.Second})
	if err == nil || len(done) != 1 {
		t.Fatalf("apply: %d files, err %v; want 1 file and an error", len(done), err)
	}
	if !strings.Contains(err.Error(), "2_bad.sql") {
		t.Errorf("error does not name the file: %v", err)
	}
	if got := query(t, db, `SELECT coalesce(to_regclass('"b"')::text, 'absent')`); got[0] != "absent" {
		t.Errorf("table b of the failed file: %s", got[0])
	}
	if got := query(t, db, `SELECT string_agg(version, ',') FROM atlas_schema_revisions.atlas_schema_revisions`); got[0] != "1" {
		t.Errorf("revisions: %q, want only 1", got[0])
	}
}

// A run holding the Atlas CLI's apply lock (taken here as the CLI takes it,
// through Atlas's postgres driver) keeps Apply out until it is released.
func TestApplyWaitsForTheAtlasLock(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	other, err := sql.Open("pgx", tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	drv, err := postgres.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := drv.(schema.Locker).Lock(ctx, "atlas_migrate_execute", 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := history(t)
	_, err = Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: 200 * time.Millisecond})
	var held *dialect.HeldError
	if !errors.As(err, &held) {
		t.Fatalf("apply under the CLI's lock: %v, want a HeldError", err)
	}
	if got := query(t, db, `SELECT coalesce(to_regclass('"players"')::text, 'absent') || ' ' || coalesce(to_regnamespace('atlas_schema_revisions')::text, 'absent')`); got[0] != "absent absent" {
		t.Fatalf("the refused run changed the database: %s", got[0])
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if done, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: time.Second}); err != nil || len(done) != 2 {
		t.Fatalf("apply after release: %d files, %v", len(done), err)
	}
	// And the other way: while structmigrate holds its lock, the CLI's
	// call is refused.
	release, err := tg.Dialect.Lock(ctx, db, time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drv.(schema.Locker).Lock(ctx, "atlas_migrate_execute", 0); !errors.Is(err, schema.ErrLocked) {
		t.Fatalf("the CLI's lock while structmigrate holds it: %v, want ErrLocked", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	unlock, err = drv.(schema.Locker).Lock(ctx, "atlas_migrate_execute", 0)
	if err != nil {
		t.Fatalf("the CLI's lock after release: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

// diff writes the Player history's first file: camelCase names quoted,
// and no change on a second run; the temporary dev database is dropped,
// also when the desired state fails.
func TestDiff(t *testing.T) {
	skipWithoutSample(t)
	tg, _ := pgTarget(t)
	ctx := context.Background()
	dir, err := migdir.Open(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	in := DiffInput{Target: tg, Dir: dir, Models: Models{List: appschema.Models()}, Name: "create_players", Version: "20260101000000"}
	f, err := Diff(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../migrations/postgres/20261130042119_create_players.sql")
	if err != nil {
		t.Fatal(err)
	}
	if string(f.File.Bytes()) != string(committed) {
		t.Fatalf("diff wrote:\n%s\nthe committed history has:\n%s", f.File.Bytes(), committed)
	}
	if err := migdir.Validate(dir); err != nil {
		t.Fatalf("atlas.sum: %v", err)
	}
	// Its down script, as the committed one, in down/ with its atlas.sum.
	committed, err = os.ReadFile("../../migrations/postgres/down/20261130042119_create_players.sql")
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(filepath.Join(dir.Path(), "down", "20260101000000_create_players.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != string(committed) || string(f.Down.Bytes()) != string(committed) {
		t.Fatalf("diff wrote the down script:\n%s\nthe committed history has:\n%s", written, committed)
	}
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Validate(dir); err != nil {
		t.Fatalf("down/atlas.sum: %v", err)
	}
	in.Name, in.Version = "again", "20260101000001"
	if f, err := Diff(ctx, in); err != nil || f != nil {
		t.Fatalf("second diff: %v, %v; want no changes", f, err)
	}
	in.Models.Options = desired.Options{Desired: func(*gorm.Config, []any) (string, error) { return "", nil }}
	if _, err := Diff(ctx, in); !errors.Is(err, desired.ErrHookNotPortable) {
		t.Fatalf("diff with a Desired hook: %v", err)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("dev databases left behind: %q", left)
	}
}

// The revisions table as the Atlas CLI's ent schema describes it on
// PostgreSQL (cmd/atlas/internal/migrate/ent/migrate/schema.go through
// ent's PostgreSQL types: field.String → character varying, Text →
// text, Uint/Int/Int64 → bigint, Time → timestamptz, Strings → jsonb),
// built here from that description, not from our DDL: Atlas finds no
// change between it and the table apply created, so the CLI's own
// migration of the table (ent Schema.Create, a diff limited to this
// table, drop column allowed) is a no-op.
func TestRevisionsTableIsTheCLIs(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	if _, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: history(t), Out: io.Discard, Wait: time.Second}); err != nil {
		t.Fatal(err)
	}
	drv, err := tg.Dialect.Driver(db)
	if err != nil {
		t.Fatal(err)
	}
	live, err := drv.InspectSchema(ctx, "atlas_schema_revisions", nil)
	if err != nil {
		t.Fatal(err)
	}
	str := func(n string) *schema.Column {
		return schema.NewColumn(n).SetType(&schema.StringType{T: "character varying"})
	}
	text := func(n string) *schema.Column {
		return schema.NewNullColumn(n).SetType(&schema.StringType{T: "text"})
	}
	bigint := func(n string) *schema.Column {
		return schema.NewColumn(n).SetType(&schema.IntegerType{T: "bigint"})
	}
	version := str("version")
	ent := schema.NewTable("atlas_schema_revisions").AddColumns(
		version, str("description"),
		bigint("type").SetDefault(&schema.Literal{V: "2"}),
		bigint("applied").SetDefault(&schema.Literal{V: "0"}),
		bigint("total").SetDefault(&schema.Literal{V: "0"}),
		schema.NewColumn("executed_at").SetType(&schema.TimeType{T: "timestamp with time zone"}),
		bigint("execution_time"),
		text("error"), text("error_stmt"),
		str("hash"),
		schema.NewNullColumn("partial_hashes").SetType(&schema.JSONType{T: "jsonb"}),
		str("operator_version"),
	).SetPrimaryKey(schema.NewPrimaryKey(version))
	want := schema.New("atlas_schema_revisions").AddTables(ent)
	if len(live.Tables) != 1 {
		t.Fatalf("schema atlas_schema_revisions holds %d tables, want 1", len(live.Tables))
	}
	changes, err := drv.SchemaDiff(live, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		plan, err := drv.PlanChanges(ctx, "ent", changes)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Changes {
			t.Errorf("the CLI would change the table: %s", c.Cmd)
		}
	}
}
