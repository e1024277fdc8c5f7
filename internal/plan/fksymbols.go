package plan

import "ariga.io/atlas/sql/schema"

// alignFKSymbols gives a foreign key of from the name of its counterpart
// in to: the key of the same table on the same columns whose name differs.
// SQLite never uses a constraint's name, and its ALTER TABLE … RENAME TO
// rewrites the children's REFERENCES but not their names, while GORM names
// a has-many key after the parent table (fk_teams_members). Without this, a
// parent rename would be a dropped and an added key, a copy of every child
// table, and each later diff would plan that copy again. A key whose target
// or actions differ still shows as ModifyForeignKey (dropFKEchoes removes
// the ones a table rename explains).
func alignFKSymbols(from, to *schema.Schema) {
	for _, ft := range from.Tables {
		tt, ok := to.Table(ft.Name)
		if !ok {
			continue
		}
		for _, fk := range unmatchedFKs(ft, tt) {
			var match *schema.ForeignKey
			n := 0
			for _, cand := range unmatchedFKs(tt, ft) {
				if sameFKColumns(fk, cand) {
					match, n = cand, n+1
				}
			}
			// Ambiguous (two keys on the same columns): leave it to Atlas.
			if n == 1 && !hasFKOn(fk, unmatchedFKs(ft, tt), match) {
				fk.Symbol = match.Symbol
			}
		}
	}
}

// unmatchedFKs returns a's foreign keys whose name b's keys do not have.
func unmatchedFKs(a, b *schema.Table) []*schema.ForeignKey {
	var out []*schema.ForeignKey
	for _, fk := range a.ForeignKeys {
		if _, ok := b.ForeignKey(fk.Symbol); !ok {
			out = append(out, fk)
		}
	}
	return out
}

// hasFKOn reports whether another key of fks than self is on match's columns.
func hasFKOn(self *schema.ForeignKey, fks []*schema.ForeignKey, match *schema.ForeignKey) bool {
	for _, fk := range fks {
		if fk != self && sameFKColumns(fk, match) {
			return true
		}
	}
	return false
}

func sameFKColumns(a, b *schema.ForeignKey) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	for i := range a.Columns {
		if a.Columns[i].Name != b.Columns[i].Name {
			return false
		}
	}
	return true
}
