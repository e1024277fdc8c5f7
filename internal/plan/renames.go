package plan

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/desired"
)

// Rename is a table (Column empty) or column rename that diff applied.
type Rename struct {
	Table, From, To string // for a table rename, Table is the new name
	Column          bool
}

// Asker answers "is this drop and add a rename?"; nil never asks.
type Asker func(question string) bool

// renames turns drop + add pairs that are renames into RenameTable and
// RenameColumn, which SQLite runs in place and which keep the data. A pair
// is a rename when the structs say so (structmigrate:"renamed_from:…"),
// when only the name's case differs (SQLite names are case-insensitive but
// Atlas compares them exactly), or when the user says so at the prompt.
func renames(drv migrate.Driver, changes []schema.Change, hints *desired.Renames, ask Asker) ([]schema.Change, []Rename, error) {
	if hints == nil {
		hints = &desired.Renames{}
	}
	var done []Rename
	changes, tables, err := tableRenames(drv, changes, hints, ask)
	if err != nil {
		return nil, nil, err
	}
	done = append(done, tables...)
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		var (
			drops = map[string]*schema.DropColumn{}
			kept  []schema.Change
			ren   []schema.Change
		)
		for _, ch := range mt.Changes {
			if d, ok := ch.(*schema.DropColumn); ok {
				drops[d.C.Name] = d
			}
		}
		used := map[*schema.DropColumn]bool{}
		for _, ch := range mt.Changes {
			add, ok := ch.(*schema.AddColumn)
			if !ok {
				continue
			}
			d := pick(drv, mt.T.Name, add, drops, used, hints.Columns[mt.T.Name], ask)
			if d == nil {
				continue
			}
			if !sameColumn(drv, d.C, add.C) {
				return nil, nil, fmt.Errorf("%s.%s is renamed to %s and changed too (type, nullability or default): rename it in one migration and change it in the next",
					mt.T.Name, d.C.Name, add.C.Name)
			}
			used[d] = true
			ren = append(ren, &schema.RenameColumn{From: d.C, To: add.C})
			done = append(done, Rename{Table: mt.T.Name, From: d.C.Name, To: add.C.Name, Column: true})
		}
		if len(ren) == 0 {
			continue
		}
		for _, ch := range mt.Changes {
			switch ch := ch.(type) {
			case *schema.DropColumn:
				if used[ch] {
					continue
				}
			case *schema.AddColumn:
				if renamedTo(ren, ch.C.Name) {
					continue
				}
			}
			kept = append(kept, ch)
		}
		mt.Changes = append(ren, dropIndexEchoes(kept, ren)...)
	}
	return changes, done, nil
}

// dropIndexEchoes removes index changes that only repeat a column rename:
// SQLite's RENAME COLUMN rewrites the indexes itself, and planning them
// again would turn an in-place rename into a table copy.
func dropIndexEchoes(changes []schema.Change, ren []schema.Change) []schema.Change {
	renamed := map[string]string{}
	for _, r := range ren {
		rc := r.(*schema.RenameColumn)
		renamed[rc.From.Name] = rc.To.Name
	}
	same := func(from, to *schema.Index) bool {
		if from.Name != to.Name || from.Unique != to.Unique || len(from.Parts) != len(to.Parts) {
			return false
		}
		for i, p := range from.Parts {
			q := to.Parts[i]
			if (p.C == nil) != (q.C == nil) || p.Desc != q.Desc {
				return false
			}
			if p.C != nil {
				name := p.C.Name
				if n, ok := renamed[name]; ok {
					name = n
				}
				if name != q.C.Name {
					return false
				}
			}
		}
		return true
	}
	var out []schema.Change
	for _, c := range changes {
		if mi, ok := c.(*schema.ModifyIndex); ok && same(mi.From, mi.To) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// DetectRenames turns drop + add pairs whose names differ only by case
// into renames (for plans computed without the structs, e.g. rollback).
func DetectRenames(drv migrate.Driver, changes []schema.Change) ([]schema.Change, error) {
	out, _, err := renames(drv, changes, nil, nil)
	return out, err
}

// pick returns the dropped column that add renames, if any.
func pick(drv migrate.Driver, table string, add *schema.AddColumn, drops map[string]*schema.DropColumn, used map[*schema.DropColumn]bool, hints map[string]string, ask Asker) *schema.DropColumn {
	if old, ok := hints[add.C.Name]; ok {
		if d := drops[old]; d != nil && !used[d] {
			return d
		}
	}
	for name, d := range drops {
		if !used[d] && strings.EqualFold(name, add.C.Name) {
			return d
		}
	}
	if ask == nil {
		return nil
	}
	for name, d := range drops {
		if !used[d] && sameColumn(drv, d.C, add.C) &&
			ask(fmt.Sprintf("Is column %q of table %q renamed to %q (otherwise it is dropped with its data)?", name, table, add.C.Name)) {
			return d
		}
	}
	return nil
}

func renamedTo(ren []schema.Change, name string) bool {
	for _, r := range ren {
		if r.(*schema.RenameColumn).To.Name == name {
			return true
		}
	}
	return false
}

// tableRenames pairs DropTable with AddTable the same way; the renamed
// table's other differences follow as a ModifyTable.
func tableRenames(drv migrate.Driver, changes []schema.Change, hints *desired.Renames, ask Asker) ([]schema.Change, []Rename, error) {
	drops := map[string]*schema.DropTable{}
	for _, c := range changes {
		if d, ok := c.(*schema.DropTable); ok {
			drops[d.T.Name] = d
		}
	}
	if len(drops) == 0 {
		return changes, nil, nil
	}
	var (
		out  []schema.Change
		done []Rename
		used = map[*schema.DropTable]bool{}
	)
	pairs := map[*schema.AddTable]*schema.DropTable{}
	for _, c := range changes {
		add, ok := c.(*schema.AddTable)
		if !ok {
			continue
		}
		var d *schema.DropTable
		if old, ok := hints.Tables[add.T.Name]; ok && drops[old] != nil && !used[drops[old]] {
			d = drops[old]
		}
		for name, cand := range drops {
			if d == nil && !used[cand] && strings.EqualFold(name, add.T.Name) {
				d = cand
			}
		}
		for name, cand := range drops {
			if d == nil && ask != nil && !used[cand] &&
				ask(fmt.Sprintf("Is table %q renamed to %q (otherwise it is dropped with its rows)?", name, add.T.Name)) {
				d = cand
			}
		}
		if d != nil {
			used[d], pairs[add] = true, d
		}
	}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.DropTable:
			if used[c] {
				continue
			}
		case *schema.AddTable:
			if d, ok := pairs[c]; ok {
				if strings.EqualFold(d.T.Name, c.T.Name) {
					// SQLite refuses a rename that only changes case ("there is
					// already another table"): go through a temporary name.
					tmp := *c.T
					tmp.Name = c.T.Name + "_structmigrate_tmp"
					out = append(out, &schema.RenameTable{From: d.T, To: &tmp}, &schema.RenameTable{From: &tmp, To: c.T})
				} else {
					out = append(out, &schema.RenameTable{From: d.T, To: c.T})
				}
				done = append(done, Rename{Table: c.T.Name, From: d.T.Name, To: c.T.Name})
				from := *d.T
				from.Name = c.T.Name
				rest, err := drv.TableDiff(&from, c.T)
				if err != nil {
					return nil, nil, err
				}
				if len(rest) > 0 {
					out = append(out, &schema.ModifyTable{T: c.T, Changes: rest})
				}
				continue
			}
		}
		out = append(out, c)
	}
	return dropFKEchoes(out, done), done, nil
}

// dropFKEchoes removes foreign-key changes that only follow a table
// rename: SQLite's RENAME TO rewrites the references in the child tables,
// and planning them would rebuild every child table for nothing. The echo
// is a ModifyForeignKey when the key keeps its name, or a DropForeignKey
// and an AddForeignKey when its name follows the parent's: GORM names a
// has-many key after the parent table (fk_teams_members), while RENAME TO
// keeps the old name in the child. SQLite never uses a key's name, and
// Atlas matches keys of the same definition whatever their names, so the
// next diff is empty too.
func dropFKEchoes(changes []schema.Change, done []Rename) []schema.Change {
	if len(done) == 0 {
		return changes
	}
	renamed := map[string]string{}
	for _, d := range done {
		if !d.Column {
			renamed[d.From] = d.To
		}
	}
	echo := func(f, t *schema.ForeignKey) bool {
		if f.RefTable == nil || t.RefTable == nil || renamed[f.RefTable.Name] != t.RefTable.Name ||
			f.OnDelete != t.OnDelete || f.OnUpdate != t.OnUpdate || len(f.Columns) != len(t.Columns) || len(f.RefColumns) != len(t.RefColumns) {
			return false
		}
		for i := range f.Columns {
			if f.Columns[i].Name != t.Columns[i].Name {
				return false
			}
		}
		for i := range f.RefColumns {
			if f.RefColumns[i].Name != t.RefColumns[i].Name {
				return false
			}
		}
		return true
	}
	var out []schema.Change
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok {
			out = append(out, c)
			continue
		}
		// Pair each dropped key with an added one it only renames.
		skip := map[schema.Change]bool{}
		for _, ch := range mt.Changes {
			d, ok := ch.(*schema.DropForeignKey)
			if !ok {
				continue
			}
			for _, ch2 := range mt.Changes {
				if a, ok := ch2.(*schema.AddForeignKey); ok && !skip[ch2] && echo(d.F, a.F) {
					skip[ch], skip[ch2] = true, true
					break
				}
			}
		}
		var kept []schema.Change
		for _, ch := range mt.Changes {
			if m, ok := ch.(*schema.ModifyForeignKey); ok && echo(m.From, m.To) || skip[ch] {
				continue
			}
			kept = append(kept, ch)
		}
		if len(kept) > 0 {
			mt.Changes = kept
			out = append(out, mt)
		}
	}
	return out
}

// sameColumn reports whether a and b differ only by name.
func sameColumn(drv migrate.Driver, a, b *schema.Column) bool {
	ca, cb := *a, *b
	ca.Name = cb.Name
	ta := schema.NewTable("t").AddColumns(&ca)
	tb := schema.NewTable("t").AddColumns(&cb)
	changes, err := drv.TableDiff(ta, tb)
	return err == nil && len(changes) == 0
}

// inverse returns the hints that undo done, for the down script.
func inverse(done []Rename) *desired.Renames {
	r := &desired.Renames{Tables: map[string]string{}, Columns: map[string]map[string]string{}}
	for _, d := range done {
		if !d.Column {
			r.Tables[d.From] = d.To
			continue
		}
		// In the down diff the table carries its old name if it was renamed too.
		table := d.Table
		for _, t := range done {
			if !t.Column && t.To == d.Table {
				table = t.From
			}
		}
		if r.Columns[table] == nil {
			r.Columns[table] = map[string]string{}
		}
		r.Columns[table][d.From] = d.To
	}
	return r
}

// normalizeInlineUniques names the indexes SQLite makes for inline UNIQUE
// constraints (sqlite_autoindex_<t>_N, e.g. from GORM's `unique` tag or a
// database made by AutoMigrate) the way Atlas names them on the desired
// side, <table>_<columns>. Otherwise diff plans a DROP INDEX that fails.
func normalizeInlineUniques(s *schema.Schema) {
	for _, t := range s.Tables {
		for _, idx := range t.Indexes {
			if !strings.HasPrefix(idx.Name, "sqlite_autoindex_") {
				continue
			}
			var origin sqlite.IndexOrigin
			if !hasOrigin(idx.Attrs, &origin) || origin.O != "u" {
				continue
			}
			name := t.Name
			for _, p := range idx.Parts {
				if p.C != nil {
					name += "_" + p.C.Name
				}
			}
			idx.Name = name
		}
	}
}

func hasOrigin(attrs []schema.Attr, o *sqlite.IndexOrigin) bool {
	for _, a := range attrs {
		if io, ok := a.(*sqlite.IndexOrigin); ok {
			*o = *io
			return true
		}
	}
	return false
}
