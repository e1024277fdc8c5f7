package ident

import (
	"strconv"
	"strings"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
)

// CheckSchema refuses the first name in s that Atlas cannot write into SQL
// (see Problem): of a table, column, index, foreign key or check.
func CheckSchema(s *schema.Schema) error { return sqliteRules.schema(s) }

// CheckTable refuses the first name of t, or of a table or column its
// foreign keys reference, that Atlas cannot write into SQL. The whole table
// is checked: Atlas writes every column and index of a table it rebuilds.
func CheckTable(t *schema.Table) error { return sqliteRules.table(t) }

// CheckChanges refuses the first name that Atlas would write into SQL to
// plan changes and cannot: every table the changes add, drop, change or
// rename, and the old names of what they drop or rename inside a table.
func CheckChanges(changes []schema.Change) error { return sqliteRules.changes(changes) }

// rules are a dialect's: which names its Atlas planner cannot write.
type rules struct{ problem func(string) string }

var sqliteRules = rules{Problem}

func (r rules) schema(s *schema.Schema) error {
	for _, t := range s.Tables {
		if err := r.table(t); err != nil {
			return err
		}
	}
	return nil
}

func (r rules) table(t *schema.Table) error {
	if err := r.check("table", "", t.Name); err != nil {
		return err
	}
	for _, c := range t.Columns {
		if err := r.check("column", t.Name, c.Name); err != nil {
			return err
		}
	}
	if pk := t.PrimaryKey; pk != nil && pk.Name != "" {
		if err := r.check("primary key", t.Name, pk.Name); err != nil {
			return err
		}
	}
	for _, idx := range t.Indexes {
		if err := r.index(t.Name, idx); err != nil {
			return err
		}
	}
	for _, fk := range t.ForeignKeys {
		if err := r.foreignKey(t.Name, fk); err != nil {
			return err
		}
	}
	for _, a := range t.Attrs {
		if c, ok := a.(*schema.Check); ok {
			if err := r.checkConstraint(t.Name, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r rules) changes(changes []schema.Change) error {
	for _, c := range changes {
		var err error
		switch c := c.(type) {
		case *schema.AddTable:
			err = r.table(c.T)
		case *schema.DropTable:
			err = r.table(c.T)
		case *schema.RenameTable:
			if err = r.table(c.From); err == nil {
				err = r.table(c.To)
			}
		case *schema.ModifyTable:
			if err = r.table(c.T); err == nil {
				err = r.tableChanges(c.T.Name, c.Changes)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tableChanges checks what a ModifyTable's changes name besides the table
// as it will be: dropped objects and the old names of changed ones.
func (r rules) tableChanges(table string, changes []schema.Change) error {
	for _, c := range changes {
		var err error
		switch c := c.(type) {
		case *schema.AddColumn:
			err = r.check("column", table, c.C.Name)
		case *schema.DropColumn:
			err = r.check("column", table, c.C.Name)
		case *schema.ModifyColumn:
			if err = r.check("column", table, c.From.Name); err == nil {
				err = r.check("column", table, c.To.Name)
			}
		case *schema.RenameColumn:
			if err = r.check("column", table, c.From.Name); err == nil {
				err = r.check("column", table, c.To.Name)
			}
		case *schema.AddIndex:
			err = r.index(table, c.I)
		case *schema.DropIndex:
			err = r.index(table, c.I)
		case *schema.ModifyIndex:
			if err = r.index(table, c.From); err == nil {
				err = r.index(table, c.To)
			}
		case *schema.RenameIndex:
			if err = r.index(table, c.From); err == nil {
				err = r.index(table, c.To)
			}
		case *schema.AddForeignKey:
			err = r.foreignKey(table, c.F)
		case *schema.DropForeignKey:
			err = r.foreignKey(table, c.F)
		case *schema.ModifyForeignKey:
			if err = r.foreignKey(table, c.From); err == nil {
				err = r.foreignKey(table, c.To)
			}
		case *schema.AddCheck:
			err = r.checkConstraint(table, c.C)
		case *schema.DropCheck:
			err = r.checkConstraint(table, c.C)
		case *schema.ModifyCheck:
			if err = r.checkConstraint(table, c.From); err == nil {
				err = r.checkConstraint(table, c.To)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r rules) index(table string, idx *schema.Index) error {
	if err := r.check("index", table, idx.Name); err != nil {
		return err
	}
	for _, p := range idx.Parts {
		if p.C != nil {
			if err := r.check("column", table, p.C.Name); err != nil {
				return err
			}
		}
	}
	return partial(table, idx)
}

// partial refuses "WHERE" in the names of a partial index: Atlas's
// inspector takes the index's condition from the first "WHERE" in its
// CREATE statement, so it would plan a piece of the name as the condition.
func partial(table string, idx *schema.Index) error {
	isPartial := false
	for _, a := range idx.Attrs {
		if _, ok := a.(*sqlite.IndexPredicate); ok {
			isPartial = true
		}
	}
	if !isPartial {
		return nil
	}
	const why = `contains "WHERE", which Atlas takes for the start of the partial index's condition`
	switch {
	case strings.Contains(idx.Name, "WHERE"):
		return &NameError{Kind: "index", Table: table, Name: idx.Name, Why: why}
	case strings.Contains(table, "WHERE"):
		return &NameError{Kind: "table", Name: table, Why: why + " (index " + strconv.Quote(idx.Name) + ")"}
	}
	for _, p := range idx.Parts {
		if p.C != nil && strings.Contains(p.C.Name, "WHERE") {
			return &NameError{Kind: "column", Table: table, Name: p.C.Name, Why: why + " (index " + strconv.Quote(idx.Name) + ")"}
		}
	}
	return nil
}

// foreignKey checks a foreign key's name (SQLite's are often unnamed) and
// the table and columns it references.
func (r rules) foreignKey(table string, fk *schema.ForeignKey) error {
	if fk.Symbol != "" {
		if err := r.check("foreign key", table, fk.Symbol); err != nil {
			return err
		}
	}
	for _, c := range fk.Columns {
		if err := r.check("column", table, c.Name); err != nil {
			return err
		}
	}
	if fk.RefTable == nil {
		return nil
	}
	if err := r.check("table", "", fk.RefTable.Name); err != nil {
		return err
	}
	for _, c := range fk.RefColumns {
		if err := r.check("column", fk.RefTable.Name, c.Name); err != nil {
			return err
		}
	}
	return nil
}

func (r rules) checkConstraint(table string, c *schema.Check) error {
	if c.Name == "" {
		return nil
	}
	return r.check("check", table, c.Name)
}
