// Package objects reads, normalizes and compares the views and triggers of a
// SQLite schema. Atlas's open-source SQLite driver neither inspects nor
// plans them, so this project does, and decides here, in one place, when two
// schemas hold the same ones: same type and name (case-insensitive, as
// SQLite names are), same SQL text as SQLite stores it (see Normalize).
//
// They travel inside *schema.Schema, in its Objects list, as one *Set:
// Atlas's SQLite driver ignores that list (its SchemaObjectDiff is empty),
// so every function that passes a schema around carries them unchanged.
package objects

import (
	"context"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
)

// Object is a view or trigger as stored in sqlite_master.
type Object struct {
	Type  string // "view" or "trigger"
	Name  string
	Table string // tbl_name: for a trigger, the table (or view) it is on
	SQL   string // the CREATE statement as SQLite stores it
}

// Key identifies o among a schema's objects.
func (o Object) Key() string { return o.Type + " " + strings.ToLower(o.Name) }

// Read reads the views and triggers of the main schema from db, ordered by
// rowid (creation order: a view comes after the views it reads).
func Read(ctx context.Context, db schema.ExecQuerier) ([]Object, error) {
	rows, err := db.QueryContext(ctx, "SELECT `type`, `name`, `tbl_name`, `sql` FROM `main`.`sqlite_master` WHERE `type` IN ('view', 'trigger') AND `sql` IS NOT NULL ORDER BY `rowid`")
	if err != nil {
		return nil, fmt.Errorf("read views and triggers: %w", err)
	}
	defer rows.Close()
	var objs []Object
	for rows.Next() {
		var o Object
		if err := rows.Scan(&o.Type, &o.Name, &o.Table, &o.SQL); err != nil {
			return nil, fmt.Errorf("read views and triggers: %w", err)
		}
		objs = append(objs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read views and triggers: %w", err)
	}
	return objs, nil
}

// Set carries a schema's views and triggers in schema.Schema.Objects.
type Set struct {
	schema.Object // nil: only makes *Set a schema.Object (Atlas never calls it)
	Objects       []Object
	// Unknown marks a desired state that declares no views or triggers
	// (GORM's AutoMigrate has none): it says nothing about them, so a
	// comparison with it leaves them out. A database or a replayed
	// directory always knows its own.
	Unknown bool
}

// Inspect is drv.InspectSchema with the views and triggers attached.
func Inspect(ctx context.Context, drv migrate.Driver, opts *schema.InspectOptions) (*schema.Schema, error) {
	s, err := drv.InspectSchema(ctx, "", opts)
	if err != nil {
		return nil, err
	}
	objs, err := Read(ctx, drv)
	if err != nil {
		return nil, err
	}
	Attach(s, objs)
	return s, nil
}

// Attach sets s's views and triggers to objs (replacing any).
func Attach(s *schema.Schema, objs []Object) { set(s, &Set{Objects: objs}) }

// MarkUnknown records that s declares no views or triggers (see Set.Unknown).
func MarkUnknown(s *schema.Schema) { set(s, &Set{Unknown: true}) }

func set(s *schema.Schema, st *Set) {
	for i, o := range s.Objects {
		if _, ok := o.(*Set); ok {
			s.Objects[i] = st
			return
		}
	}
	s.Objects = append(s.Objects, st)
}

// Of returns s's views and triggers (none when nothing is attached: e.g. the
// empty state before the first migration).
func Of(s *schema.Schema) []Object {
	if st := setOf(s); st != nil {
		return st.Objects
	}
	return nil
}

// Known reports whether s states its views and triggers (see Set.Unknown).
func Known(s *schema.Schema) bool {
	st := setOf(s)
	return st == nil || !st.Unknown
}

func setOf(s *schema.Schema) *Set {
	if s == nil {
		return nil
	}
	for _, o := range s.Objects {
		if st, ok := o.(*Set); ok {
			return st
		}
	}
	return nil
}

// Normalize returns sql as compared: SQLite already stores a CREATE
// statement normalized at its start (CREATE VIEW, no IF NOT EXISTS, no
// schema name); runs of white space outside quotes and brackets become one
// space and a trailing ";" goes, so re-indenting a body is no change.
func Normalize(sql string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		end := c
		switch c {
		case '[':
			end = ']'
			fallthrough
		case '\'', '"', '`':
			j := strings.IndexByte(sql[i+1:], end)
			if j < 0 {
				b.WriteString(sql[i:])
				i = len(sql)
				continue
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 1
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimRight(b.String(), "; ")
}
