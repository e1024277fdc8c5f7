// Package erd draws a schema as an entity-relationship diagram: Mermaid's
// erDiagram (GitHub renders it in Markdown) or Graphviz dot. Every command
// that prints a diagram (schema, inspect, diff) renders through Render, from
// the *schema.Schema Atlas inspected, views attached (package objects).
package erd

import (
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/objects"
)

// Formats Render draws.
const (
	Mermaid = "mermaid"
	Dot     = "dot"
)

// Mark is what a pending change does to a table, column or foreign key.
type Mark string

// Marks of a diff picture (Compare); "" is unchanged.
const (
	Added   Mark = "added"
	Dropped Mark = "dropped"
	Changed Mark = "changed"
)

// Options configure Render.
type Options struct {
	// Before is the schema a pending change starts from: the diagram then
	// shows the schema after it, with what it adds, changes and drops
	// marked (dropped tables and columns are kept, marked). nil: no marks.
	Before *schema.Schema
}

// Render draws s in format.
func Render(s *schema.Schema, format string, o Options) (string, error) {
	d := build(s, o.Before)
	switch format {
	case Mermaid:
		return d.mermaid(), nil
	case Dot:
		return d.dot(), nil
	}
	return "", fmt.Errorf("unknown diagram format %q: want %s or %s", format, Mermaid, Dot)
}

// diagram is the format-neutral picture.
type diagram struct {
	entities []*entity
	rels     []*rel
	marked   bool // a diff picture
}

type entity struct {
	name  string
	view  bool
	sql   string // a view's SELECT
	mark  Mark
	attrs []*attr
}

type attr struct {
	name, typ  string
	pk, fk, uk bool
	notNull    bool
	mark       Mark
}

type rel struct {
	child, parent string
	label         string
	nullable      bool // the child's columns may be NULL: zero or one parent
	mark          Mark
}

func build(after, before *schema.Schema) *diagram {
	d := &diagram{marked: before != nil}
	old := map[string]*schema.Table{}
	if before != nil {
		for _, t := range before.Tables {
			old[ident.Fold(t.Name)] = t
		}
	}
	seen := map[string]bool{}
	for _, t := range after.Tables {
		e := tableEntity(t)
		seen[ident.Fold(t.Name)] = true
		if d.marked {
			if ot, ok := old[ident.Fold(t.Name)]; ok {
				markColumns(e, t, ot)
			} else {
				e.mark = Added
			}
		}
		d.entities = append(d.entities, e)
		d.rels = append(d.rels, tableRels(t, "")...)
		if ot := old[ident.Fold(t.Name)]; d.marked && ot != nil {
			d.rels = markRels(d.rels, ot, t)
		} else if d.marked {
			for _, r := range d.rels {
				if r.child == t.Name {
					r.mark = Added
				}
			}
		}
	}
	if before != nil {
		for _, t := range before.Tables {
			if seen[ident.Fold(t.Name)] {
				continue
			}
			e := tableEntity(t)
			e.mark = Dropped
			d.entities = append(d.entities, e)
			d.rels = append(d.rels, tableRels(t, Dropped)...)
		}
	}
	for _, o := range objects.Of(after) {
		if o.Type == "view" {
			d.entities = append(d.entities, &entity{name: o.Name, view: true, sql: viewSelect(o.SQL)})
		}
	}
	// A dropped table's key may point at a table no longer drawn.
	names := map[string]bool{}
	for _, e := range d.entities {
		names[e.name] = true
	}
	rels := d.rels[:0]
	for _, r := range d.rels {
		if names[r.parent] {
			rels = append(rels, r)
		}
	}
	d.rels = rels
	return d
}

func tableEntity(t *schema.Table) *entity {
	e := &entity{name: t.Name}
	pk, fk, uk := map[string]bool{}, map[string]bool{}, map[string]bool{}
	if t.PrimaryKey != nil {
		for _, p := range t.PrimaryKey.Parts {
			if p.C != nil {
				pk[p.C.Name] = true
			}
		}
	}
	for _, k := range t.ForeignKeys {
		for _, c := range k.Columns {
			fk[c.Name] = true
		}
	}
	for _, ix := range t.Indexes {
		if !ix.Unique {
			continue
		}
		for _, p := range ix.Parts {
			if p.C != nil {
				uk[p.C.Name] = true
			}
		}
	}
	for _, c := range t.Columns {
		e.attrs = append(e.attrs, &attr{name: c.Name, typ: typeOf(c), pk: pk[c.Name], fk: fk[c.Name], uk: uk[c.Name],
			notNull: c.Type != nil && !c.Type.Null})
	}
	return e
}

func typeOf(c *schema.Column) string {
	if c.Type == nil {
		return ""
	}
	if c.Type.Raw != "" {
		return strings.ToLower(c.Type.Raw)
	}
	if c.Type.Type != nil {
		return strings.ToLower(fmt.Sprintf("%T", c.Type.Type)[len("*schema."):])
	}
	return ""
}

func tableRels(t *schema.Table, m Mark) []*rel {
	var rs []*rel
	for _, k := range t.ForeignKeys {
		if k.RefTable == nil {
			continue
		}
		r := &rel{child: t.Name, parent: k.RefTable.Name, label: fkLabel(k), mark: m}
		for _, c := range k.Columns {
			if c.Type == nil || c.Type.Null {
				r.nullable = true
			}
		}
		rs = append(rs, r)
	}
	return rs
}

// fkLabel names a key by its columns ("playerId"), which a reader knows,
// rather than its constraint name.
func fkLabel(k *schema.ForeignKey) string {
	cols := make([]string, len(k.Columns))
	for i, c := range k.Columns {
		cols[i] = c.Name
	}
	return strings.Join(cols, ", ")
}

// markColumns marks e's columns against the table before the change and
// appends the columns it drops.
func markColumns(e *entity, t, old *schema.Table) {
	was := tableEntity(old)
	byName := map[string]*attr{}
	for _, a := range was.attrs {
		byName[ident.Fold(a.name)] = a
	}
	now := map[string]bool{}
	for _, a := range e.attrs {
		now[ident.Fold(a.name)] = true
		o, ok := byName[ident.Fold(a.name)]
		switch {
		case !ok:
			a.mark = Added
		case o.typ != a.typ || o.notNull != a.notNull || o.pk != a.pk || o.uk != a.uk || o.fk != a.fk || defaultOf(old, a.name) != defaultOf(t, a.name):
			a.mark = Changed
		}
	}
	for _, a := range was.attrs {
		if !now[ident.Fold(a.name)] {
			a.mark = Dropped
			e.attrs = append(e.attrs, a)
		}
	}
	for _, a := range e.attrs {
		if a.mark != "" {
			e.mark = Changed
		}
	}
}

func defaultOf(t *schema.Table, col string) string {
	c, ok := t.Column(col)
	if !ok || c.Default == nil {
		return ""
	}
	switch x := c.Default.(type) {
	case *schema.Literal:
		return x.V
	case *schema.RawExpr:
		return x.X
	}
	return fmt.Sprintf("%v", c.Default)
}

// markRels marks the keys of t (already in rs) against old's, and adds
// old's keys that t drops.
func markRels(rs []*rel, old, t *schema.Table) []*rel {
	key := func(r *rel) string { return ident.Fold(r.parent) + "\x00" + ident.Fold(r.label) }
	was := map[string]*rel{}
	for _, r := range tableRels(old, Dropped) {
		was[key(r)] = r
	}
	for _, r := range rs {
		if r.child != t.Name {
			continue
		}
		if _, ok := was[key(r)]; ok {
			delete(was, key(r))
		} else {
			r.mark = Added
		}
	}
	keys := make([]string, 0, len(was))
	for k := range was {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rs = append(rs, was[k])
	}
	return rs
}

// viewSelect is the query of a CREATE VIEW statement, on one line.
func viewSelect(sql string) string {
	s := objects.Normalize(sql)
	if i := strings.Index(strings.ToUpper(s), " AS "); i >= 0 {
		s = s[i+4:]
	}
	return s
}
