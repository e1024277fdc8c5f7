package engine

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// dbState is what a dry run must leave as it was: the user relations with
// their storage files (a rewrite changes one), their columns, every row of
// t and u, and the revisions.
func dbState(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT coalesce(string_agg(n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relfilenode, ', ' ORDER BY 1), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'`,
		`SELECT coalesce(string_agg(table_name || '.' || column_name || ' ' || data_type, ', ' ORDER BY 1), '') FROM information_schema.columns WHERE table_schema = 'public'`,
		`SELECT coalesce(string_agg(r::text, ', ' ORDER BY 1), '') FROM "t" r`,
		`SELECT CASE WHEN to_regclass('"u"') IS NULL THEN 'no u' ELSE 'u exists' END`,
		`SELECT coalesce(string_agg(r::text, ', ' ORDER BY 1), '') FROM atlas_schema_revisions.atlas_schema_revisions r`,
	} {
		b.WriteString(query(t, db, q)[0] + "\n")
	}
	return b.String()
}

// A dry run runs every file under the guard in one transaction and rolls
// it back: a file whose values the guard must compare one by one (it
// goes back to its savepoint and runs again) is refused, or with Force
// accepted, and the file after it still runs; the lock is the apply
// lock; nothing changes, the catalog's storage files included.
func TestApplyDryRun(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	dir := writeDir(t, map[string]string{
		"1_t.sql":    `CREATE TABLE "t" ("id" int PRIMARY KEY, "v" text);` + "\n" + `INSERT INTO "t" VALUES (1, 'a'), (2, 'b'), (3, 'c');` + "\n",
		"2_upd.sql":  `CREATE TABLE "u" ("x" int);` + "\n" + `UPDATE "t" SET "v" = upper("v") WHERE "id" = 2;` + "\n",
		"3_more.sql": `INSERT INTO "u" VALUES (1);` + "\n" + `ALTER TABLE "t" ALTER COLUMN "v" TYPE varchar(20);` + "\n",
	})
	in := ApplyInput{Target: tg, DB: db, Dir: dir, Amount: 1, Out: io.Discard, Operator: "test", Wait: time.Second}
	if _, err := Apply(ctx, in); err != nil {
		t.Fatal(err)
	}
	before := dbState(t, db)
	in.Amount, in.DryRun = 0, true

	var out bytes.Buffer
	in.Out = &out
	if done, err := Apply(ctx, in); err != nil || len(done) != 0 {
		t.Fatalf("dry run: %d files, %v\n%s", len(done), err, &out)
	}
	for _, want := range []string{
		`-- would be refused without --force: apply refused, it would lose data: ` + dir.Path() + `/2_upd.sql:2: column "t"."v": 1 value changed (e.g. id='2': 'b' → 'B')`,
		"-- not run: 1 file after it\n-- 3_more.sql (2 statements, dry run: not applied)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("dry run output lacks %q:\n%s", want, &out)
		}
	}
	if after := dbState(t, db); after != before {
		t.Fatalf("the dry run changed the database:\n%s\nwas\n%s", after, before)
	}

	out.Reset()
	in.Force = true
	if _, err := Apply(ctx, in); err != nil {
		t.Fatalf("forced dry run: %v\n%s", err, &out)
	}
	if !strings.Contains(out.String(), `  -- data loss accepted with --force: `+dir.Path()+`/2_upd.sql:2: column "t"."v": 1 value changed`) ||
		!strings.HasSuffix(out.String(), "CREATE TABLE \"u\" (\"x\" int);\nUPDATE \"t\" SET \"v\" = upper(\"v\") WHERE \"id\" = 2;\n  -- data loss accepted with --force: "+dir.Path()+"/2_upd.sql:2: column \"t\".\"v\": 1 value changed (e.g. id='2': 'b' → 'B')\n-- 3_more.sql (2 statements, dry run: not applied)\nINSERT INTO \"u\" VALUES (1);\nALTER TABLE \"t\" ALTER COLUMN \"v\" TYPE varchar(20);\n"+dryDone+"\n") {
		t.Fatalf("forced dry run output:\n%s", &out)
	}
	if after := dbState(t, db); after != before {
		t.Fatalf("the forced dry run changed the database:\n%s\nwas\n%s", after, before)
	}

	// Another run holds the apply lock: the dry run waits for it, then
	// gives up, as apply does.
	other, err := tg.Dialect.Open(ctx, tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	release, err := tg.Dialect.Lock(ctx, other, time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	in.Wait = 200 * time.Millisecond
	var held *dialect.HeldError
	if _, err := Apply(ctx, in); !errors.As(err, &held) {
		t.Fatalf("dry run under another run's lock: %v, want a HeldError", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}

	// The real apply then does what the forced dry run showed.
	in.DryRun = false
	if done, err := Apply(ctx, in); err != nil || len(done) != 2 {
		t.Fatalf("apply: %d files, %v", len(done), err)
	}
	if got := query(t, db, `SELECT string_agg("v", ',' ORDER BY "id") || ' ' || (SELECT count(*) FROM "u") FROM "t"`)[0]; got != "a,B,c 1" {
		t.Fatalf("after apply: %s", got)
	}
}

// A pending `-- atlas:txmode none` file runs in the dry run statement by
// statement, measured: a loss is reported as apply would refuse it, and
// CREATE INDEX CONCURRENTLY, which PostgreSQL runs only outside a
// transaction, is named as not run. Nothing changes.
func TestApplyDryRunTxModeNone(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	dir := writeDir(t, map[string]string{
		"1_t.sql":   `CREATE TABLE "t" ("id" int PRIMARY KEY, "v" text);` + "\n" + `INSERT INTO "t" VALUES (1, 'a');` + "\n",
		"2_idx.sql": "-- atlas:txmode none\n\n" + `CREATE INDEX CONCURRENTLY "t_v" ON "t" ("v");` + "\n" + `UPDATE "t" SET "v" = 'b';` + "\n",
	})
	var out bytes.Buffer
	in := ApplyInput{Target: tg, DB: db, Dir: dir, Out: &out, Wait: time.Second, DryRun: true}
	if _, err := Apply(ctx, in); err != nil {
		t.Fatalf("dry run over a txmode none file: %v\n%s", err, &out)
	}
	for _, want := range []string{
		`-- not run in the dry run (PostgreSQL runs it only outside a transaction, as apply will): CREATE INDEX CONCURRENTLY "t_v" ON "t" ("v");`,
		`-- would be refused without --force: apply refused, it would lose data: ` + dir.Path() + `/2_idx.sql:4: column "t"."v"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("dry run output lacks %q:\n%s", want, &out)
		}
	}
	if got := query(t, db, `SELECT coalesce(to_regclass('"t"')::text, 'absent') || ' ' || coalesce(to_regnamespace('atlas_schema_revisions')::text, 'absent')`)[0]; got != "absent absent" {
		t.Fatalf("the dry run changed the database: %s", got)
	}
}
