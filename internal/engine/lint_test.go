package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/lint"
	"github.com/structmigrate/structmigrate/internal/migdir"
	appschema "github.com/structmigrate/structmigrate/schema"
)

// A dev url (the env's dev): the committed history lints clean there, the
// dev database is empty again afterwards, the target is untouched and no
// temporary database is made.
func TestLintOnDevURL(t *testing.T) {
	skipWithoutSample(t)
	tg, db := pgTarget(t)
	devTg, dev := pgTarget(t)
	tg.Dev = devTg.URL
	r, err := Lint(context.Background(), LintInput{Target: tg, Options: lint.Options{Dir: history(t), Models: appschema.Models()}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors+r.Warnings+r.Excused != 0 || len(r.NewFiles) != 2 {
		t.Fatalf("report: %+v", r)
	}
	for name, conn := range map[string]*sql.DB{"dev": dev, "target": db} {
		got := query(t, conn, `SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`)
		if got[0] != "0" {
			t.Errorf("%s database holds %s relations after lint", name, got[0])
		}
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("temporary dev databases made: %q", left)
	}
}

// A dev database that is not empty is refused (as Atlas's Snapshot refuses
// it), and its table is left as it was.
func TestLintDevNotEmpty(t *testing.T) {
	tg, _ := pgTarget(t)
	devTg, dev := pgTarget(t)
	tg.Dev = devTg.URL
	if _, err := dev.Exec(`CREATE TABLE "mine" ("x" int); INSERT INTO "mine" VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	_, err := Lint(context.Background(), LintInput{Target: tg, Options: lint.Options{Dir: history(t)}})
	if err == nil || !strings.Contains(err.Error(), `found table "mine"`) {
		t.Fatalf("lint on a dev database holding a table: %v", err)
	}
	if got := query(t, dev, `SELECT x::text FROM "mine"`); len(got) != 1 || got[0] != "7" {
		t.Fatalf("the dev database's table: %q", got)
	}
}

// A file that ends its transaction is refused as apply refuses it: the
// replay names the statement (SM201), and what ran after its COMMIT
// would not be measured. The temporary dev database is dropped.
func TestLintTxControl(t *testing.T) {
	tg, _ := pgTarget(t)
	dir, err := migdir.Open(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	body := "CREATE TABLE \"a\" (\"x\" int);\nCOMMIT;\nDROP TABLE \"a\";\n"
	if err := dir.WriteFile("1_commit.sql", []byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	r, err := Lint(context.Background(), LintInput{Target: tg, Options: lint.Options{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diagnostics) != 1 || r.Errors != 1 {
		t.Fatalf("report: %+v", r)
	}
	d := r.Diagnostics[0]
	if d.Code != lint.CodeReplay || d.Line != 2 || d.SQL != "COMMIT;" || !strings.HasSuffix(d.File, "1_commit.sql") {
		t.Fatalf("diagnostic: %+v", d)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("dev databases left behind: %q", left)
	}
}

// Rule 5: a new file's down script runs right after it. One that leaves
// the file's column is SM401 with the SQL that would finish it; one that
// fails is SM401 at its line; the replay goes on from the up file's state
// (3_use.sql needs 2's column). When a later file fails to replay, only
// that failure is reported, as SQLite's lint does.
func TestLintReversible(t *testing.T) {
	tg, _ := pgTarget(t)
	files := map[string]string{
		"1_t.sql":        `CREATE TABLE "t" ("id" int PRIMARY KEY);` + "\n",
		"2_add.sql":      `ALTER TABLE "t" ADD COLUMN "w" int;` + "\n",
		"3_use.sql":      `CREATE INDEX "t_w" ON "t" ("w");` + "\n",
		"down/1_t.sql":   `DROP TABLE "t";` + "\n",
		"down/2_add.sql": `SELECT 1;` + "\n",
		"down/3_use.sql": "DROP INDEX \"t_w\";\nDROP INDEX \"nope\";\n",
	}
	dir := writeDir(t, files)
	r, err := Lint(context.Background(), LintInput{Target: tg, Options: lint.Options{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Diagnostics {
		got = append(got, fmt.Sprintf("%s:%d %s %s | %s", strings.TrimPrefix(d.File, dir.Path()+"/"), d.Line, d.Code, d.Message, d.SQL))
	}
	want := []string{
		`down/2_add.sql:1 SM401 up then down does not return to the state before 2_add.sql | ALTER TABLE "t" DROP COLUMN "w";` + "\n",
		`down/3_use.sql:2 SM401 down script fails after its up file: ERROR: index "nope" does not exist (SQLSTATE 42704) | DROP INDEX "nope";`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || r.Errors != 2 {
		t.Fatalf("diagnostics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	files["4_bad.sql"] = `INSERT INTO "t" VALUES ('x');` + "\n"
	r, err = Lint(context.Background(), LintInput{Target: tg, Options: lint.Options{Dir: writeDir(t, files)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diagnostics) != 1 || r.Diagnostics[0].Code != lint.CodeReplay {
		t.Fatalf("with a file that fails to replay: %+v", r.Diagnostics)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Fatalf("dev databases left behind: %q", left)
	}
}
