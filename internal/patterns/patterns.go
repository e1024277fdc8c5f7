// Package patterns holds the templates of `structmigrate new --template`:
// reviewed starting points for common hand-written migrations, each with
// its down script. The SQL lives in embedded files (sql/NAME.up.sql,
// sql/NAME.down.sql); every name the user passes is checked with
// ident.Problem and written quoted with ident.Quote, every value as an SQL
// string or number literal, so a flag cannot add SQL to the file.
package patterns

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/structmigrate/structmigrate/internal/ident"
)

//go:embed sql/*.sql
var files embed.FS

// Pattern is one template.
type Pattern struct {
	Name  string
	Short string   // the one-line description of `new --template list`
	Needs []string // the flags it requires
}

// Patterns lists the templates in the order `list` shows them.
var Patterns = []Pattern{
	{"index", "add an index on a large table (CREATE INDEX IF NOT EXISTS; the down drops it)", []string{"table", "column"}},
	{"unique", "a unique index after de-duplicating: extra rows are archived, the down restores them", []string{"table", "column"}},
	{"backfill", "fill a column's NULLs with a value, idempotently; the down makes exactly those rows NULL again", []string{"table", "column", "key", "value"}},
	{"split", "data migration with its reverse: split a column into two new ones; the down joins them back", []string{"table", "column", "into"}},
	{"seed", "rows that are safe to re-run (ON CONFLICT DO NOTHING); the down deletes exactly those rows", []string{"table", "column"}},
}

// Lookup returns the template called name.
func Lookup(name string) (Pattern, bool) {
	for _, p := range Patterns {
		if p.Name == name {
			return p, true
		}
	}
	return Pattern{}, false
}

// Names returns the template names, sorted.
func Names() []string {
	var ns []string
	for _, p := range Patterns {
		ns = append(ns, p.Name)
	}
	sort.Strings(ns)
	return ns
}

// Params are the flags of `new --template`.
type Params struct {
	Table     string
	Columns   []string
	Key       string
	Value     string
	ValueSet  bool // --value was given (the empty string is a value)
	Into      []string
	Separator string
	Index     string
}

// ParamError is a missing or refused flag.
type ParamError struct{ Msg string }

func (e *ParamError) Error() string { return e.Msg }

// data is what the SQL templates see: every name already quoted.
type data struct {
	TableQ, ColumnQ, ColumnsQ, ColumnList, KeyQ, KeyList string
	IndexQ, Index, ArchiveQ, NotNull                     string
	Value, Sep, FirstQ, SecondQ, Todo, Check             string
}

// Render returns the up and down files of p filled with prm.
func (p Pattern) Render(prm Params) (up, down []byte, err error) {
	d, err := p.data(prm)
	if err != nil {
		return nil, nil, err
	}
	for i, part := range []string{"up", "down"} {
		t, err := template.ParseFS(files, "sql/"+p.Name+"."+part+".sql")
		if err != nil {
			return nil, nil, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return nil, nil, err
		}
		if i == 0 {
			up = b.Bytes()
		} else {
			down = b.Bytes()
		}
	}
	return up, down, nil
}

func (p Pattern) data(prm Params) (*data, error) {
	for _, n := range p.Needs {
		missing := false
		switch n {
		case "table":
			missing = prm.Table == ""
		case "column":
			missing = len(prm.Columns) == 0
		case "key":
			missing = prm.Key == ""
		case "value":
			missing = !prm.ValueSet
		case "into":
			missing = len(prm.Into) == 0
		}
		if missing {
			return nil, &ParamError{fmt.Sprintf("template %q needs --%s (it uses --%s)", p.Name, n, strings.Join(p.Needs, ", --"))}
		}
	}
	if err := name("table", "", prm.Table); err != nil {
		return nil, err
	}
	if ident.Skipped(prm.Table) || strings.HasPrefix(strings.ToLower(prm.Table), "sqlite_") {
		return nil, &ParamError{fmt.Sprintf("--table %q is SQLite's or skipped by Atlas's inspection; name a table of the models", prm.Table)}
	}
	for _, c := range prm.Columns {
		if err := name("column", prm.Table, c); err != nil {
			return nil, err
		}
	}
	if err := distinct("--column", prm.Columns); err != nil {
		return nil, err
	}
	d := &data{TableQ: ident.Quote(prm.Table), ColumnList: strings.Join(prm.Columns, ", ")}
	var qs, nn []string
	for _, c := range prm.Columns {
		qs = append(qs, ident.Quote(c))
		nn = append(nn, ident.Quote(c)+" IS NOT NULL")
	}
	d.ColumnsQ, d.NotNull = strings.Join(qs, ", "), strings.Join(nn, " AND ")
	if len(prm.Columns) > 0 {
		d.ColumnQ = qs[0]
	}
	if (p.Name == "backfill" || p.Name == "split") && len(prm.Columns) != 1 {
		return nil, &ParamError{fmt.Sprintf("template %q takes one --column, not %d", p.Name, len(prm.Columns))}
	}
	if p.Name == "index" || p.Name == "unique" {
		d.Index = prm.Index
		if d.Index == "" {
			prefix := "idx_"
			if p.Name == "unique" {
				prefix = "uidx_"
			}
			d.Index = prefix + prm.Table + "_" + strings.Join(prm.Columns, "_")
		}
		if err := name("index", prm.Table, d.Index); err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.ToLower(d.Index), "sqlite_") {
			return nil, &ParamError{fmt.Sprintf("--index %q: SQLite reserves names starting with \"sqlite_\"", d.Index)}
		}
		d.IndexQ = ident.Quote(d.Index)
		archive := prm.Table + "__dups_" + d.Index
		d.ArchiveQ = ident.Quote(archive)
		// Short: an error shows the statement's first 80 characters.
		d.Check = quoteString("stopped: archived rows are not all restored")
	}
	if p.Name == "backfill" {
		if err := name("column", prm.Table, prm.Key); err != nil {
			return nil, err
		}
		// The down script finds the filled rows by their key: a key that is
		// the filled column was NULL in every one of them, so it would find none.
		if err := distinct("--key and --column", []string{prm.Key, prm.Columns[0]}); err != nil {
			return nil, err
		}
		d.KeyQ = ident.Quote(prm.Key)
		d.ArchiveQ = ident.Quote(prm.Table + "__backfilled_" + prm.Columns[0])
		v, err := literal("--value", prm.Value)
		if err != nil {
			return nil, err
		}
		d.Value = v
	}
	if p.Name == "split" {
		if len(prm.Into) != 2 {
			return nil, &ParamError{fmt.Sprintf("template \"split\" needs --into with two new column names (e.g. --into first,last), not %d", len(prm.Into))}
		}
		for _, c := range prm.Into {
			if err := name("column", prm.Table, c); err != nil {
				return nil, err
			}
		}
		// ADD COLUMN fails on a name the table has; catch the one we know here.
		if err := distinct("--into and --column", append([]string{prm.Columns[0]}, prm.Into...)); err != nil {
			return nil, err
		}
		d.FirstQ, d.SecondQ = ident.Quote(prm.Into[0]), ident.Quote(prm.Into[1])
		sep := prm.Separator
		if sep == "" {
			sep = " "
		}
		if _, err := literal("--separator", sep); err != nil {
			return nil, err
		}
		d.Sep = quoteString(sep)
		d.Check = quoteString("stopped: rows edited since the split; reconcile by hand")
	}
	if p.Name == "seed" {
		var todo []string
		for _, c := range prm.Columns {
			todo = append(todo, "TODO("+quoteString(c)+")") // fails to apply until filled in
		}
		d.Todo = strings.Join(todo, ", ")
	}
	return d, nil
}

// name refuses a name SQL generated by Atlas cannot carry (ident.Problem).
func name(kind, table, n string) error {
	if why := ident.Problem(n); why != "" {
		return &ident.NameError{Where: "new --template", Kind: kind, Name: n, Table: table, Why: why}
	}
	return nil
}

// distinct refuses a name given twice. SQLite compares names ignoring
// ASCII case, so "Email" and "email" are the same column.
func distinct(flags string, names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		k := strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, n)
		if seen[k] {
			return &ParamError{fmt.Sprintf("%s name %q twice: each must be a different column", flags, n)}
		}
		seen[k] = true
	}
	return nil
}

// literal returns v as an SQL literal: a number as written when it is
// one, else a string. Control characters are refused: the value is also
// written in a comment line, which a newline would end.
func literal(flag, v string) (string, error) {
	if v != "" {
		if why := ident.Problem(v); why != "" && !strings.Contains(why, "backtick") {
			return "", &ParamError{fmt.Sprintf("%s %s", flag, strings.Replace(why, "is not valid UTF-8, which a migration file cannot hold", "is not valid UTF-8", 1))}
		}
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return v, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXpPnNiI_") && f == f {
		return v, nil
	}
	return quoteString(v), nil
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
