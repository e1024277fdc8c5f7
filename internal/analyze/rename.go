package analyze

import (
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
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

// fixRenames rewrites the drop + add a rename statement shows as a
// RenameTable or RenameColumn.
func fixRenames(stmt string, changes schema.Changes) schema.Changes {
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
			m := copyInsert.FindStringSubmatch(stripComments(st.Text))
			if m == nil || m[1] != mt.T.Name {
				continue
			}
			targets, sources := splitIdents(m[2]), splitIdents(m[3])
			if len(targets) != len(sources) {
				continue
			}
			mapping = map[string]string{}
			for i := range targets {
				if sources[i] != "" {
					mapping[sources[i]] = targets[i]
				}
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

// splitIdents splits a column list; an element that is not a plain
// (possibly CAST) column reference maps to "".
func splitIdents(list string) []string {
	parts := strings.Split(list, ",")
	out := make([]string, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(strings.ToUpper(p), "CAST(") {
			p = strings.TrimSpace(p[5:])
			if j := strings.Index(strings.ToUpper(p), " AS "); j > 0 {
				p = strings.TrimSpace(p[:j])
			}
		}
		if len(p) > 1 && p[0] == '`' && p[len(p)-1] == '`' {
			out[i] = strings.ReplaceAll(p[1:len(p)-1], "``", "`")
		}
	}
	return out
}
