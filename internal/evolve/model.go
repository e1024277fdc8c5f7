// Package evolve is the generative evolution test of the data-safety
// contract (docs/reliability.md): random sequences of model edits over random
// data, each step run through the real commands (diff → apply → rollback →
// apply) with invariants checked after every command.
//
// Models are Go structs, so a batch of sequences is turned into Go source
// (gen.go), built once into a program (build.go) that registers every step's
// models and runs them in-process through cli.Main (run.go). This file holds
// the model description that edits change and the source is printed from.
package evolve

import (
	"fmt"
	"slices"
	"strings"
)

// GoTypes are the field types a column may take; the pointer forms map to
// the same SQL type (GORM makes every column nullable unless "not null").
var GoTypes = []string{
	"string", "int", "int64", "float64", "bool", "time.Time", "[]byte",
	"*string", "*int", "*int64", "*float64", "*bool", "*time.Time",
}

// Column is one field of a model.
type Column struct {
	Name        string `json:"name"` // the column name
	Type        string `json:"type"` // one of GoTypes
	NotNull     bool   `json:"notNull,omitempty"`
	Default     string `json:"default,omitempty"` // GORM default literal
	Size        int    `json:"size,omitempty"`
	Varchar     bool   `json:"varchar,omitempty"` // type:varchar(Size) instead of size:Size
	Unique      bool   `json:"unique,omitempty"`  // uniqueIndex
	Index       bool   `json:"index,omitempty"`   // a plain index
	Check       string `json:"check,omitempty"`   // CHECK constraint name; the expression is checkExpr
	RenamedFrom string `json:"renamedFrom,omitempty"`
	// FK: the column references Parent(id); the relation field carries
	// OnDelete. A column with a FK is an int64 the edits leave alone.
	Parent   string `json:"parent,omitempty"`
	OnDelete string `json:"onDelete,omitempty"`
}

// Table is one model; id is an implicit integer primary key.
type Table struct {
	Name        string   `json:"name"`
	Cols        []Column `json:"cols"`
	Composite   []string `json:"composite,omitempty"` // a composite index over these columns, in order
	RenamedFrom string   `json:"renamedFrom,omitempty"`
}

// Model is the set of tables of one step.
type Model struct {
	Tables []Table `json:"tables"`
	Next   int     `json:"next"` // the counter new names are made from
}

// Clone returns a deep copy whose rename hints are cleared (a hint belongs
// to the step that renames).
func (m Model) Clone() Model {
	out := Model{Next: m.Next, Tables: make([]Table, len(m.Tables))}
	for i, t := range m.Tables {
		t.Cols = slices.Clone(t.Cols)
		for j := range t.Cols {
			t.Cols[j].RenamedFrom = ""
		}
		t.Composite = slices.Clone(t.Composite)
		t.RenamedFrom = ""
		out.Tables[i] = t
	}
	return out
}

func (m *Model) table(name string) *Table {
	for i := range m.Tables {
		if m.Tables[i].Name == name {
			return &m.Tables[i]
		}
	}
	return nil
}

func (t *Table) col(name string) *Column {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return &t.Cols[i]
		}
	}
	return nil
}

func (m *Model) name(prefix string) string {
	m.Next++
	return fmt.Sprintf("%s%d", prefix, m.Next)
}

// children lists the (table, column) pairs that reference table.
func (m *Model) children(table string) [][2]string {
	var out [][2]string
	for _, t := range m.Tables {
		for _, c := range t.Cols {
			if c.Parent == table {
				out = append(out, [2]string{t.Name, c.Name})
			}
		}
	}
	return out
}

// baseType strips the pointer.
func baseType(goType string) string { return strings.TrimPrefix(goType, "*") }

// SQLType is the type GORM's SQLite dialector gives the Go type.
func SQLType(c Column) string {
	if c.Varchar && baseType(c.Type) == "string" {
		return fmt.Sprintf("varchar(%d)", c.Size)
	}
	switch baseType(c.Type) {
	case "string":
		return "text"
	case "int", "int64":
		return "integer"
	case "float64":
		return "real"
	case "bool":
		return "numeric"
	case "time.Time":
		return "datetime"
	case "[]byte":
		return "blob"
	}
	panic("evolve: unknown Go type " + c.Type)
}

// defaultFor is a constant default literal of the column's type.
func defaultFor(goType string, variant int) string {
	switch baseType(goType) {
	case "string":
		return []string{"'dflt'", "''", "'ünï'"}[variant%3]
	case "int", "int64":
		return []string{"7", "0", "-1"}[variant%3]
	case "float64":
		return []string{"1.5", "0", "-0.25"}[variant%3]
	case "bool":
		return []string{"true", "false"}[variant%2]
	case "time.Time":
		return "'2000-01-01 00:00:00'"
	}
	return "" // []byte: no default
}

// checkExpr is the expression of a column's CHECK: true for most values the
// data generator writes, false for some long ones, so adding it over
// existing rows sometimes fails (and must then change nothing).
func checkExpr(c Column) string {
	return fmt.Sprintf("length(%s) < 60", c.Name)
}
