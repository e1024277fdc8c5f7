package plan

// Views and triggers through table rebuilds.
//
// Atlas's open-source SQLite driver neither inspects nor plans views and
// triggers. When it rebuilds a table (CREATE TABLE `new_t` … INSERT INTO
// `new_t` … SELECT … FROM `t` … DROP TABLE `t` … ALTER TABLE `new_t` RENAME
// TO `t`), SQLite deletes t's triggers with the old table, and the rename
// fails with "error in view v: no such table: main.t" (or "error in trigger
// …") as soon as any view or trigger body names t: with legacy_alter_table
// off, a rename re-parses every view and trigger of the schema. Preserve
// drops all views and triggers before such a plan and recreates them, from
// their stored SQL, after it.

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/objects"
)

// Preserve rewrites p so that the views and triggers in objs survive its
// table rebuilds. It reports whether it changed p.
//
// A rebuild is recognised by Atlas's statements: "DROP TABLE `X`" followed
// later by "ALTER TABLE `new_X` RENAME TO `X`"; a DROP TABLE without that
// rename drops the table for good. When p rebuilds at least one table, every
// object in objs is dropped (DROP VIEW / DROP TRIGGER IF EXISTS) before the
// first statement that is not a PRAGMA, and recreated from its stored SQL,
// views then triggers, each in creation order, after the last statement but
// the closing "PRAGMA foreign_keys = on". All of them, not only those that
// name a rebuilt table: it is simple and always safe. Exceptions:
//   - objects that p itself drops or creates (DROP/CREATE VIEW/TRIGGER with
//     that name) are left alone;
//   - triggers ON a table that p drops for good are dropped with it and not
//     recreated, as SQLite would do.
//
// Preserve refuses (error, p unchanged) what it cannot keep working:
//   - a view, or a trigger on another table, that depends on a table p drops
//     for good — checked even when p rebuilds nothing, since the object would
//     be left broken and every later rebuild would fail on it;
//   - when p rebuilds, an object that depends on a table p renames, or on a
//     column p renames (ALTER TABLE … RENAME [COLUMN], or a renamed column in
//     a rebuild's INSERT … SELECT): it would be recreated with the old name.
//
// "Depends on" is a heuristic: the name appears in the object's SQL as a
// whole word, case-insensitively, quoted or not (for a column: the table and
// the column both appear). A column, alias or string literal spelled like
// the table gives a false positive (an error to resolve by hand), never a
// silent loss.
//
// Not detected: a view or trigger that uses a column the rebuild drops is
// recreated as written (SQLite does not check view or trigger bodies at
// CREATE time) and fails when used.
func Preserve(p *migrate.Plan, objs []objects.Object) (bool, error) {
	a := analyzePlan(p.Changes)
	// gone: a trigger on a table p drops for good goes with its table;
	// dropped up front like the others (it may name a rebuilt table), never
	// recreated.
	gone := func(o objects.Object) bool { return o.Type == "trigger" && a.droppedName(o.Table) != "" }
	var keep []objects.Object
	for _, o := range objs {
		if a.own[strings.ToLower(o.Name)] {
			continue
		}
		if gone(o) {
			keep = append(keep, o)
			continue
		}
		for _, t := range a.dropped {
			if refers(o.SQL, t) {
				return false, fmt.Errorf("%s %q depends on table %q, which this migration drops: drop or change the %s in a hand-written migration first", o.Type, o.Name, t, o.Type)
			}
		}
		keep = append(keep, o)
	}
	if len(a.rebuilt) == 0 || len(keep) == 0 {
		return false, nil
	}
	for _, o := range keep {
		if gone(o) {
			continue
		}
		for _, r := range a.renamedTables {
			if refers(o.SQL, r.from) {
				return false, fmt.Errorf("%s %q depends on table %q, which this migration renames to %q while it rebuilds %s: the %s would be recreated with the old name; rename the table in a hand-written migration", o.Type, o.Name, r.from, r.to, quoteList(a.rebuilt), o.Type)
			}
		}
		for _, r := range a.renamedColumns {
			if refers(o.SQL, r.table) && refers(o.SQL, r.from) {
				return false, fmt.Errorf("%s %q depends on column %q.%q, which this migration renames to %q while it rebuilds %s: the %s would be recreated with the old name; rename the column in a hand-written migration", o.Type, o.Name, r.table, r.from, r.to, quoteList(a.rebuilt), o.Type)
			}
		}
	}
	rebuilt := quoteList(a.rebuilt)
	var drops, creates []*migrate.Change
	for _, o := range keep {
		drops = append(drops, &migrate.Change{
			Cmd:     fmt.Sprintf("DROP %s IF EXISTS %s", strings.ToUpper(o.Type), ident.Quote(o.Name)),
			Comment: fmt.Sprintf("drop %s %q before rebuilding %s", o.Type, o.Name, rebuilt),
		})
	}
	for _, typ := range []string{"view", "trigger"} {
		for _, o := range keep {
			if o.Type != typ || gone(o) {
				continue
			}
			creates = append(creates, &migrate.Change{
				Cmd:     objects.CreateCmd(o.SQL),
				Comment: fmt.Sprintf("recreate %s %q after rebuilding %s", o.Type, o.Name, rebuilt),
			})
		}
	}
	splice(p, drops, creates)
	return true, nil
}

// planInfo is what Preserve needs to know about a plan's statements.
type planInfo struct {
	rebuilt        []string        // tables rebuilt, in plan order
	dropped        []string        // tables dropped for good, in plan order
	renamedTables  []rename        // plain table renames (not new_X → X)
	renamedColumns []rename        // column renames, in place or in a rebuild
	own            map[string]bool // lower-cased names of views/triggers p drops or creates
}

type rename struct{ table, from, to string }

func (a *planInfo) droppedName(table string) string {
	for _, t := range a.dropped {
		if strings.EqualFold(t, table) {
			return t
		}
	}
	return ""
}

func analyzePlan(changes []*migrate.Change) *planInfo {
	a := &planInfo{own: map[string]bool{}}
	type stmt struct {
		drop   string // DROP TABLE X
		rename *rename
	}
	stmts := make([]stmt, len(changes))
	for i, c := range changes {
		cmd := strings.TrimSpace(c.Cmd)
		if rest, ok := words(cmd, "DROP", "TABLE"); ok {
			if r, ok := words(rest, "IF", "EXISTS"); ok {
				rest = r
			}
			if name, _, ok := readIdent(rest); ok {
				stmts[i].drop = name
			}
			continue
		}
		if rest, ok := words(cmd, "ALTER", "TABLE"); ok {
			table, rest, ok := readIdent(rest)
			if !ok {
				continue
			}
			if r, ok := words(rest, "RENAME", "TO"); ok {
				if to, _, ok := readIdent(r); ok {
					stmts[i].rename = &rename{from: table, to: to}
				}
				continue
			}
			if r, ok := words(rest, "RENAME"); ok {
				if r2, ok := words(r, "COLUMN"); ok {
					r = r2
				}
				from, r, ok := readIdent(r)
				if !ok {
					continue
				}
				if r, ok = words(r, "TO"); ok {
					if to, _, ok := readIdent(r); ok {
						a.renamedColumns = append(a.renamedColumns, rename{table: table, from: from, to: to})
					}
				}
			}
			continue
		}
		if rest, ok := words(cmd, "INSERT", "INTO"); ok {
			a.renamedColumns = append(a.renamedColumns, copyRenames(rest)...)
			continue
		}
		if name, ok := viewOrTrigger(cmd); ok {
			a.own[strings.ToLower(name)] = true
		}
	}
	renameAt := func(i int, table string) bool {
		for _, s := range stmts[i+1:] {
			if s.rename != nil && strings.EqualFold(s.rename.to, table) && strings.EqualFold(s.rename.from, "new_"+table) {
				return true
			}
		}
		return false
	}
	for i, s := range stmts {
		switch {
		case s.drop != "" && renameAt(i, s.drop):
			if !containsFold(a.rebuilt, s.drop) {
				a.rebuilt = append(a.rebuilt, s.drop)
			}
		case s.drop != "":
			a.dropped = append(a.dropped, s.drop)
		case s.rename != nil && !strings.EqualFold(s.rename.from, "new_"+s.rename.to):
			a.renamedTables = append(a.renamedTables, *s.rename)
		}
	}
	return a
}

// copyRenames reads the rest of Atlas's copy statement,
// "`new_X` (`a`, `b`) SELECT `a`, `old_b` FROM `X`", and returns the
// columns whose value comes from a column with another name.
func copyRenames(s string) []rename {
	target, rest, ok := readIdent(s)
	if !ok || !strings.HasPrefix(strings.ToLower(target), "new_") {
		return nil
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") {
		return nil
	}
	into, rest := scanList(rest[1:], ")")
	rest, ok = words(strings.TrimPrefix(rest, ")"), "SELECT")
	if !ok {
		return nil
	}
	from, rest := scanList(rest, "FROM")
	rest, ok = words(rest, "FROM")
	if !ok || len(from) != len(into) {
		return nil
	}
	table, _, ok := readIdent(rest)
	if !ok || !strings.EqualFold("new_"+table, target) {
		return nil
	}
	var out []rename
	for i := range into {
		to, r1, ok1 := readIdent(into[i])
		old, r2, ok2 := readIdent(from[i])
		if ok1 && ok2 && strings.TrimSpace(r1) == "" && strings.TrimSpace(r2) == "" && !strings.EqualFold(to, old) {
			out = append(out, rename{table: table, from: old, to: to})
		}
	}
	return out
}

// scanList splits s at top-level commas (outside quotes and parentheses)
// up to the first top-level stop: ")" or a keyword. It returns the items and
// the rest of s from the stop on.
func scanList(s, stop string) ([]string, string) {
	var items []string
	depth, begin := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(s[i+1:], end)
			if j < 0 {
				return nil, ""
			}
			i += j + 1
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == ',':
			items = append(items, s[begin:i])
			begin = i + 1
		case stop == ")" && c == ')',
			stop != ")" && (i == 0 || !isWord(s[i-1])) && hasWordAt(s[i:], stop):
			return append(items, s[begin:i]), s[i:]
		}
	}
	return nil, ""
}

// viewOrTrigger returns the name in DROP VIEW/TRIGGER [IF EXISTS] name and
// CREATE [TEMP] VIEW/TRIGGER [IF NOT EXISTS] name.
func viewOrTrigger(cmd string) (string, bool) {
	var rest string
	switch r, ok := words(cmd, "DROP"); {
	case ok:
		rest = r
	default:
		if rest, ok = words(cmd, "CREATE"); !ok {
			return "", false
		}
		for _, w := range []string{"TEMP", "TEMPORARY"} {
			if r, ok := words(rest, w); ok {
				rest = r
			}
		}
	}
	var ok bool
	for _, w := range []string{"VIEW", "TRIGGER"} {
		var r string
		if r, ok = words(rest, w); ok {
			rest = r
			break
		}
	}
	if !ok {
		return "", false
	}
	for _, ws := range [][]string{{"IF", "NOT", "EXISTS"}, {"IF", "EXISTS"}} {
		if r, ok := words(rest, ws...); ok {
			rest = r
		}
	}
	name, _, ok := readIdent(rest)
	return name, ok
}

// words consumes the keywords ws (case-insensitive, separated by spaces)
// at the start of s.
func words(s string, ws ...string) (string, bool) {
	for _, w := range ws {
		s = strings.TrimLeft(s, " \t\r\n")
		if !hasWordAt(s, w) {
			return "", false
		}
		s = s[len(w):]
	}
	return s, true
}

func hasWordAt(s, w string) bool {
	return len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) && (len(s) == len(w) || !isWord(s[len(w)]))
}

// readIdent reads an identifier at the start of s: `a`, "a", [a] or a bare
// word, optionally qualified by a schema ("main".`a`). It returns the
// unqualified name and the rest of s.
func readIdent(s string) (string, string, bool) {
	name, rest, ok := identPart(strings.TrimLeft(s, " \t\r\n"))
	if !ok {
		return "", s, false
	}
	if strings.HasPrefix(rest, ".") {
		if n, r, ok := identPart(rest[1:]); ok {
			return n, r, true
		}
	}
	return name, rest, true
}

func identPart(s string) (string, string, bool) {
	if s == "" {
		return "", s, false
	}
	switch q := s[0]; q {
	case '`', '"', '[':
		end := q
		if q == '[' {
			end = ']'
		}
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] != end {
				b.WriteByte(s[i])
				continue
			}
			if end != ']' && i+1 < len(s) && s[i+1] == end { // doubled quote
				b.WriteByte(end)
				i++
				continue
			}
			return b.String(), s[i+1:], true
		}
		return "", s, false
	}
	i := 0
	for i < len(s) && isWord(s[i]) {
		i++
	}
	if i == 0 {
		return "", s, false
	}
	return s[:i], s[i:], true
}

func isWord(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// refers reports whether name appears in sql as a whole word,
// case-insensitively (SQLite names are case-insensitive), quoted or not.
func refers(sql, name string) bool {
	if name == "" {
		return false
	}
	s, n := strings.ToLower(sql), strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(s[i:], n)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWord(s[j-1]) || !isWord(n[0])
		k := j + len(n)
		after := k == len(s) || !isWord(s[k]) || !isWord(n[len(n)-1])
		if before && after {
			return true
		}
		i = j + 1
	}
}

// splice puts drops before p's own statements and creates after them,
// inside the PRAGMAs that bracket them (body).
func splice(p *migrate.Plan, drops, creates []*migrate.Change) {
	start, end := body(p)
	out := make([]*migrate.Change, 0, len(p.Changes)+len(drops)+len(creates))
	out = append(out, p.Changes[:start]...)
	out = append(out, drops...)
	out = append(out, p.Changes[start:end]...)
	out = append(out, creates...)
	out = append(out, p.Changes[end:]...)
	p.Changes = out
}

// body is where p's own statements are: after its leading PRAGMAs and
// before its closing PRAGMA foreign_keys = on, so what is added inside
// runs with foreign keys off, as the rebuild does.
func body(p *migrate.Plan) (start, end int) {
	for start < len(p.Changes) && isPragma(p.Changes[start].Cmd) {
		start++
	}
	end = len(p.Changes)
	if end > start && isForeignKeysOn(p.Changes[end-1].Cmd) {
		end--
	}
	return start, end
}

func isPragma(cmd string) bool {
	_, ok := words(strings.TrimSpace(cmd), "PRAGMA")
	return ok
}

func isForeignKeysOn(cmd string) bool {
	f := strings.Fields(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(cmd), ";")))
	return strings.Join(f, " ") == "pragma foreign_keys = on"
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
