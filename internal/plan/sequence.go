package plan

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// KeepSequences makes p's table rebuilds keep the AUTOINCREMENT counter.
// SQLite stores, in sqlite_sequence, the largest id an AUTOINCREMENT table
// ever used, so that a deleted row's id is never given again. Atlas's
// rebuild copies the rows into new_X and drops X with its counter; new_X's
// counter only knows the ids still present, so the next row could get a
// deleted row's id. Where X is AUTOINCREMENT in from (the schema p starts
// at) and stays so, one plain statement (that the Atlas CLI runs as well)
// gives new_X X's counter before CREATE TABLE new_X: the copy then only
// raises it. Placed before the CREATE, the rebuild's four statements stay
// together, the pattern Atlas's SQLite analyzers merge into one change.
func KeepSequences(p *migrate.Plan, from *schema.Schema) {
	carry := map[string]*schema.ModifyTable{} // "new_X" → X's rebuild
	for _, c := range p.Changes {
		m, ok := c.Source.(*schema.ModifyTable)
		if !ok || !autoIncrement(m.T) || !isDrop(c.Cmd, m.T.Name) || from == nil {
			continue
		}
		if cur, ok := from.Table(m.T.Name); ok && autoIncrement(cur) {
			carry["new_"+m.T.Name] = m
		}
	}
	if len(carry) == 0 {
		return
	}
	var out []*migrate.Change
	for _, c := range p.Changes {
		if a, ok := c.Source.(*schema.AddTable); ok && a.T != nil && carry[a.T.Name] != nil {
			out = append(out, carrySequence(carry[a.T.Name]))
		}
		out = append(out, c)
	}
	p.Changes = out
}

// autoIncrement reports whether t's primary key is AUTOINCREMENT (as
// Atlas's SQLite driver decides it when it writes the table).
func autoIncrement(t *schema.Table) bool {
	if t == nil {
		return false
	}
	if hasAutoInc(t.Attrs) {
		return true
	}
	pk := t.PrimaryKey
	return pk != nil && (hasAutoInc(pk.Attrs) || len(pk.Parts) == 1 && pk.Parts[0].C != nil && hasAutoInc(pk.Parts[0].C.Attrs))
}

func hasAutoInc(attrs []schema.Attr) bool {
	for _, a := range attrs {
		if _, ok := a.(*sqlite.AutoIncrement); ok {
			return true
		}
	}
	return false
}

// isDrop reports whether cmd is the rebuild's DROP TABLE of table.
func isDrop(cmd, table string) bool {
	return strings.TrimSpace(cmd) == "DROP TABLE "+ident.Quote(table)
}

func carrySequence(m *schema.ModifyTable) *migrate.Change {
	seq, name := ident.Quote("sqlite_sequence"), ident.Quote("name")
	return &migrate.Change{
		Source:  m,
		Comment: fmt.Sprintf("keep the AUTOINCREMENT counter of %q for %q (ids of deleted rows are not reused)", m.T.Name, "new_"+m.T.Name),
		Cmd: fmt.Sprintf("INSERT INTO %s (%s, %s) SELECT %s, %s FROM %s WHERE %s = %s",
			seq, name, ident.Quote("seq"), literal("new_"+m.T.Name), ident.Quote("seq"), seq, name, literal(m.T.Name)),
	}
}

// literal is name as an SQL string literal.
func literal(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }
