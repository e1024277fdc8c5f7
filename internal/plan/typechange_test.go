package plan

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/internal/testmodels"
)

var update = flag.Bool("update", false, "rewrite "+typesDoc+" from the measurements")

// typesDoc is the measured table, relative to this package.
const typesDoc = "../../docs/changes-types.md"

// typeSamples are the stored values measured, as SQL literals written into
// the source column (its affinity applies, as for any INSERT).
var typeSamples = []string{
	"NULL", "''", "'Zoë'", "'25'", "'0012'", "'1.50'", "'1e3'", "' 12'", "'yes'", "'true'", "'1'", "'0'",
	"9223372036854775807", "1.5", "2.0", "0.1",
	"'1986-10-16T00:00:00.000Z'", "'1986-10-16 00:00:00'", "'1986-10-16'", "x'00ff'",
}

// value is one stored value as SQLite reports it.
type value struct {
	typ    string // typeof(v)
	raw    any    // v as the driver returns it: nil, int64, float64, string, []byte
	text   string // CAST(v AS TEXT)
	quoted string // quote(v)
	rec    sqlitedb.Record
}

type outcome int

const (
	kept    outcome = iota // same storage class and bytes
	exact                  // another storage class, accepted by apply's guard
	changed                // anything else: apply refuses it
)

// classify uses the guard's own rule (guard.Kept): the page says what
// apply does.
func classify(before, after value) outcome {
	switch {
	case before.typ == after.typ && reflect.DeepEqual(before.raw, after.raw):
		return kept
	case before.typ != "null" && guard.Kept(before.rec, after.rec):
		return exact
	}
	return changed
}

// column is the column GORM creates for a field type: "text NULL".
type column struct{ typ, null string }

func (c column) String() string { return c.typ + " " + c.null }

// measurement is what one type change did to each sample.
type measurement struct {
	before, after []value
}

// TestTypeChangeTable changes the type of a field between every two of
// testmodels.FieldTypes, through plan.Next (the file diff writes), on a
// SQLite file holding typeSamples, and records whether each value is kept,
// converted exactly or changed. It writes (-update) or checks the table in
// docs/changes-types.md.
func TestTypeChangeTable(t *testing.T) {
	ctx := context.Background()
	type source struct {
		ft   testmodels.FieldType
		want *schema.Schema
		col  column
		dir  migdir.Dir
		init migrate.File
	}
	var sources []source
	for _, ft := range testmodels.FieldTypes {
		want, err := desired.Schema(ctx, ft.Model)
		if err != nil {
			t.Fatal(err)
		}
		tb, ok := want.Table("vals")
		if !ok {
			t.Fatalf("%s: no table vals", ft.Go)
		}
		c, ok := tb.Column("v")
		if !ok {
			t.Fatalf("%s: no column v", ft.Go)
		}
		typ, err := sqlite.FormatType(c.Type.Type)
		if err != nil {
			t.Fatal(err)
		}
		col := column{typ: typ, null: "NOT NULL"}
		if c.Type.Null {
			col.null = "NULL"
		}
		path := t.TempDir()
		dir, err := migdir.Open(path, true)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Next(ctx, dir, Input{Desired: want, Version: "20990101000000", Name: "init"})
		if err != nil {
			t.Fatalf("%s: %v", ft.Go, err)
		}
		if _, err := migdir.WriteFile(dir, res.File.Name(), res.File.Bytes()); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, source{ft: ft, want: want, col: col, dir: dir, init: res.File})
	}
	// Every Go pair; the results are grouped by column pair, and must agree
	// within a group. The same two files on the same samples give the same
	// values, so each distinct pair of files is measured once.
	byCols := map[[2]column]*measurement{}
	byFiles := map[string]*measurement{}
	noMigration := map[[2]string]bool{}
	for _, from := range sources {
		for _, to := range sources {
			if from.ft.Go == to.ft.Go {
				continue
			}
			res, err := Next(ctx, from.dir, Input{Desired: to.want, Version: "20990101000001", Name: "retype"})
			if err != nil {
				t.Fatalf("%s → %s: %v", from.ft.Go, to.ft.Go, err)
			}
			if res == nil {
				if from.col != to.col {
					t.Errorf("%s → %s: no migration, but the columns differ (%s, %s)", from.ft.Go, to.ft.Go, from.col, to.col)
				}
				noMigration[[2]string{from.ft.Go, to.ft.Go}] = true
				continue
			}
			for _, f := range []migrate.File{res.File, res.Down} {
				if strings.Contains(strings.ToUpper(string(f.Bytes())), "CAST(") {
					t.Errorf("%s → %s: the generated file casts:\n%s", from.ft.Go, to.ft.Go, f.Bytes())
				}
			}
			files := string(from.init.Bytes()) + "\x00" + string(res.File.Bytes())
			m, ok := byFiles[files]
			if !ok {
				m = measure(t, from.init, res.File)
				byFiles[files] = m
			}
			key := [2]column{from.col, to.col}
			if prev, ok := byCols[key]; ok && !reflect.DeepEqual(prev, m) {
				t.Errorf("%s → %s measured otherwise than another change from %s to %s", from.ft.Go, to.ft.Go, from.col, to.col)
			}
			byCols[key] = m
		}
	}
	var goTypes []string
	var cols []column
	for _, s := range sources {
		goTypes = append(goTypes, s.ft.Go)
		cols = append(cols, s.col)
	}
	doc := renderTypes(goTypes, cols, noMigration, byCols)
	if *update {
		if err := os.WriteFile(typesDoc, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile(typesDoc)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/plan -run TestTypeChangeTable -update)", err)
	}
	if string(committed) != doc {
		t.Errorf("%s is stale: run go test ./internal/plan -run TestTypeChangeTable -update", filepath.Base(typesDoc))
	}
}

// measure creates the source table in a SQLite file, writes typeSamples,
// runs the generated file's statements as a migration runs them, and
// returns the values before and after.
func measure(t *testing.T, init, up migrate.File) *measurement {
	t.Helper()
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "app.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	execFile(t, db, init)
	for i, s := range typeSamples {
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO `vals` (`id`, `v`) VALUES (%d, %s)", i+1, s)); err != nil {
			t.Fatalf("write %s: %v", s, err)
		}
	}
	m := &measurement{before: readVals(t, db)}
	execFile(t, db, up)
	m.after = readVals(t, db)
	return m
}

func execFile(t *testing.T, db *sql.DB, f migrate.File) {
	t.Helper()
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stmts {
		if _, err := db.Exec(st.Text); err != nil {
			t.Fatalf("%s: %s: %v", f.Name(), st.Text, err)
		}
	}
}

func readVals(t *testing.T, db *sql.DB) []value {
	t.Helper()
	// +v is v without its column's declared type, which would make the
	// driver parse text in a datetime column into a time.Time.
	rows, err := db.Query("SELECT typeof(`v`), +`v`, CAST(`v` AS TEXT), quote(`v`) FROM `vals` ORDER BY `id`")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []value
	for rows.Next() {
		var v value
		var text sql.NullString
		if err := rows.Scan(&v.typ, &v.raw, &text, &v.quoted); err != nil {
			t.Fatal(err)
		}
		v.text = text.String
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(typeSamples) {
		t.Fatalf("%d rows, want %d", len(out), len(typeSamples))
	}
	recs, err := guard.Values(context.Background(), db, "vals", []string{"id"}, "v")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(out) {
		t.Fatalf("guard read %d values, want %d", len(recs), len(out))
	}
	// sm_collect visits rows in table order, as ORDER BY id above.
	for i := range out {
		if want := fmt.Sprintf("id=%d", i+1); recs[i].KeyQ != want && recs[i].KeyQ != "" { // NULLs carry no key
			t.Fatalf("guard value %d is %s's, want %s", i, recs[i].KeyQ, want)
		}
		out[i].rec = recs[i]
	}
	return out
}

// renderTypes writes the markdown page.
func renderTypes(goTypes []string, cols []column, noMigration map[[2]string]bool, byCols map[[2]column]*measurement) string {
	var b strings.Builder
	b.WriteString(`# Type changes: what happens to stored values

<!-- Generated by: go test ./internal/plan -run TestTypeChangeTable -update
     (internal/plan/typechange_test.go). Do not edit: the test fails when this file is stale. -->

When a field's Go type changes, SQLite cannot alter the column: ` + "`diff`" + ` writes a table copy
that moves each value plainly, as Atlas's planner writes it
(` + "`INSERT INTO new_t (…, v) SELECT …, v FROM t`" + `, or ` + "`IFNULL(v, default)`" + ` for a NOT NULL column
with a default), never ` + "`CAST`" + `. SQLite then stores each value with the new column's
affinity, which converts only what the new type can represent: text ` + "`'25'`" + ` becomes the
integer ` + "`25`" + `, while ` + "`'1986-10-16T00:00:00.000Z'`" + ` stays text in a ` + "`datetime`" + ` column
(where ` + "`CAST(… AS datetime)`" + ` would have stored ` + "`1986`" + `).

This page is measured, not written by hand: for every pair of the Go field types below, a
test generates the migration with the real ` + "`diff`" + ` code path, runs it on a SQLite file whose
column holds the sample values, and compares each value before and after:

- **kept**: same storage class (` + "`typeof`" + `) and the same bytes;
- **exact**: another storage class, but the same text (` + "`CAST(v AS TEXT)`" + `), e.g. ` + "`'25'`" + ` → ` + "`25`" + `,
  or the same number between integer and real (` + "`25`" + ` ↔ ` + "`25.0`" + `);
- **changed**: anything else (the new value is shown).

The classification is the data-loss guard's own rule (` + "`guard.Kept`" + `). Kept values and exact
conversions are applied. A migration that changes any value is refused by ` + "`apply`" + `: the
file runs in its transaction, the guard compares the values before and after, names the
column, how many values changed and an example, and rolls the file back (declare a
reviewed change with ` + "`-- atlas:nolint DS103`" + `, or fix the data first with a data migration).

## The columns GORM creates

| Go field type | SQLite column |
|---|---|
`)
	var groups []column
	members := map[column][]string{}
	for i, c := range cols {
		if _, ok := members[c]; !ok {
			groups = append(groups, c)
		}
		members[c] = append(members[c], goTypes[i])
	}
	for _, c := range groups {
		fmt.Fprintf(&b, "| %s | `%s` |\n", codeList(members[c]), c)
	}
	var same []string
	for _, c := range groups {
		for _, a := range members[c] {
			for _, z := range members[c] {
				if a != z && !noMigration[[2]string{a, z}] {
					same = append(same, fmt.Sprintf("%s → %s", a, z))
				}
			}
		}
	}
	b.WriteString("\nA change between two Go types on the same line (`int` → `int64`, `string` → `*string`) makes\nno migration: the column stays as it is.")
	if len(same) > 0 {
		fmt.Fprintf(&b, " (Measured exceptions: %s.)", strings.Join(same, ", "))
	}
	fmt.Fprintf(&b, "\n\n## Summary\n\nOf the %d sample values below: kept / converted exactly / changed, for each column\ntype a field had (row) and gets (column).\n\n", len(typeSamples))
	b.WriteString("| from \\ to |")
	for _, c := range groups {
		fmt.Fprintf(&b, " `%s` |", c.typ)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(groups)) + "\n")
	for _, from := range groups {
		fmt.Fprintf(&b, "| `%s` |", from.typ)
		for _, to := range groups {
			m := byCols[[2]column{from, to}]
			if m == nil {
				b.WriteString(" — |")
				continue
			}
			var n [3]int
			for i := range m.before {
				n[classify(m.before[i], m.after[i])]++
			}
			fmt.Fprintf(&b, " %d / %d / %d |", n[kept], n[exact], n[changed])
		}
		b.WriteString("\n")
	}
	b.WriteString(`
Reading the tables below:

- Only text that is a number written the way SQLite writes it converts exactly (` + "`'25'`" + ` → ` + "`25`" + `).
  ` + "`'0012'`" + `, ` + "`' 12'`" + `, ` + "`'1e3'`" + ` and ` + "`'1.50'`" + ` are numbers to SQLite but their text changes: changed.
- Between ` + "`integer`" + ` and ` + "`real`" + ` a whole number changes its text (` + "`25`" + ` ↔ ` + "`25.0`" + `): changed, though
  numerically equal.
- Text that is not a number (` + "`'Zoë'`" + `, ` + "`'yes'`" + `, dates) and blobs are never converted: they are kept as
  they are, whatever the new column.
`)
	for _, from := range groups {
		fmt.Fprintf(&b, "\n## From `%s` (%s)\n\n", from.typ, strings.Join(members[from], ", "))
		b.WriteString("| written | stored as |")
		var targets []column
		for _, to := range groups {
			if byCols[[2]column{from, to}] != nil {
				targets = append(targets, to)
				fmt.Fprintf(&b, " → `%s` |", to.typ)
			}
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(targets)) + "\n")
		var before []value
		for _, to := range targets {
			before = byCols[[2]column{from, to}].before
			break
		}
		for i, s := range typeSamples {
			fmt.Fprintf(&b, "| `%s` | `%s` %s |", s, before[i].quoted, before[i].typ)
			for _, to := range targets {
				m := byCols[[2]column{from, to}]
				switch classify(m.before[i], m.after[i]) {
				case kept:
					b.WriteString(" kept |")
				case exact:
					fmt.Fprintf(&b, " exact: `%s` %s |", m.after[i].quoted, m.after[i].typ)
				default:
					fmt.Fprintf(&b, " **changed**: `%s` %s |", m.after[i].quoted, m.after[i].typ)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func codeList(xs []string) string {
	xs = slices.Clone(xs)
	for i, x := range xs {
		xs[i] = "`" + x + "`"
	}
	return strings.Join(xs, ", ")
}
