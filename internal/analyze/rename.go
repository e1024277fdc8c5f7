package analyze

import (
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// Atlas's open-source build has no SQL parser, so after an
// `ALTER TABLE … RENAME` the schema diff shows a drop and an add. Reading
// the statement tells the rename apart, so it is not taken for data loss
// (and lint reports it as a backward-incompatible rename, BC101/BC102).
var (
	ident        = "(?:`((?:[^`]|``)+)`|\"((?:[^\"]|\"\")+)\"|\\[([^\\]]+)\\]|([A-Za-z_][A-Za-z0-9_$]*))"
	renameColumn = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(?:(?:main|temp)\.)?` + ident + `\s+RENAME\s+(?:COLUMN\s+)?` + ident + `\s+TO\s+` + ident + `\s*;?\s*$`)
	renameTable  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(?:(?:main|temp)\.)?` + ident + `\s+RENAME\s+TO\s+` + ident + `\s*;?\s*$`)
)

// Rename is what an ALTER TABLE … RENAME statement renames.
type Rename struct {
	Table, From, To string // Table is the table of a column rename
	Column          bool
}

// ParseRename recognises `ALTER TABLE t RENAME TO u` and
// `ALTER TABLE t RENAME [COLUMN] a TO b`.
func ParseRename(stmt string) (Rename, bool) {
	stmt = stripComments(stmt)
	if m := renameTable.FindStringSubmatch(stmt); m != nil {
		return Rename{From: pickIdent(m[1:5]), To: pickIdent(m[5:9])}, true
	}
	if m := renameColumn.FindStringSubmatch(stmt); m != nil {
		return Rename{Table: pickIdent(m[1:5]), From: pickIdent(m[5:9]), To: pickIdent(m[9:13]), Column: true}, true
	}
	return Rename{}, false
}

func pickIdent(groups []string) string {
	for i, g := range groups {
		if g != "" {
			switch i {
			case 0:
				return strings.ReplaceAll(g, "``", "`")
			case 1:
				return strings.ReplaceAll(g, `""`, `"`)
			}
			return g
		}
	}
	return ""
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// FixRenames rewrites the drop + add a rename statement shows as a
// RenameTable or RenameColumn.
func FixRenames(stmt string, changes schema.Changes) schema.Changes {
	r, ok := ParseRename(stmt)
	if !ok {
		return changes
	}
	if !r.Column {
		var from, to *schema.Table
		var rest schema.Changes
		for _, c := range changes {
			switch c := c.(type) {
			case *schema.DropTable:
				if strings.EqualFold(c.T.Name, r.From) && from == nil {
					from = c.T
					continue
				}
			case *schema.AddTable:
				if strings.EqualFold(c.T.Name, r.To) && to == nil {
					to = c.T
					continue
				}
			}
			rest = append(rest, c)
		}
		if from == nil || to == nil {
			return changes
		}
		return append(schema.Changes{&schema.RenameTable{From: from, To: to}}, rest...)
	}
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok || !strings.EqualFold(mt.T.Name, r.Table) {
			continue
		}
		var from, to *schema.Column
		var rest schema.Changes
		for _, ch := range mt.Changes {
			switch ch := ch.(type) {
			case *schema.DropColumn:
				if strings.EqualFold(ch.C.Name, r.From) && from == nil {
					from = ch.C
					continue
				}
			case *schema.AddColumn:
				if strings.EqualFold(ch.C.Name, r.To) && to == nil {
					to = ch.C
					continue
				}
			}
			rest = append(rest, ch)
		}
		if from != nil && to != nil {
			mt.Changes = append(schema.Changes{&schema.RenameColumn{From: from, To: to}}, rest...)
		}
	}
	return changes
}

var copyInsert = regexp.MustCompile("(?is)^\\s*INSERT\\s+INTO\\s+`new_([^`]+)`\\s*\\(([^)]*)\\)\\s*SELECT\\s+(.*?)\\s+FROM\\s+`([^`]+)`\\s*;?\\s*$")

// fixCopyRenames finds, in a merged table copy, columns the INSERT … SELECT
// copies under another name (SELECT `old` into `new`): a rename, not a drop
// and an add.
func fixCopyRenames(f *sqlcheck.File) {
	for _, c := range f.Changes {
		if len(c.Changes) != 1 {
			continue
		}
		mt, ok := c.Changes[0].(*schema.ModifyTable)
		if !ok {
			continue
		}
		var mapping map[string]string // source column → target column
		for _, st := range Stmts(f, c) {
			if table, m, ok := CopyMapping(st.Text); ok && table == mt.T.Name {
				mapping = m
			}
		}
		if mapping == nil {
			continue
		}
		drops := map[string]*schema.DropColumn{}
		adds := map[string]*schema.AddColumn{}
		for _, ch := range mt.Changes {
			switch ch := ch.(type) {
			case *schema.DropColumn:
				drops[ch.C.Name] = ch
			case *schema.AddColumn:
				adds[ch.C.Name] = ch
			}
		}
		var ren schema.Changes
		used := map[schema.Change]bool{}
		for src, dst := range mapping {
			d, a := drops[src], adds[dst]
			if d != nil && a != nil && src != dst {
				ren = append(ren, &schema.RenameColumn{From: d.C, To: a.C})
				used[d], used[a] = true, true
			}
		}
		if len(ren) == 0 {
			continue
		}
		for _, ch := range mt.Changes {
			if !used[ch] {
				ren = append(ren, ch)
			}
		}
		mt.Changes = ren
	}
}

// CopyMapping reads a table copy's `INSERT INTO new_t (…) SELECT … FROM t`
// and returns t and, for each plainly copied column, source → target name.
func CopyMapping(stmt string) (string, map[string]string, bool) {
	m := copyInsert.FindStringSubmatch(stripComments(stmt))
	if m == nil {
		return "", nil, false
	}
	targets, sources := splitIdents(m[2]), splitIdents(m[3])
	if len(targets) != len(sources) {
		return "", nil, false
	}
	mapping := map[string]string{}
	for i := range targets {
		if sources[i] != "" && targets[i] != "" {
			mapping[sources[i]] = targets[i]
		}
	}
	return m[1], mapping, true
}

// splitIdents splits a column list into the column each item reads: a
// plain `c`, or the first column inside CAST(…) / IFNULL(…); "" for any
// other expression.
func splitIdents(list string) []string {
	parts := migdir.SplitList(list)
	out := make([]string, len(parts))
	for i, p := range parts {
		u := strings.ToUpper(p)
		if !strings.HasPrefix(p, "`") && !strings.HasPrefix(u, "CAST(") && !strings.HasPrefix(u, "IFNULL(") {
			continue
		}
		if m := firstIdent.FindStringSubmatch(p); m != nil {
			out[i] = strings.ReplaceAll(m[1], "``", "`")
		}
	}
	return out
}

var firstIdent = regexp.MustCompile("`((?:[^`]|``)+)`")
