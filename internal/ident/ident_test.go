package ident_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// The property behind the refusals: a name is either refused (Problem;
// Skipped for a table; "WHERE" in a partial index; SQLite itself refuses
// tables named sqlite_…), or a table, columns and a partial index named
// after it, created with Quote, come back from sqlite_master and Atlas's
// inspection exactly, and every statement Atlas plans with them (create,
// and a table rebuild that copies the rows with a CAST) is one complete
// statement that runs and leads to the planned schema.
func roundTrip(t *testing.T, name string) {
	t.Helper()
	if ident.Problem(name) != "" || ident.Skipped(name) {
		return
	}
	ctx := context.Background()
	col, col2, idx := name, name+" 2", name+" idx"
	src := dev(t)
	if len(name) >= 7 && strings.EqualFold(name[:7], "sqlite_") {
		// SQLite's own prefix: no database holds such a table.
		if _, err := src.DB.ExecContext(ctx, "CREATE TABLE "+ident.Quote(name)+" (a int)"); err == nil {
			t.Fatalf("%q: SQLite created a table with its reserved prefix", name)
		}
		return
	}
	for _, stmt := range []string{
		"CREATE TABLE " + ident.Quote(name) + " (" + ident.Quote(col) + " text, " + ident.Quote(col2) + " text)",
		"CREATE INDEX " + ident.Quote(idx) + " ON " + ident.Quote(name) + " (" + ident.Quote(col) + ") WHERE " + ident.Quote(col2) + " IS NOT NULL",
	} {
		if err := migdir.OneStmt(stmt); err != nil {
			t.Fatalf("%q: not one statement (%v): %s", name, err, stmt)
		}
		if _, err := src.DB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%q: %v: %s", name, err, stmt)
		}
	}
	var got string
	if err := src.DB.QueryRowContext(ctx, "SELECT `name` FROM `sqlite_master` WHERE `type` = 'table' AND `name` = ?", name).Scan(&got); err != nil {
		t.Fatalf("%q: not in sqlite_master: %v", name, err)
	}
	s, err := src.Driver.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatalf("%q: inspect: %v", name, err)
	}
	err = ident.CheckSchema(s)
	if strings.Contains(name, "WHERE") {
		// Refused in the names of a partial index only.
		if err == nil {
			t.Fatalf("%q: a partial index with this name was not refused", name)
		}
		return
	}
	if err != nil {
		t.Fatalf("%q: accepted by Problem, refused by CheckSchema: %v", name, err)
	}
	inspected(t, s, name, col, col2, idx)

	// Atlas creates it on an empty database.
	dst := dev(t)
	changes, err := plan.Diff(dst.Driver, schema.New("main"), s)
	if err != nil {
		t.Fatal(err)
	}
	run(t, dst, name, changes)
	created, err := dst.Driver.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatalf("%q: inspect: %v", name, err)
	}
	inspected(t, created, name, col, col2, idx)
	if changes, err := plan.Diff(dst.Driver, created, s); err != nil || len(changes) > 0 {
		t.Fatalf("%q: the created schema differs from the source (%v): %d changes", name, err, len(changes))
	}
	if _, err := dst.DB.ExecContext(ctx, "INSERT INTO "+ident.Quote(name)+" VALUES ('x', '7')"); err != nil {
		t.Fatal(err)
	}

	// Atlas rebuilds it, copying the rows with a CAST: col2 becomes an
	// integer and col is dropped.
	want, err := dst.Driver.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := want.Table(name)
	c2, _ := tw.Column(col2)
	c2.Type.Type = &schema.IntegerType{T: "integer"}
	tw.Columns = []*schema.Column{c2}
	tw.Indexes = nil
	if changes, err = plan.Diff(dst.Driver, created, want); err != nil {
		t.Fatal(err)
	}
	run(t, dst, name, changes)
	var n int
	if err := dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+ident.Quote(name)+" WHERE "+ident.Quote(col2)+" = 7").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%q: after the rebuild, %d rows keep their value (%v), want 1", name, n, err)
	}
}

// run plans changes as diff does and executes the plan statement by statement.
func run(t *testing.T, d *sqlitedb.Dev, name string, changes []schema.Change) {
	t.Helper()
	p, err := plan.PlanChanges(context.Background(), d.Driver, "t", changes)
	if err != nil {
		t.Fatalf("%q: plan: %v", name, err)
	}
	if err := plan.CheckPlan(p); err != nil {
		t.Fatalf("%q: %v", name, err)
	}
	for _, c := range p.Changes {
		if _, err := d.DB.Exec(c.Cmd); err != nil {
			t.Fatalf("%q: %v: %s", name, err, c.Cmd)
		}
	}
}

// inspected checks that s holds the table, columns and index by exact name.
func inspected(t *testing.T, s *schema.Schema, table string, cols ...string) {
	t.Helper()
	idx := cols[len(cols)-1]
	cols = cols[:len(cols)-1]
	var tt *schema.Table
	for _, x := range s.Tables {
		if x.Name == table {
			tt = x
		}
	}
	if tt == nil || len(tt.Columns) != len(cols) || len(tt.Indexes) != 1 || tt.Indexes[0].Name != idx {
		t.Fatalf("%q: inspection does not hold the table, its columns and index exactly: %+v", table, s.Tables)
	}
	for i, c := range tt.Columns {
		if c.Name != cols[i] {
			t.Fatalf("%q: column %q inspected as %q", table, cols[i], c.Name)
		}
	}
}

func dev(t *testing.T) *sqlitedb.Dev {
	t.Helper()
	d, err := sqlitedb.OpenDev()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// pieces are what random names are made of: every character that quotes,
// comments, ends or escapes something in SQL, control and bidi characters,
// non-ASCII letters, and the prefixes Atlas's inspection skips.
var pieces = []string{
	"a", "Z", "_", "0", " ", "`", "``", "'", `"`, ";", "--", "/*", "*/", `\`, "(", ")", "[", "]", ",", ".",
	"?", "$", "%", ":", "@", "#", "\n", "\t", "\r", "\x00", "\x01", "\x7f", "\xff", "\xc3", "é", "ß", "日本",
	"\u202e", "\u2066", "\u200b", "\u00a0", "🙂", "sqlite", "libsql", "sqlite_", "new_", "WHERE", "DELETE FROM t",
}

func randomName(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.IntN(6); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestNamesRoundTrip checks the property for a fixed set of random names
// (FuzzNames explores more with go test -fuzz).
func TestNamesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	accepted := 0
	for range 400 {
		name := randomName(r)
		if ident.Problem(name) == "" && !ident.Skipped(name) {
			accepted++
		}
		roundTrip(t, name)
	}
	t.Logf("%d of 400 accepted", accepted)
	if accepted < 100 {
		t.Fatalf("only %d of 400 random names were accepted: the property was hardly tested", accepted)
	}
}

// Names that look dangerous but quote fine are accepted and round-trip.
func TestOddNamesAccepted(t *testing.T) {
	for _, name := range []string{
		"plain", "a b", `say "hi"`, "it's", "x'); DELETE FROM t; --", `a;b`, "a -- b", "a /* b */", "a*/b", `a\`, `\'`,
		"é joueur", "日本 語", "🙂", "[a]", "a)b(", "a.b", "?1", "$x", "where", "new_t", "sqlite", "libsql", "\u00a0",
	} {
		if why := ident.Problem(name); why != "" || ident.Skipped(name) {
			t.Errorf("%q refused (%s)", name, why)
			continue
		}
		roundTrip(t, name)
	}
}

// The refused names are refused for a reason: each breaks SQL that Atlas
// generates, is invisible to it, or hides part of a line from a reviewer.
func TestRefusedNames(t *testing.T) {
	ctx := context.Background()
	for name, why := range map[string]string{
		"":                    "is empty",
		"x`":                  "contains a backtick",
		"t` (x); DELETE --":   "contains a backtick",
		"a\nb":                "contains the control character U+000A",
		"a\x00b":              "contains the control character U+0000",
		"a\u202eb":            "contains the control character U+202E",
		"a\xffb":              "is not valid UTF-8",
		"x\u2066y":            "contains the control character U+2066",
		"a\tb":                "contains the control character U+0009",
		"tab\x7f":             "contains the control character U+007F",
		"bidi\u200f":          "contains the control character U+200F",
		"arabic mark \u061c":  "contains the control character U+061C",
		"ltr embedding\u202a": "contains the control character U+202A",
	} {
		if got := ident.Problem(name); !strings.HasPrefix(got, why) {
			t.Errorf("Problem(%q) = %q, want %q…", name, got, why)
		}
	}
	// What Atlas does with them, unchecked.
	for _, name := range []string{"x`", "t` (x); DELETE --", ""} {
		d := dev(t)
		if _, err := d.DB.Exec("CREATE TABLE " + ident.Quote(name) + " (" + ident.Quote(name) + " int)"); err != nil {
			t.Fatal(err)
		}
		s, err := d.Driver.InspectSchema(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := plan.Diff(d.Driver, schema.New("main"), s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plan.PlanChanges(ctx, d.Driver, "t", changes); err == nil {
			t.Errorf("%q: planned", name)
		}
		p, err := d.Driver.PlanChanges(ctx, "t", changes)
		if err != nil {
			t.Fatal(err)
		}
		if plan.CheckPlan(p) == nil && strings.Contains(p.Changes[0].Cmd, ident.Quote(name)) {
			t.Errorf("%q: Atlas now quotes it (%s): Problem may accept it", name, p.Changes[0].Cmd)
		}
	}
	for _, name := range []string{"sqliteXstats", "SQLITE1", "libsql_t", "LibSQLx"} {
		d := dev(t)
		if _, err := d.DB.Exec("CREATE TABLE " + ident.Quote(name) + " (a int)"); err != nil {
			t.Fatal(err)
		}
		s, err := d.Driver.InspectSchema(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !ident.Skipped(name) || len(s.Tables) != 0 {
			t.Errorf("%q: Skipped = %v, Atlas inspects %d tables", name, ident.Skipped(name), len(s.Tables))
		}
	}
}

func TestNameError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ident.At(ident.CheckSchema(&schema.Schema{Tables: []*schema.Table{schema.NewTable("players").AddColumns(schema.NewStringColumn("x`; DELETE FROM players --", "text"))}}), "models: struct Player"),
			"models: struct Player: column \"x`; DELETE FROM players --\" of table \"players\" contains a backtick, which SQL generated by Atlas cannot quote; rename it"},
		{ident.CheckSchema(&schema.Schema{Tables: []*schema.Table{schema.NewTable(strings.Repeat("`", 50))}}),
			"table \"" + strings.Repeat("`", 40) + "…\" contains a backtick, which SQL generated by Atlas cannot quote; rename it"},
		{ident.CheckChanges([]schema.Change{&schema.ModifyTable{T: schema.NewTable("t"), Changes: []schema.Change{&schema.DropIndex{I: schema.NewIndex("i\n")}}}}),
			`index "i\n" of table "t" contains the control character U+000A, which hides part of a migration line from its reviewer; rename it`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("got  %v\nwant %s", tc.err, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for name, want := range map[string]string{"a": "`a`", "a`b": "`a``b`", "``": "``````", `it's "x"`: "`it's \"x\"`"} {
		if got := ident.Quote(name); got != want {
			t.Errorf("Quote(%q) = %s, want %s", name, got, want)
		}
	}
}

// FuzzNames explores the property with go test -fuzz=FuzzNames ./internal/ident.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"a", "x'); DELETE FROM t; --", "x`; DELETE FROM t; --", `"`, "é", "a\n", "sqlitex", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(roundTrip)
}

// On PostgreSQL a double quote is refused (Atlas writes "name" unescaped)
// and a backtick is an ordinary character; the other rules are SQLite's.
func TestProblemPG(t *testing.T) {
	for name, refused := range map[string]bool{`say "hi"`: true, "odd`table": false, "x\ny": true, "": true, "Players": false, `it's`: false} {
		if got := ident.ProblemPG(name) != ""; got != refused {
			t.Errorf("ProblemPG(%q) refused %v, want %v", name, got, refused)
		}
	}
}
