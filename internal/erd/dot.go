package erd

import (
	"fmt"
	"strings"
)

// dot writes Graphviz: one record-shaped node per table (its name, then a
// field per column, each a port the key edges start and end at), one edge
// per foreign key. Node ids are generated (t0, t1 …), so any name is safe.
func (d *diagram) dot() string {
	var b strings.Builder
	b.WriteString("digraph schema {\n    rankdir=LR;\n    node [shape=record, fontname=\"Helvetica\", fontsize=10];\n    edge [arrowhead=none, arrowtail=crow, dir=both, fontsize=9];\n")
	id := map[string]int{}
	for i, e := range d.entities {
		id[e.name] = i
		title := e.name
		if e.view {
			title += " (view)"
		}
		if e.mark != "" {
			title += " (" + string(e.mark) + ")"
		}
		fields := []string{recordText(title)}
		if e.view {
			fields = append(fields, recordText(shorten(e.sql, 80))+`\l`)
		}
		for j, a := range e.attrs {
			line := a.name + " : " + a.typ
			var notes []string
			for _, k := range []struct {
				on   bool
				name string
			}{{a.pk, "PK"}, {a.fk, "FK"}, {a.uk, "UK"}, {a.notNull, "NOT NULL"}} {
				if k.on {
					notes = append(notes, k.name)
				}
			}
			if a.mark != "" && e.mark != Added && e.mark != Dropped {
				notes = append(notes, string(a.mark))
			}
			if len(notes) > 0 {
				line += " " + strings.Join(notes, " ")
			}
			fields = append(fields, fmt.Sprintf("<c%d> %s\\l", j, recordText(line)))
		}
		// No braces: under rankdir=LR the fields of a record stack vertically.
		fmt.Fprintf(&b, "    t%d [label=\"%s\"%s];\n", i, strings.Join(fields, "|"), dotStyle(e.mark))
	}
	for _, r := range d.rels {
		c, p := d.entities[id[r.child]], d.entities[id[r.parent]]
		tail := ""
		if port := portOf(c, strings.Split(r.label, ", ")[0]); port >= 0 {
			tail = fmt.Sprintf(":c%d", port)
		}
		head := ""
		if len(p.attrs) > 0 {
			head = ":c0"
			for j, a := range p.attrs {
				if a.pk {
					head = fmt.Sprintf(":c%d", j)
					break
				}
			}
		}
		label := r.label
		if r.mark != "" {
			label += " (" + string(r.mark) + ")"
		}
		arrow := "tee"
		if r.nullable {
			arrow = "teeodot"
		}
		fmt.Fprintf(&b, "    t%d%s -> t%d%s [label=%s, arrowhead=%s%s];\n", id[r.child], tail, id[r.parent], head, dotString(label), arrow, dotStyle(r.mark))
	}
	b.WriteString("}\n")
	return b.String()
}

func portOf(e *entity, col string) int {
	for j, a := range e.attrs {
		if a.name == col {
			return j
		}
	}
	return -1
}

func dotStyle(m Mark) string {
	switch m {
	case Added:
		return `, color="darkgreen", fontcolor="darkgreen"`
	case Dropped:
		return `, color="red", fontcolor="red", style="dashed"`
	case Changed:
		return `, color="darkorange"`
	}
	return ""
}

// recordText escapes s for a record label inside a DOT string: the record
// syntax's { } | < > and space and \ with a backslash, then '"' for DOT.
func recordText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '{', '}', '|', '<', '>', ' ', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dotString quotes s as a DOT string: only '"' is escaped there, and a
// trailing backslash would escape the closing quote.
func dotString(s string) string {
	s = strings.ReplaceAll(oneLine(s), `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
