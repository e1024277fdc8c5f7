package erd

import (
	"fmt"
	"regexp"
	"strings"
)

// Mermaid's erDiagram lexer (mermaid 11) takes a bare entity name of word
// characters and "-", an attribute name or type of [A-Za-z_] then
// [A-Za-z0-9_-()[]], and strings without '"'. Older renderers (GitHub's
// may lag) take less, so this writes the common subset: bare names only
// when plain ASCII and not a keyword, quoted entity names otherwise, and
// attribute words mapped to the subset with the real name in the comment.
var (
	plainEntity = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	plainAttr   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	plainType   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\([0-9]+\))?$`)
	leadWord    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`)
)

// keywords the erDiagram lexer reads before a name (case-insensitive):
// a table or column called so is quoted or renamed.
var keywords = map[string]bool{
	"erdiagram": true, "style": true, "classdef": true, "class": true, "subgraph": true, "end": true,
	"direction": true, "one": true, "many": true, "only": true, "zero": true, "or": true, "more": true,
	"to": true, "optionally": true, "u": true, "pk": true, "fk": true, "uk": true, "acctitle": true, "accdescr": true,
}

func (d *diagram) mermaid() string {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	if d.marked {
		b.WriteString("    %% diff picture: the schema after the pending change; comments mark what it adds, changes and drops\n")
	}
	ids := entityIDs(d.entities)
	for _, e := range d.entities {
		if e.mark != "" {
			fmt.Fprintf(&b, "    %%%% %s: %s\n", oneLine(e.name), e.mark)
		}
		fmt.Fprintf(&b, "    %s {\n", ids[e.name])
		if e.view {
			fmt.Fprintf(&b, "        view query %s\n", mermaidString("view: "+shorten(e.sql, 80)))
		}
		for _, a := range e.attrs {
			b.WriteString("        " + mermaidAttr(a, e.mark) + "\n")
		}
		b.WriteString("    }\n")
	}
	for _, r := range d.rels {
		right := "||"
		if r.nullable {
			right = "o|"
		}
		label := r.label
		if r.mark != "" {
			label += " (" + string(r.mark) + ")"
		}
		fmt.Fprintf(&b, "    %s }o--%s %s : %s\n", ids[r.child], right, ids[r.parent], mermaidString(label))
	}
	return b.String()
}

// entityIDs maps each entity to the name written: bare when it can be,
// else quoted with the characters a quoted name cannot hold replaced and a
// suffix when that meets another name. Bare names are taken first, so a
// table keeps its own name.
func entityIDs(es []*entity) map[string]string {
	ids := map[string]string{}
	used := map[string]bool{}
	bare := func(name string) bool { return plainEntity.MatchString(name) && !keywords[strings.ToLower(name)] }
	for _, e := range es {
		if bare(e.name) {
			ids[e.name] = e.name
			used[strings.ToLower(e.name)] = true
		}
	}
	for _, e := range es {
		if bare(e.name) {
			continue
		}
		id := strings.Map(func(r rune) rune {
			if r == '"' || r == '%' || r == '\\' || r < ' ' || r == 0x7f {
				return '_'
			}
			return r
		}, e.name)
		if strings.TrimSpace(id) == "" {
			id = "_" + id
		}
		base := id
		for i := 2; used[strings.ToLower(id)]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		used[strings.ToLower(id)] = true
		ids[e.name] = `"` + id + `"`
	}
	return ids
}

// mermaidAttr writes "type name PK, FK "comment"".
func mermaidAttr(a *attr, tableMark Mark) string {
	var notes []string
	mark := a.mark
	if tableMark == Added || tableMark == Dropped {
		mark = tableMark
	}
	if mark != "" {
		notes = append(notes, string(mark))
	}
	if a.notNull {
		notes = append(notes, "NOT NULL")
	}
	typ := a.typ
	if !plainType.MatchString(typ) || keywords[strings.ToLower(typ)] {
		typ = leadWord.FindString(typ)
		if typ == "" || keywords[strings.ToLower(typ)] {
			typ = "untyped"
		}
		if a.typ != "" {
			notes = append(notes, "type: "+a.typ)
		}
	}
	name := a.name
	if !plainAttr.MatchString(name) || keywords[strings.ToLower(name)] {
		name = strings.Map(func(r rune) rune {
			if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, name)
		if name == "" || name[0] >= '0' && name[0] <= '9' || keywords[strings.ToLower(name)] {
			name = "_" + name
		}
		notes = append(notes, "column: "+a.name)
	}
	var keys []string
	for _, k := range []struct {
		on   bool
		name string
	}{{a.pk, "PK"}, {a.fk, "FK"}, {a.uk, "UK"}} {
		if k.on {
			keys = append(keys, k.name)
		}
	}
	s := typ + " " + name
	if len(keys) > 0 {
		s += " " + strings.Join(keys, ", ")
	}
	if len(notes) > 0 {
		s += " " + mermaidString(strings.Join(notes, ", "))
	}
	return s
}

// mermaidString quotes s as a Mermaid string, which ends at the first '"'
// and holds no line break.
func mermaidString(s string) string {
	return `"` + strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '~':
			// Mermaid 10 reads a~b~ as a generic type even inside a string.
			return '～'
		case r < ' ' || r == 0x7f:
			return ' '
		}
		return r
	}, s) + `"`
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
