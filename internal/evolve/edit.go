package evolve

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Edit kinds: every model edit the issue lists.
const (
	AddColumn    = "add_column"
	DropColumn   = "drop_column"
	RenameColumn = "rename_column"
	ChangeType   = "change_type"
	SetNotNull   = "set_not_null"
	DropNotNull  = "drop_not_null"
	SetDefault   = "set_default"
	SetSize      = "set_size"
	ToggleUnique = "toggle_unique"
	ToggleIndex  = "toggle_index"
	Composite    = "composite_index"
	ToggleCheck  = "toggle_check"
	AddFK        = "add_fk"
	DropFK       = "drop_fk"
	AddTable     = "add_table"
	DropTable    = "drop_table"
	RenameTable  = "rename_table"
)

// weights make a short run meet every kind (TestEvolutionShort asserts it);
// type changes, the riskiest edit, are the most frequent.
var weights = []struct {
	kind string
	w    int
}{
	{ChangeType, 8}, {AddColumn, 4}, {DropColumn, 3}, {RenameColumn, 3},
	{SetNotNull, 3}, {DropNotNull, 2}, {SetDefault, 2}, {SetSize, 2},
	{ToggleUnique, 2}, {ToggleIndex, 2}, {Composite, 2}, {ToggleCheck, 2},
	{AddFK, 2}, {DropFK, 2}, {AddTable, 2}, {DropTable, 2}, {RenameTable, 2},
}

// Kinds lists every edit kind.
func Kinds() []string {
	out := make([]string, len(weights))
	for i, w := range weights {
		out[i] = w.kind
	}
	return out
}

// Edit is one model edit with every random choice made, so that replaying a
// subset of a sequence's edits (shrinking) is deterministic.
type Edit struct {
	Kind   string   `json:"kind"`
	Table  string   `json:"table,omitempty"`
	Column string   `json:"column,omitempty"`
	Name   string   `json:"name,omitempty"` // new table or column name
	Type   string   `json:"type,omitempty"`
	Value  string   `json:"value,omitempty"` // default literal, ON DELETE action, or parent table
	Flag   bool     `json:"flag,omitempty"`
	N      int      `json:"n,omitempty"`
	Cols   []Column `json:"cols,omitempty"` // add_table
	Seed   uint64   `json:"seed"`           // the data inserted before this step
}

// Dropped is what an edit removes on purpose: its data may go (after apply
// refused and --force), nothing else may.
type Dropped struct {
	Table  string // the whole table
	Column string // with Table: one column
}

// Apply returns m with e applied, and false when e does not fit m (a shrunk
// sequence skips it). Rename hints are set on the returned model only.
func Apply(m Model, e Edit) (Model, []Dropped, bool) {
	m = m.Clone()
	var dropped []Dropped
	if e.Kind == AddTable {
		if m.table(e.Name) != nil {
			return m, nil, false
		}
		t := Table{Name: e.Name, Cols: slices.Clone(e.Cols)}
		for _, c := range t.Cols {
			if c.Parent != "" && m.table(c.Parent) == nil {
				return m, nil, false
			}
		}
		m.Tables = append(m.Tables, t)
		return m, nil, true
	}
	t := m.table(e.Table)
	if t == nil {
		return m, nil, false
	}
	var c *Column
	if e.Column != "" {
		if c = t.col(e.Column); c == nil {
			return m, nil, false
		}
		// FK columns are only touched by the FK edits and drops.
		if c.Parent != "" && e.Kind != DropFK && e.Kind != DropColumn {
			return m, nil, false
		}
	}
	switch e.Kind {
	case AddColumn:
		if t.col(e.Name) != nil {
			return m, nil, false
		}
		t.Cols = append(t.Cols, Column{Name: e.Name, Type: e.Type, NotNull: e.Flag, Default: e.Value})
	case DropColumn:
		if c == nil {
			return m, nil, false
		}
		t.Cols = slices.DeleteFunc(t.Cols, func(x Column) bool { return x.Name == e.Column })
		if slices.Contains(t.Composite, e.Column) {
			t.Composite = nil
		}
		dropped = append(dropped, Dropped{Table: t.Name, Column: e.Column})
	case RenameColumn:
		if c == nil || t.col(e.Name) != nil && !strings.EqualFold(e.Name, e.Column) {
			return m, nil, false
		}
		c.Name = e.Name
		if !strings.EqualFold(e.Name, e.Column) {
			c.RenamedFrom = e.Column // a case-only rename needs no hint
		}
		for i, n := range t.Composite {
			if n == e.Column {
				t.Composite[i] = e.Name
			}
		}
	case ChangeType:
		if c == nil || c.Type == e.Type {
			return m, nil, false
		}
		if baseType(c.Type) != baseType(e.Type) {
			if c.Default != "" || c.NotNull {
				c.Default = defaultFor(e.Type, 0)
			}
			if c.Default == "" {
				c.NotNull = false // []byte has no default: a NOT NULL blob could not be added
			}
			c.Varchar = c.Varchar && baseType(e.Type) == "string"
			if c.Check != "" && baseType(e.Type) == "[]byte" {
				c.Check = ""
			}
		}
		c.Type = e.Type
	case SetNotNull:
		if c == nil || c.NotNull {
			return m, nil, false
		}
		c.NotNull = true
		if c.Default == "" {
			// Without a default: diff writes the copy, apply refuses it
			// where the column holds NULLs (docs/changes.md, tightening).
			c.Default = e.Value
		}
	case DropNotNull:
		if c == nil || !c.NotNull {
			return m, nil, false
		}
		c.NotNull = false
	case SetDefault:
		if c == nil || c.Default == e.Value || c.NotNull && e.Value == "" {
			return m, nil, false
		}
		c.Default = e.Value
	case SetSize:
		if c == nil || c.Size == e.N && c.Varchar == e.Flag {
			return m, nil, false
		}
		c.Size, c.Varchar = e.N, e.Flag && e.N > 0 && baseType(c.Type) == "string"
	case ToggleUnique:
		if c == nil {
			return m, nil, false
		}
		c.Unique = !c.Unique
	case ToggleIndex:
		if c == nil {
			return m, nil, false
		}
		c.Index = !c.Index
	case Composite:
		if e.Name == "" {
			if t.Composite == nil {
				return m, nil, false
			}
			t.Composite = nil
			break
		}
		a, b := t.col(e.Column), t.col(e.Name)
		if a == nil || b == nil || a == b {
			return m, nil, false
		}
		t.Composite = []string{a.Name, b.Name}
	case ToggleCheck:
		if c == nil || baseType(c.Type) == "[]byte" {
			return m, nil, false
		}
		if c.Check != "" {
			c.Check = ""
		} else {
			c.Check = "chk_" + t.Name + "_" + c.Name
		}
	case AddFK:
		if m.table(e.Value) == nil || e.Value == t.Name || t.col(e.Name) != nil {
			return m, nil, false
		}
		t.Cols = append(t.Cols, Column{Name: e.Name, Type: "int64", Parent: e.Value, OnDelete: e.Type})
	case DropFK:
		if c == nil || c.Parent == "" {
			return m, nil, false
		}
		c.Parent, c.OnDelete = "", ""
	case DropTable:
		for _, ch := range m.children(t.Name) {
			cc := m.table(ch[0]).col(ch[1])
			cc.Parent, cc.OnDelete = "", ""
		}
		m.Tables = slices.DeleteFunc(m.Tables, func(x Table) bool { return x.Name == e.Table })
		dropped = append(dropped, Dropped{Table: e.Table})
	case RenameTable:
		if x := m.table(e.Name); x != nil && x != t {
			return m, nil, false
		}
		for _, ch := range m.children(t.Name) {
			m.table(ch[0]).col(ch[1]).Parent = e.Name
		}
		t = m.table(e.Table)
		t.Name = e.Name
		if !strings.EqualFold(e.Name, e.Table) {
			t.RenamedFrom = e.Table
		}
	default:
		return m, nil, false
	}
	return m, dropped, true
}

// Generator makes random edits.
type Generator struct {
	r *rand.Rand
}

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *Generator) pick(n int) int { return g.r.IntN(n) }

func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *Generator) goType() string { return GoTypes[g.pick(len(GoTypes))] }

func (g *Generator) newColumn(m *Model) Column {
	c := Column{Name: m.name("c"), Type: g.goType()}
	if g.chance(0.2) {
		c.Name = "col" + strings.TrimPrefix(c.Name, "c") + "X" // mixed case, as real apps have
	}
	if g.chance(0.25) && baseType(c.Type) != "[]byte" {
		c.NotNull, c.Default = true, defaultFor(c.Type, g.pick(3))
	} else if g.chance(0.15) {
		c.Default = defaultFor(c.Type, g.pick(3))
	}
	return c
}

// Initial is the first step: two tables, the second referencing the first
// with ON DELETE CASCADE.
func (g *Generator) Initial() Edit {
	var m Model
	return g.tableEdit(&m, "")
}

func (g *Generator) tableEdit(m *Model, parent string) Edit {
	e := Edit{Kind: AddTable, Name: m.name("t"), Seed: g.r.Uint64()}
	for range 2 + g.pick(3) {
		e.Cols = append(e.Cols, g.newColumn(m))
	}
	if parent != "" {
		e.Cols = append(e.Cols, Column{Name: m.name("ref"), Type: "int64", Parent: parent, OnDelete: g.onDelete()})
	}
	return e
}

func (g *Generator) onDelete() string {
	return []string{"CASCADE", "CASCADE", "SET NULL", "RESTRICT", ""}[g.pick(5)]
}

// Sequence makes a sequence of n edits (after the initial tables).
func (g *Generator) Sequence(n int) []Edit {
	var m Model
	var edits []Edit
	add := func(e Edit) {
		if next, _, ok := Apply(m, e); ok {
			m = next
			edits = append(edits, e)
		}
	}
	first := g.tableEdit(&m, "")
	add(first)
	add(g.tableEdit(&m, first.Name))
	for len(edits) < n+2 {
		add(g.Edit(&m))
	}
	return edits
}

// Edit makes one random edit that fits m (it advances m's name counter).
func (g *Generator) Edit(m *Model) Edit {
	total := 0
	for _, w := range weights {
		total += w.w
	}
	for {
		k := g.pick(total)
		kind := ""
		for _, w := range weights {
			if k < w.w {
				kind = w.kind
				break
			}
			k -= w.w
		}
		if e, ok := g.edit(m, kind); ok {
			e.Seed = g.r.Uint64()
			if _, _, fits := Apply(*m, e); fits {
				return e
			}
		}
	}
}

// edit fills the parameters of one edit of kind.
func (g *Generator) edit(m *Model, kind string) (Edit, bool) {
	if kind == AddTable {
		parent := ""
		if len(m.Tables) > 0 && g.chance(0.6) {
			parent = m.Tables[g.pick(len(m.Tables))].Name
		}
		return g.tableEdit(m, parent), true
	}
	if len(m.Tables) == 0 {
		return Edit{}, false
	}
	t := &m.Tables[g.pick(len(m.Tables))]
	e := Edit{Kind: kind, Table: t.Name}
	var plain []*Column // columns the column edits may touch (no FK)
	for i := range t.Cols {
		if t.Cols[i].Parent == "" {
			plain = append(plain, &t.Cols[i])
		}
	}
	var c *Column
	if len(plain) > 0 {
		c = plain[g.pick(len(plain))]
		e.Column = c.Name
	}
	needCol := func() bool { return c != nil }
	switch kind {
	case AddColumn:
		nc := g.newColumn(m)
		e.Column, e.Name, e.Type, e.Flag, e.Value = "", nc.Name, nc.Type, nc.NotNull, nc.Default
		return e, true
	case DropColumn:
		if g.chance(0.2) { // FK columns may be dropped too
			for _, x := range t.Cols {
				if x.Parent != "" {
					e.Column = x.Name
				}
			}
		}
		return e, e.Column != ""
	case RenameColumn:
		if !needCol() {
			return e, false
		}
		e.Name = m.name("c")
		if g.chance(0.2) {
			e.Name = strings.ToUpper(c.Name[:1]) + c.Name[1:]
		}
		return e, true
	case ChangeType:
		if !needCol() {
			return e, false
		}
		e.Type = g.goType()
		if g.chance(0.2) { // pointer form only
			if strings.HasPrefix(c.Type, "*") {
				e.Type = baseType(c.Type)
			} else if c.Type != "[]byte" {
				e.Type = "*" + c.Type
			}
		}
		return e, true
	case SetNotNull:
		if !needCol() {
			return e, false
		}
		// Mostly with a default (NULLs filled); sometimes without: apply
		// refuses where NULLs exist, the user fills them and applies again.
		if g.chance(0.7) {
			e.Value = defaultFor(c.Type, g.pick(3))
		}
		return e, true
	case DropNotNull, ToggleUnique, ToggleIndex, ToggleCheck:
		return e, needCol()
	case SetDefault:
		if !needCol() {
			return e, false
		}
		if baseType(c.Type) != "[]byte" && (c.Default == "" || g.chance(0.5)) {
			e.Value = defaultFor(c.Type, g.pick(3))
		}
		return e, true
	case SetSize:
		if !needCol() {
			return e, false
		}
		e.N = []int{0, 8, 16, 255}[g.pick(4)]
		e.Flag = g.chance(0.5)
		return e, true
	case Composite:
		if len(plain) < 2 || t.Composite != nil && g.chance(0.5) {
			e.Column = ""
			return e, t.Composite != nil
		}
		d := plain[g.pick(len(plain))]
		e.Name = d.Name
		return e, d != c
	case AddFK:
		if len(m.Tables) < 2 {
			return e, false
		}
		p := m.Tables[g.pick(len(m.Tables))]
		e.Column, e.Name, e.Value, e.Type = "", m.name("ref"), p.Name, g.onDelete()
		return e, p.Name != t.Name
	case DropFK:
		e.Column = ""
		for _, x := range t.Cols {
			if x.Parent != "" {
				e.Column = x.Name
			}
		}
		return e, e.Column != ""
	case DropTable:
		e.Column = ""
		return e, len(m.Tables) > 1
	case RenameTable:
		e.Column = ""
		e.Name = m.name("t")
		if g.chance(0.2) {
			e.Name = strings.ToUpper(t.Name[:1]) + t.Name[1:]
		}
		return e, true
	}
	return e, false
}
