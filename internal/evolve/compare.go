package evolve

import (
	"fmt"
	"slices"
	"strings"
)

// Mapping says how the rows of a snapshot taken before a command are found
// after it: renamed tables and columns, deliberately dropped data, and the
// columns whose declared type changed (their values may be rewritten only
// where the conversion is exact: the same CAST(x AS TEXT)).
type Mapping struct {
	Tables  map[string]string            // old → new table
	Columns map[string]map[string]string // old table → old column → new column
	Dropped []Dropped                    // data that may be gone
	Retyped map[string]map[string]bool   // old table → old column
}

func (m Mapping) table(t string) string {
	if n, ok := m.Tables[t]; ok {
		return n
	}
	return t
}

func (m Mapping) column(t, c string) string {
	if n, ok := m.Columns[t][c]; ok {
		return n
	}
	return c
}

func (m Mapping) dropped(t, c string) bool {
	for _, d := range m.Dropped {
		if strings.EqualFold(d.Table, t) && (d.Column == "" || strings.EqualFold(d.Column, c)) {
			return true
		}
	}
	return false
}

// Problem is one broken invariant about the data.
type Problem struct {
	Kind      string `json:"kind"`  // value_changed, row_lost, row_added, column_lost, table_lost
	Table     string `json:"table"` // the name before the command
	Column    string `json:"column,omitempty"`
	NewTable  string `json:"newTable,omitempty"` // the name after it
	NewColumn string `json:"newColumn,omitempty"`
	Retyped   bool   `json:"retyped,omitempty"` // the step changed the column's declared type
	ID        int64  `json:"id,omitempty"`
	Before    Value  `json:"before"`
	After     Value  `json:"after"`
	// Applied is, for a rollback, the value after apply: where the
	// rollback refuses, the database keeps it.
	Applied *Value `json:"applied,omitempty"`
}

func (p Problem) String() string {
	switch p.Kind {
	case "value_changed":
		return fmt.Sprintf("%s.%s id=%d: %s became %s", p.Table, p.Column, p.ID, p.Before.Describe(), p.After.Describe())
	case "row_lost", "row_added":
		return fmt.Sprintf("%s id=%d: %s", p.Table, p.ID, strings.ReplaceAll(p.Kind, "_", " "))
	}
	return fmt.Sprintf("%s %s.%s", strings.ReplaceAll(p.Kind, "_", " "), p.Table, p.Column)
}

// Describe prints a value readably: class and text (or the float).
func (v Value) Describe() string {
	switch v.Class {
	case "null":
		return "NULL"
	case "real":
		return "real " + v.Bytes
	case "blob":
		return "blob X'" + v.Bytes + "'"
	}
	return fmt.Sprintf("%s %q", v.Class, unhex(v.Bytes))
}

func unhex(h string) string {
	b := make([]byte, 0, len(h)/2)
	for i := 0; i+1 < len(h); i += 2 {
		var x byte
		fmt.Sscanf(h[i:i+2], "%02X", &x)
		b = append(b, x)
	}
	return string(b)
}

// Compare checks that every row and value of before is in after under m,
// by the guard's rule of what is not a loss (guard.go): NULLs filled in,
// rows added, a column renamed (m says where its values went), a value
// whose storage class changed while its text or number stayed the same
// (guard.Kept). Tables and columns absent from before (new ones) are not
// checked here: the schema invariant covers them. m.Dropped lists what may
// be gone (deliberately dropped, or named by a refusal that --force passed).
func Compare(before, after *Snapshot, m Mapping) []Problem {
	var out []Problem
	names := make([]string, 0, len(before.Tables))
	for n := range before.Tables {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		bt := before.Tables[name]
		if m.dropped(name, "") {
			continue
		}
		at := lookup(after, m.table(name))
		if at == nil {
			if len(bt.Rows) > 0 {
				out = append(out, Problem{Kind: "table_lost", Table: name})
			}
			continue
		}
		idx := make([]int, len(bt.Cols))
		for i, c := range bt.Cols {
			idx[i] = -2 // dropped: not compared
			if m.dropped(name, c) {
				continue
			}
			if idx[i] = colIndex(at, m.column(name, c)); idx[i] < 0 && holds(bt, i) {
				out = append(out, Problem{Kind: "column_lost", Table: name, Column: c})
			}
		}
		for _, id := range bt.ids() {
			ar, ok := at.Rows[id]
			if !ok {
				out = append(out, Problem{Kind: "row_lost", Table: name, ID: id, NewTable: m.table(name)})
				continue
			}
			for i, bv := range bt.Rows[id] {
				if idx[i] < 0 {
					continue
				}
				if av := ar[idx[i]]; !bv.kept(av) {
					out = append(out, Problem{Kind: "value_changed", Table: name, Column: bt.Cols[i], ID: id, Before: bv, After: av,
						NewTable: m.table(name), NewColumn: m.column(name, bt.Cols[i]), Retyped: m.Retyped[name][bt.Cols[i]]})
				}
			}
		}
	}
	return out
}

// holds reports whether column i of t holds a value its loss would lose
// (not NULL, not its default).
func holds(t *TableSnap, i int) bool {
	for _, r := range t.Rows {
		if t.losable(r, i) {
			return true
		}
	}
	return false
}

// lookup finds a table by name, case-insensitively as SQLite does.
func lookup(s *Snapshot, name string) *TableSnap {
	if t, ok := s.Tables[name]; ok {
		return t
	}
	for n, t := range s.Tables {
		if strings.EqualFold(n, name) {
			return t
		}
	}
	return nil
}

func colIndex(t *TableSnap, c string) int {
	for i, n := range t.Cols {
		if strings.EqualFold(n, c) {
			return i
		}
	}
	return -1
}

// StepMapping derives the mapping of one edit from the models before and
// after it.
func StepMapping(prev, next Model, e Edit, dropped []Dropped) Mapping {
	m := Mapping{Tables: map[string]string{}, Columns: map[string]map[string]string{}, Dropped: dropped, Retyped: map[string]map[string]bool{}}
	switch e.Kind {
	case RenameTable:
		m.Tables[e.Table] = e.Name
	case RenameColumn:
		m.Columns[e.Table] = map[string]string{e.Column: e.Name}
	}
	for _, pt := range prev.Tables {
		nt := next.table(m.table(pt.Name))
		if nt == nil {
			continue
		}
		for _, pc := range pt.Cols {
			nc := nt.col(m.column(pt.Name, pc.Name))
			if nc != nil && SQLType(*nc) != SQLType(pc) {
				if m.Retyped[pt.Name] == nil {
					m.Retyped[pt.Name] = map[string]bool{}
				}
				m.Retyped[pt.Name][pc.Name] = true
			}
		}
	}
	return m
}

// unlost lists the columns of named (as before names them) whose values
// after keeps under m: a refusal naming them was false. A column m drops
// is lost when it held values other than NULL and its default.
func unlost(before, after *Snapshot, m Mapping, named []Dropped) []Dropped {
	ps := Compare(before, after, m)
	var out []Dropped
	for _, d := range named {
		if m.dropped(d.Table, d.Column) {
			if before.losable(d.Table, d.Column) == 0 {
				out = append(out, d)
			}
			continue
		}
		if !slices.ContainsFunc(ps, func(p Problem) bool {
			return strings.EqualFold(p.Table, d.Table) && (p.Column == "" || strings.EqualFold(p.Column, d.Column))
		}) {
			out = append(out, d)
		}
	}
	return out
}

// inverse maps the state after an edit back to the state before it (a
// rollback): renames undone, and what the edit added to prev deliberately
// dropped.
func (m Mapping) inverse(prev, next Model) Mapping {
	inv := Mapping{Tables: map[string]string{}, Columns: map[string]map[string]string{}}
	for o, n := range m.Tables {
		inv.Tables[n] = o
	}
	for ot, cs := range m.Columns {
		nt := m.table(ot)
		inv.Columns[nt] = map[string]string{}
		for oc, nc := range cs {
			inv.Columns[nt][nc] = oc
		}
	}
	for _, nt := range next.Tables {
		pt := prev.table(inv.table(nt.Name))
		if pt == nil {
			inv.Dropped = append(inv.Dropped, Dropped{Table: nt.Name})
			continue
		}
		for _, nc := range nt.Cols {
			if pt.col(inv.column(nt.Name, nc.Name)) == nil {
				inv.Dropped = append(inv.Dropped, Dropped{Table: nt.Name, Column: nc.Name})
			}
		}
	}
	return inv
}
