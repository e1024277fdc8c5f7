package objects

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// Change drops or creates one view or trigger. It is a schema.Change so it
// travels with Atlas's table changes; plan splits it out before Atlas plans
// them (Atlas's SQLite driver cannot) and writes its statement itself.
type Change struct {
	schema.Change // nil: only makes *Change a schema.Change
	Drop          bool
	Object        Object
	// Modified: the object exists on both sides with other SQL; the change
	// is half of a DROP + CREATE pair.
	Modified bool
}

// Cmd is the statement: DROP VIEW/TRIGGER, or the stored CREATE statement.
func (c *Change) Cmd() string {
	if c.Drop {
		return fmt.Sprintf("DROP %s %s", strings.ToUpper(c.Object.Type), ident.Quote(c.Object.Name))
	}
	return CreateCmd(c.Object.SQL)
}

// Comment says what the statement does, as Atlas's comments do for tables.
func (c *Change) Comment() string {
	verb := "Create"
	if c.Drop {
		verb = "Drop"
	}
	return fmt.Sprintf("%s %q %s", verb, c.Object.Name, c.Object.Type)
}

// Describe names what the change would still have to do, seen from the
// schema it starts at: a drop is an object left over, a create a missing
// one, a DROP + CREATE pair one whose SQL differs.
func (c *Change) Describe() string {
	switch {
	case c.Modified:
		return fmt.Sprintf("%s %q differs", c.Object.Type, c.Object.Name)
	case c.Drop:
		return fmt.Sprintf("%s %q is left over", c.Object.Type, c.Object.Name)
	default:
		return fmt.Sprintf("%s %q is missing", c.Object.Type, c.Object.Name)
	}
}

// CreateCmd returns a stored CREATE statement as a plan command. SQLite
// keeps a trailing "-- comment" in sqlite_master; a newline keeps the ";"
// the formatter appends out of it.
func CreateCmd(sql string) string {
	if i := strings.LastIndexByte(sql, '\n'); strings.Contains(sql[i+1:], "--") {
		return sql + "\n"
	}
	return sql
}

// Diff returns the changes that take from's views and triggers to to's, in
// an order that runs: triggers then views are dropped, newest first (a view
// may read an older one); views then triggers are created in to's creation
// order. An object whose SQL differs is dropped and created again, and so
// is a trigger on a view that is dropped (DROP VIEW drops it). None
// when either schema does not state its objects (Known).
func Diff(from, to *schema.Schema) []schema.Change {
	if !Known(from) || !Known(to) {
		return nil
	}
	return DiffObjects(Of(from), Of(to))
}

// DiffObjects is Diff on two lists of objects.
func DiffObjects(from, to []Object) []schema.Change {
	index := func(objs []Object) map[string]Object {
		m := make(map[string]Object, len(objs))
		for _, o := range objs {
			m[o.Key()] = o
		}
		return m
	}
	fromKeys, toKeys := index(from), index(to)
	changed := func(o Object, other map[string]Object) (exists, modified bool) {
		p, ok := other[o.Key()]
		return ok, ok && Normalize(p.SQL) != Normalize(o.SQL)
	}
	// DROP VIEW also drops the triggers on the view (INSTEAD OF): a
	// trigger on a view that is dropped goes with it and, if kept, is
	// created again, as if its SQL had changed.
	droppedViews := map[string]bool{}
	for _, o := range from {
		if exists, mod := changed(o, toKeys); o.Type == "view" && (!exists || mod) {
			droppedViews[strings.ToLower(o.Name)] = true
		}
	}
	onDropped := func(o Object) bool { return o.Type == "trigger" && droppedViews[strings.ToLower(o.Table)] }
	var out []schema.Change
	for _, typ := range []string{"trigger", "view"} {
		for i := len(from) - 1; i >= 0; i-- {
			o := from[i]
			if o.Type != typ {
				continue
			}
			exists, mod := changed(o, toKeys)
			mod = mod || exists && onDropped(o)
			if !exists || mod {
				out = append(out, &Change{Drop: true, Object: o, Modified: mod})
			}
		}
	}
	for _, typ := range []string{"view", "trigger"} {
		for _, o := range to {
			if o.Type != typ {
				continue
			}
			exists, mod := changed(o, fromKeys)
			mod = mod || exists && onDropped(fromKeys[o.Key()])
			if !exists || mod {
				out = append(out, &Change{Object: o, Modified: mod})
			}
		}
	}
	return out
}

// Split separates the object changes from Atlas's.
func Split(changes []schema.Change) (tables []schema.Change, objs []*Change) {
	for _, c := range changes {
		if oc, ok := c.(*Change); ok {
			objs = append(objs, oc)
			continue
		}
		tables = append(tables, c)
	}
	return tables, objs
}
