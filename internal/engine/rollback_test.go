package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/rollback"
)

func downOf(t *testing.T, dir migdir.Dir) *migdir.Down {
	t.Helper()
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Validate(dir); err != nil {
		t.Fatal(err)
	}
	return down
}

// The committed history applies, rolls back one step (the seed's down
// script deletes the 25 players: refused, then forced) and to 0 (the
// create's), and applies again: the same 25 rows, field for field.
func TestRollbackHistory(t *testing.T) {
	skipWithoutSample(t)
	tg, db := pgTarget(t)
	ctx := context.Background()
	dir := history(t)
	in := ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: time.Second}
	if _, err := Apply(ctx, in); err != nil {
		t.Fatal(err)
	}
	const rowsQ = `SELECT coalesce(string_agg(p::text, E'\n' ORDER BY "id"), '') FROM "players" p`
	const revsQ = `SELECT coalesce(string_agg(version, ',' ORDER BY version), '') FROM atlas_schema_revisions.atlas_schema_revisions`
	seeded := query(t, db, rowsQ)[0]
	if n := strings.Count(seeded, "\n") + 1; n != 25 {
		t.Fatalf("%d players after apply, want 25", n)
	}
	rb := RollbackInput{Target: tg, DB: db, Dir: dir, Down: downOf(t, dir), Out: io.Discard, Wait: time.Second}

	// Without --force: refused, naming the file, the table and the count.
	_, err := Rollback(ctx, rb)
	var le *guard.LossError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `down/20261130042120_seed_players.sql:4: table "players" loses 25 rows`) {
		t.Fatalf("rollback of the seed: %v, want a refusal naming players and 25 rows", err)
	}
	if got := query(t, db, rowsQ)[0]; got != seeded {
		t.Fatal("the refused rollback changed the rows")
	}
	if got := query(t, db, revsQ)[0]; got != "20261130042119,20261130042120" {
		t.Fatalf("revisions after the refusal: %s", got)
	}

	rb.Force = true
	res, err := Rollback(ctx, rb)
	if err != nil {
		t.Fatal(err)
	}
	if res.Target != "20261130042119" || strings.Join(res.Reverted, ",") != "20261130042120" || len(res.Losses) != 1 {
		t.Fatalf("result: %+v", res)
	}
	if got := query(t, db, `SELECT count(*)::text FROM "players"`)[0]; got != "0" {
		t.Fatalf("players after rolling back the seed: %s", got)
	}
	if got := query(t, db, revsQ)[0]; got != "20261130042119" {
		t.Fatalf("revisions after one step: %s", got)
	}

	rb.Force, rb.To = false, rollback.All
	if _, err := Rollback(ctx, rb); err != nil {
		t.Fatal(err)
	}
	if got := query(t, db, `SELECT coalesce(to_regclass('"players"')::text, 'absent') || ' ' || (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions)`)[0]; got != "absent 0" {
		t.Fatalf("after --to 0: %s", got)
	}
	if res, err := Rollback(ctx, rb); err != nil || len(res.Reverted) != 0 {
		t.Fatalf("a second --to 0: %+v, %v", res, err)
	}

	if done, err := Apply(ctx, in); err != nil || len(done) != 2 {
		t.Fatalf("apply again: %d files, %v", len(done), err)
	}
	if got := query(t, db, rowsQ)[0]; got != seeded {
		t.Fatalf("players after applying again:\n%s\nwant:\n%s", got, seeded)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("dev databases left behind: %q", left)
	}
}

// writeDir makes a directory of files (name → body) and hashes it; names
// under down/ are down scripts.
func writeDir(t *testing.T, files map[string]string) *migrate.LocalDir {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := migdir.Open(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "down")); err == nil {
		down, err := migdir.Open(filepath.Join(root, "down"), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := migdir.Hash(down); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Without a down script the step is computed from the live schema to the
// directory at the previous version; a down script that leaves another
// schema is refused (the transaction rolled back), and one that fails
// names its file and line; a dry run changes nothing.
func TestRollbackComputedAndRefused(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	base := map[string]string{
		"1_t.sql":   `CREATE TABLE "t" ("id" int PRIMARY KEY, "a" text);` + "\n" + `INSERT INTO "t" VALUES (1, 'x');` + "\n",
		"2_add.sql": `ALTER TABLE "t" ADD COLUMN "camelCase" text;` + "\n" + `CREATE INDEX "t_a" ON "t" ("a");` + "\n",
	}
	const schemaQ = `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) || ' ' || (SELECT count(*) FROM pg_indexes WHERE tablename = 't') || ' ' || (SELECT string_agg(version, ',' ORDER BY version) FROM atlas_schema_revisions.atlas_schema_revisions) FROM information_schema.columns WHERE table_name = 't'`
	cases := []struct {
		name, down string
		dry        bool
		want       string // "" succeeds
	}{
		{name: "dry run", dry: true},
		{name: "wrong down script", down: `DROP INDEX "t_a";` + "\n", want: `the schema after it does not equal the migration directory at 1 (still to do: ALTER TABLE "t" DROP COLUMN "camelCase")`},
		{name: "failing down script", down: `DROP INDEX "t_a";` + "\n" + `ALTER TABLE "t" DROP COLUMN "nope";` + "\n", want: `down/2_add.sql:2: reverting "ALTER TABLE \"t\" DROP COLUMN \"nope\";": `},
		{name: "computed"},
	}
	files := map[string]string{}
	for k, v := range base {
		files[k] = v
	}
	dir := writeDir(t, files)
	if _, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: time.Second}); err != nil {
		t.Fatal(err)
	}
	before := query(t, db, schemaQ)[0]
	if before != "id,a,camelCase 2 1,2" {
		t.Fatalf("after apply: %s", before)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			if c.down != "" {
				files["down/2_add.sql"] = c.down
			}
			dir := writeDir(t, files)
			var out bytes.Buffer
			_, err := Rollback(ctx, RollbackInput{Target: tg, DB: db, Dir: dir, Down: downOf(t, dir), DryRun: c.dry, Out: &out, Wait: time.Second})
			after := query(t, db, schemaQ)[0]
			switch {
			case c.want != "":
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("rollback: %v, want an error with %q", err, c.want)
				}
				if after != before {
					t.Fatalf("the refused rollback changed the database: %s", after)
				}
			case err != nil:
				t.Fatalf("rollback: %v\n%s", err, &out)
			case c.dry:
				if after != before || !strings.Contains(out.String(), `ALTER TABLE "t" DROP COLUMN "camelCase"`) || !strings.Contains(out.String(), "Dry run: the transaction was rolled back") {
					t.Fatalf("dry run: %s\n%s", after, &out)
				}
			default:
				if after != "id,a 1 1" || !strings.Contains(out.String(), "computed, no down script") {
					t.Fatalf("computed rollback left %s\n%s", after, &out)
				}
				if got := query(t, db, `SELECT "a" FROM "t"`); len(got) != 1 || got[0] != "x" {
					t.Fatalf("rows: %q", got)
				}
			}
		})
	}
}

// Drift (a column added by hand) is refused, naming what would reconcile
// it; forced, a computed step first removes it, then the down script runs.
// A run that holds the Atlas CLI's apply lock keeps the rollback out.
func TestRollbackDriftAndLock(t *testing.T) {
	tg, db := pgTarget(t)
	ctx := context.Background()
	dir := writeDir(t, map[string]string{
		"1_t.sql":        `CREATE TABLE "t" ("id" int PRIMARY KEY);` + "\n",
		"2_add.sql":      `ALTER TABLE "t" ADD COLUMN "b" text;` + "\n",
		"down/2_add.sql": `ALTER TABLE "t" DROP COLUMN "b";` + "\n",
	})
	if _, err := Apply(ctx, ApplyInput{Target: tg, DB: db, Dir: dir, Out: io.Discard, Wait: time.Second}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TABLE "t" ADD COLUMN "byHand" int`); err != nil {
		t.Fatal(err)
	}
	const colsQ = `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) || ' ' || (SELECT string_agg(version, ',' ORDER BY version) FROM atlas_schema_revisions.atlas_schema_revisions) FROM information_schema.columns WHERE table_name = 't'`
	rb := RollbackInput{Target: tg, DB: db, Dir: dir, Down: downOf(t, dir), Out: io.Discard, Wait: time.Second}

	// Another run holds the lock for the whole wait: nothing changes.
	other, err := tg.Dialect.Open(ctx, tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	release, err := tg.Dialect.Lock(ctx, other, time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rb.Wait = 200 * time.Millisecond
	var held *dialect.HeldError
	if _, err := Rollback(ctx, rb); !errors.As(err, &held) {
		t.Fatalf("rollback under another run's lock: %v, want a HeldError", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	rb.Wait = time.Second

	_, err = Rollback(ctx, rb)
	var de *rollback.DriftError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), `ALTER TABLE "t" DROP COLUMN "byHand"`) {
		t.Fatalf("rollback of a drifted database: %v, want a DriftError naming the column", err)
	}
	if got := query(t, db, colsQ)[0]; got != "id,b,byHand 1,2" {
		t.Fatalf("the refused rollback changed the database: %s", got)
	}
	rb.Force = true
	var out bytes.Buffer
	rb.Out = &out
	if _, err := Rollback(ctx, rb); err != nil {
		t.Fatalf("forced: %v\n%s", err, &out)
	}
	if got := query(t, db, colsQ)[0]; got != "id 1" {
		t.Fatalf("after the forced rollback: %s\n%s", got, &out)
	}
	if !strings.Contains(out.String(), "removing the drift") || !strings.Contains(out.String(), "reverting version 2 ("+filepath.Join(dir.Path(), "down", "2_add.sql")+")") {
		t.Fatalf("log:\n%s", &out)
	}
}
