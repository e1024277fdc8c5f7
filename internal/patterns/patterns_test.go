package patterns

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Names that ident accepts but that break SQL written without quoting: a
// quote, a double quote, a space, ";" and a comment opener.
const (
	tbl     = `pla"yers; --x`
	key     = `i'd`
	email   = `e mail/*`
	nameCol = `na;me`
	ctry    = `coun"try`
)

// TestRoundTripOddNames applies every template's up file and then its down
// file to a real SQLite file whose names need quoting, and requires the up
// file to change the database and the down file to restore every value.
// (The CLI test new_template.txtar does the same through the data-loss guard.)
func TestRoundTripOddNames(t *testing.T) {
	params := map[string]Params{
		"index":    {Table: tbl, Columns: []string{ctry, nameCol}},
		"unique":   {Table: tbl, Columns: []string{email}},
		"backfill": {Table: tbl, Columns: []string{ctry}, Key: key, Value: "it's", ValueSet: true},
		"split":    {Table: tbl, Columns: []string{nameCol}, Into: []string{"fi'rst", "la st"}, Separator: "; "},
		"seed":     {Table: tbl, Columns: []string{key, email}},
	}
	todo := regexp.MustCompile(`\(TODO\([^)]*\), TODO\([^)]*\)\)`)
	for _, p := range Patterns {
		t.Run(p.Name, func(t *testing.T) {
			up, down, err := p.Render(params[p.Name])
			if err != nil {
				t.Fatal(err)
			}
			if p.Name == "seed" {
				rows := []byte(`(1, 'dup'), (20, 's1'), (21, 's2')`)
				up, down = todo.ReplaceAll(up, rows), todo.ReplaceAll(down, rows)
			}
			db := populated(t)
			before := dump(t, db)
			exec(t, db, up)
			if after := dump(t, db); after == before {
				t.Errorf("the up file changed nothing:\n%s", up)
			}
			exec(t, db, down)
			if after := dump(t, db); after != before {
				t.Errorf("after up and down:\n%s\nwant:\n%s", after, before)
			}
		})
	}
}

func populated(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "t.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q := ident.Quote
	exec(t, db, []byte(fmt.Sprintf(`CREATE TABLE %s (%s integer PRIMARY KEY, %s text, %s text, %s text);
INSERT INTO %[1]s VALUES (1, 'a', 'Ann; Lee', NULL), (2, 'a', 'Bo', 'fr'), (3, NULL, NULL, NULL), (4, NULL, '; x; y', 'es');`,
		q(tbl), q(key), q(email), q(nameCol), q(ctry))))
	return db
}

func exec(t *testing.T, db *sql.DB, b []byte) {
	t.Helper()
	if _, err := db.Exec(string(b)); err != nil {
		t.Fatalf("%v in:\n%s", err, b)
	}
}

// dump is the schema and every value with its storage class.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	rows, err := db.Query(`SELECT type, name, sql FROM sqlite_master ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ, n string
		var s sql.NullString
		if err := rows.Scan(&typ, &n, &s); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, typ, n, s.String)
	}
	rows.Close()
	// The table's columns are read back, so a column left behind shows.
	q := `SELECT group_concat(quote(` + ident.Quote(key) + `) || '|' || quote(` + ident.Quote(email) + `) || '|' || quote(` +
		ident.Quote(nameCol) + `) || '|' || quote(` + ident.Quote(ctry) + `), ';') FROM (SELECT * FROM ` + ident.Quote(tbl) + ` ORDER BY 1)`
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return b.String() + s
}

func TestLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12", "-3": "-3", "2.5": "2.5", "1e3": "1e3",
		"": "''", "O'Brien": "'O''Brien'", "NaN": "'NaN'", "Inf": "'Inf'", "0x10": "'0x10'",
		"1 OR 1": "'1 OR 1'", "a`b": "'a`b'",
	} {
		got, err := literal("--value", in)
		if err != nil || got != want {
			t.Errorf("literal(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a\nb", "a\u202eb", "\xff"} {
		if _, err := literal("--value", in); err == nil {
			t.Errorf("literal(%q) is accepted", in)
		}
	}
}

// TestRefused: every bad parameter is one line naming the flag or name.
func TestRefused(t *testing.T) {
	for _, c := range []struct {
		pattern string
		p       Params
		want    string
	}{
		{"index", Params{Columns: []string{"a"}}, `needs --table`},
		{"index", Params{Table: "t"}, `needs --column`},
		{"backfill", Params{Table: "t", Columns: []string{"a"}, Key: "id"}, `needs --value`},
		{"backfill", Params{Table: "t", Columns: []string{"a", "b"}, Key: "id", ValueSet: true}, `takes one --column`},
		{"split", Params{Table: "t", Columns: []string{"a"}, Into: []string{"b", "c", "d"}}, `two new column names`},
		{"index", Params{Table: "t`x", Columns: []string{"a"}}, `table "t` + "`" + `x" contains a backtick`},
		{"unique", Params{Table: "t", Columns: []string{"a", ""}}, `column "" of table "t" is empty`},
		{"index", Params{Table: "t", Columns: []string{"a"}, Index: "i\x00"}, `control character U+0000`},
		{"split", Params{Table: "t", Columns: []string{"a"}, Into: []string{"b", "c"}, Separator: "\n"}, `--separator contains the control character`},
		// Each of these rendered a file that failed to apply, or (backfill) whose
		// down script silently reverted nothing.
		{"seed", Params{Table: "t", Columns: []string{"a", "A"}}, `--column name "A" twice`},
		{"index", Params{Table: "t", Columns: []string{"a", "a"}}, `--column name "a" twice`},
		{"backfill", Params{Table: "t", Columns: []string{"c"}, Key: "c", ValueSet: true}, `--key and --column name "c" twice`},
		{"split", Params{Table: "t", Columns: []string{"a"}, Into: []string{"b", "b"}}, `--into and --column name "b" twice`},
		{"split", Params{Table: "t", Columns: []string{"a"}, Into: []string{"a", "b"}}, `--into and --column name "a" twice`},
		{"index", Params{Table: "t", Columns: []string{"a"}, Index: "sqlite_autoindex_t_1"}, `SQLite reserves`},
		{"seed", Params{Table: "sqlite_sequence", Columns: []string{"a"}}, `SQLite's`},
	} {
		p, _ := Lookup(c.pattern)
		_, _, err := p.Render(c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %+v: %v; want one line with %q", c.pattern, c.p, err, c.want)
		}
	}
}
