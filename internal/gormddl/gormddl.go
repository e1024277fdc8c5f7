// Package gormddl keeps what GORM's migrator reads in the SQL that Atlas
// plans for SQLite, so that an app calling AutoMigrate at start-up finds
// the database structmigrate applied up to date (issue 14.6).
//
// GORM (gorm.io/gorm/migrator with github.com/glebarez/sqlite) decides from
// the CREATE TABLE text in sqlite_master: the declared type (its size:
// varchar(64) vs varchar), the DEFAULT clause as written ("draft" but not
// 'draft', CURRENT_TIMESTAMP but not (CURRENT_TIMESTAMP)), and a column's
// `CONSTRAINT … UNIQUE (col)` (a unique index does not count). Atlas keeps
// all of it when it inspects (Column.Type.Raw, the default's text, the
// index origin "u"), but its planner writes the type's name only, quotes
// every text default with '…', wraps raw defaults in parentheses and turns
// a UNIQUE constraint into CREATE UNIQUE INDEX. Compare and Plan put that
// information back: diff compares declared types, and the planned DDL
// writes them, and defaults and constraints, as GORM does.
package gormddl

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
)

// Compare makes s's column types compare by their declared text (lower
// case): Atlas's SQLite diff compares type classes only, so varchar(64) →
// varchar(128), or text → varchar(20), was "no changes" while AutoMigrate
// rebuilds the table. The parsed type stays inside (UserDefinedType embeds
// it) for code that asks what kind of value a column holds (Underlying).
func Compare(s *schema.Schema) {
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Type == nil || c.Type.Type == nil {
				continue
			}
			if _, ok := c.Type.Type.(*sqlite.UserDefinedType); ok {
				continue
			}
			raw := declared(c)
			if raw == "" {
				continue
			}
			c.Type.Type = &sqlite.UserDefinedType{Type: c.Type.Type, T: raw}
		}
	}
}

// Underlying is t without Compare's wrapper.
func Underlying(t schema.Type) schema.Type {
	if u, ok := t.(*sqlite.UserDefinedType); ok && u.Type != nil {
		return u.Type
	}
	return t
}

// declared is c's type as declared, in lower case ("" when unknown).
func declared(c *schema.Column) string {
	if u, ok := c.Type.Type.(*sqlite.UserDefinedType); ok {
		return u.T
	}
	if raw := strings.ToLower(strings.Join(strings.Fields(c.Type.Raw), " ")); raw != "" {
		return raw
	}
	if c.Type.Type == nil {
		return ""
	}
	f, err := sqlite.FormatType(c.Type.Type)
	if err != nil {
		return ""
	}
	return f
}

// Plan plans changes with drv, writing column types, defaults and UNIQUE
// constraints as GORM writes them (see the package comment). The schema
// objects are changed only while Atlas plans, and restored.
func Plan(ctx context.Context, drv migrate.Driver, name string, changes []schema.Change, opts ...migrate.PlanOption) (*migrate.Plan, error) {
	r := &render{}
	for _, c := range changes {
		r.change(c)
	}
	defer r.restore()
	p, err := drv.PlanChanges(ctx, name, r.changes(changes), opts...)
	if err != nil {
		return nil, err
	}
	if err := r.rewrite(p); err != nil {
		return nil, err
	}
	return p, nil
}

// render records what Plan swapped, to restore it.
type render struct {
	cols    map[*schema.Column]saved
	uniques map[string][]unique // table name as planned → its UNIQUE constraints
	strip   map[*schema.Table][]*schema.Index
	quoted  map[string][]*schema.Column // table name → columns with "…" defaults
	rebuild map[*schema.ModifyTable]bool
}

type saved struct {
	t schema.Type
	d schema.Expr
}

type unique struct {
	name string
	cols []string
}

func (r *render) change(c schema.Change) {
	switch c := c.(type) {
	case *schema.AddTable:
		r.table(c.T, c.T.Name)
	case *schema.DropTable:
		// Atlas plans the reverse of a DROP TABLE as its CREATE TABLE:
		// written as GORM wrote it, as for an added table (a "…" text
		// default with "" or \ inside is no Go string for Atlas's quoting).
		r.table(c.T, c.T.Name)
	case *schema.ModifyTable:
		// A rebuild creates "new_<name>" from c.T (sqlite/migrate.go).
		r.table(c.T, "new_"+c.T.Name)
		for _, ch := range c.Changes {
			switch ch := ch.(type) {
			case *schema.AddColumn:
				r.column(ch.C)
			case *schema.ModifyColumn:
				r.column(ch.To)
			case *schema.AddIndex:
				r.forceRebuild(c, ch.I)
			case *schema.DropIndex:
				r.forceRebuild(c, ch.I)
			case *schema.ModifyIndex:
				r.forceRebuild(c, ch.From)
				r.forceRebuild(c, ch.To)
			}
		}
	}
}

// forceRebuild: a UNIQUE constraint is part of the table's definition, so
// adding or dropping one rebuilds the table, as AutoMigrate does.
func (r *render) forceRebuild(mt *schema.ModifyTable, idx *schema.Index) {
	if inline(idx) {
		if r.rebuild == nil {
			r.rebuild = map[*schema.ModifyTable]bool{}
		}
		r.rebuild[mt] = true
	}
}

// changes returns changes with the forced rebuilds marked: Atlas rebuilds a
// table whose changes include one it cannot ALTER in place; the attribute
// change it gets carries nothing else (a rebuild writes the table from T).
func (r *render) changes(changes []schema.Change) []schema.Change {
	if len(r.rebuild) == 0 {
		return changes
	}
	out := make([]schema.Change, len(changes))
	for i, c := range changes {
		out[i] = c
		if mt, ok := c.(*schema.ModifyTable); ok && r.rebuild[mt] {
			cp := *mt
			cp.Changes = append(append([]schema.Change(nil), mt.Changes...), &schema.ModifyAttr{From: &rebuildMark{}, To: &rebuildMark{}})
			out[i] = &cp
		}
	}
	return out
}

type rebuildMark struct{ schema.Attr }

func (r *render) table(t *schema.Table, planned string) {
	for _, c := range t.Columns {
		r.column(c)
		if l, ok := c.Default.(*schema.Literal); ok && strings.HasPrefix(l.V, `"`) {
			if r.quoted == nil {
				r.quoted = map[string][]*schema.Column{}
			}
			r.quoted[planned] = append(r.quoted[planned], c)
		}
	}
	var keep []*schema.Index
	for _, idx := range t.Indexes {
		if !inline(idx) {
			keep = append(keep, idx)
			continue
		}
		u := unique{name: constraintName(t, idx)}
		for _, p := range idx.Parts {
			u.cols = append(u.cols, p.C.Name)
		}
		if r.uniques == nil {
			r.uniques = map[string][]unique{}
		}
		r.uniques[planned] = append(r.uniques[planned], u)
	}
	if len(keep) != len(t.Indexes) {
		if r.strip == nil {
			r.strip = map[*schema.Table][]*schema.Index{}
		}
		if _, ok := r.strip[t]; !ok {
			r.strip[t] = t.Indexes
		}
		t.Indexes = keep
	}
}

// column makes Atlas write c's declared type and its default as written:
// FormatType writes an IntegerType's T as it is, and defaultValue writes a
// Literal of an IntegerType as it is (a text type's is re-quoted with '…').
// A bare raw default (CURRENT_TIMESTAMP, null) is written bare, not wrapped
// in parentheses; one SQLite stored without them was written so.
func (r *render) column(c *schema.Column) {
	if _, ok := r.cols[c]; ok || c.Type == nil || c.Type.Type == nil {
		return
	}
	t := declared(c)
	if t == "" {
		return
	}
	if r.cols == nil {
		r.cols = map[*schema.Column]saved{}
	}
	r.cols[c] = saved{t: c.Type.Type, d: c.Default}
	c.Type.Type = &schema.IntegerType{T: t}
	if x, ok := c.Default.(*schema.RawExpr); ok && bareWord.MatchString(x.X) {
		c.Default = &schema.Literal{V: x.X}
	}
}

var bareWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (r *render) restore() {
	for c, s := range r.cols {
		c.Type.Type, c.Default = s.t, s.d
	}
	for t, idx := range r.strip {
		t.Indexes = idx
	}
}

// rewrite adds the UNIQUE constraints to the CREATE TABLE statements, and
// writes a "…" default that a table copy uses in IFNULL(col, default) as
// '…': there it is an expression, where "…" names a column.
func (r *render) rewrite(p *migrate.Plan) error {
	for _, c := range p.Changes {
		at, ok := c.Source.(*schema.AddTable)
		if !ok {
			if strings.HasPrefix(c.Cmd, "INSERT INTO ") {
				c.Cmd = r.ifnull(c.Cmd)
			}
			continue
		}
		us := r.uniques[at.T.Name]
		if len(us) == 0 || !strings.HasPrefix(c.Cmd, "CREATE TABLE") {
			continue
		}
		end := strings.LastIndexByte(c.Cmd, ')')
		if end < 0 {
			return fmt.Errorf("gormddl: no column list in %q", c.Cmd)
		}
		var b strings.Builder
		for _, u := range us {
			fmt.Fprintf(&b, ", CONSTRAINT %s UNIQUE (%s)", quote(u.name), quoteAll(u.cols))
		}
		c.Cmd = c.Cmd[:end] + b.String() + c.Cmd[end:]
	}
	return nil
}

func (r *render) ifnull(cmd string) string {
	for table, cols := range r.quoted {
		if !strings.HasPrefix(cmd, "INSERT INTO "+quote(table)+" ") {
			continue
		}
		for _, c := range cols {
			v := r.cols[c].d.(*schema.Literal).V
			q, err := singleQuote(v)
			if err != nil {
				continue
			}
			cmd = strings.ReplaceAll(cmd, fmt.Sprintf("IFNULL(%s, %s) AS %s", quote(c.Name), v, quote(c.Name)),
				fmt.Sprintf("IFNULL(%s, %s) AS %s", quote(c.Name), q, quote(c.Name)))
		}
	}
	return cmd
}

// singleQuote turns SQLite's "…" string (doubled "" inside) into '…'.
func singleQuote(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("not a double-quoted string: %s", v)
	}
	s := strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

// inline reports an index SQLite made for a UNIQUE constraint of its table.
func inline(idx *schema.Index) bool {
	for _, a := range idx.Attrs {
		if o, ok := a.(*sqlite.IndexOrigin); ok {
			return o.O == "u" && len(idx.Parts) > 0 && allColumns(idx)
		}
	}
	return false
}

func allColumns(idx *schema.Index) bool {
	for _, p := range idx.Parts {
		if p.C == nil {
			return false
		}
	}
	return true
}

// constraintPattern finds `CONSTRAINT name UNIQUE (cols)` in a CREATE TABLE
// statement (GORM's `unique` tag writes uni_<table>_<column>).
var constraintPattern = regexp.MustCompile("(?i)CONSTRAINT\\s+(`[^`]+`|\"[^\"]+\"|\\[[^\\]]+\\]|[A-Za-z0-9_]+)\\s+UNIQUE\\s*\\(([^)]*)\\)")

// constraintName is the name t's CREATE statement gives the UNIQUE
// constraint behind idx, else the index's (normalised) name.
func constraintName(t *schema.Table, idx *schema.Index) string {
	var stmt sqlite.CreateStmt
	for _, a := range t.Attrs {
		if s, ok := a.(*sqlite.CreateStmt); ok {
			stmt = *s
		}
	}
	for _, m := range constraintPattern.FindAllStringSubmatch(stmt.S, -1) {
		cols := strings.Split(m[2], ",")
		if len(cols) != len(idx.Parts) {
			continue
		}
		same := true
		for i, c := range cols {
			if unquote(strings.TrimSpace(c)) != idx.Parts[i].C.Name {
				same = false
			}
		}
		if same {
			return unquote(m[1])
		}
	}
	return idx.Name
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '`' || s[0] == '"' || s[0] == '[') {
		return s[1 : len(s)-1]
	}
	return s
}

func quote(s string) string { return "`" + s + "`" }

func quoteAll(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quote(c)
	}
	return strings.Join(q, ", ")
}
