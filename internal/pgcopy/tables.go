package pgcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/structmigrate/structmigrate/internal/ident"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

type column struct {
	Name     string
	Type     string // data_type
	Kind     kind
	Sequence bool // serial or identity: reset after explicit ids
}

type table struct {
	Name string
	Cols []column
	Key  []int // primary key columns (indexes in Cols)
}

// targetTables reads the target's tables in the current schema, in
// foreign-key order (a referenced table before its referrers).
func targetTables(ctx context.Context, tx pgx.Tx) ([]table, error) {
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type,
		coalesce(c.column_default LIKE 'nextval(%', false) OR c.is_identity = 'YES', c.identity_generation = 'ALWAYS' AND c.is_identity = 'YES', c.is_generated = 'ALWAYS'
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*table{}
	var names []string
	for rows.Next() {
		var tn string
		var c column
		var always, generated bool
		if err := rows.Scan(&tn, &c.Name, &c.Type, &c.Sequence, &always, &generated); err != nil {
			rows.Close()
			return nil, err
		}
		k, ok := kindOf(c.Type)
		switch {
		case generated:
			continue // PostgreSQL computes it
		case always:
			rows.Close()
			return nil, fmt.Errorf("table %s, column %s: GENERATED ALWAYS AS IDENTITY takes no explicit ids; nothing was copied", tn, c.Name)
		case !ok:
			rows.Close()
			return nil, fmt.Errorf("table %s, column %s: the copy does not convert to type %s; nothing was copied", tn, c.Name, c.Type)
		}
		c.Kind = k
		if byName[tn] == nil {
			byName[tn] = &table{Name: tn}
			names = append(names, tn)
		}
		byName[tn].Cols = append(byName[tn].Cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Primary keys.
	rows, err = tx.Query(ctx, `SELECT k.table_name, k.column_name FROM information_schema.table_constraints c
		JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
		WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() ORDER BY k.table_name, k.ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tn, cn string
		if err := rows.Scan(&tn, &cn); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[tn]; t != nil {
			for i, c := range t.Cols {
				if c.Name == cn {
					t.Key = append(t.Key, i)
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if len(byName[n].Key) == 0 {
			return nil, fmt.Errorf("table %s has no primary key: the copy cannot compare its rows; nothing was copied", n)
		}
	}
	// Foreign keys: referenced before referencing.
	deps := map[string][]string{}
	rows, err = tx.Query(ctx, `SELECT c.relname, r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> r.oid`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		deps[from] = append(deps[from], to)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(names)
	var order []table
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle (%s): the copy needs an order; nothing was copied", strings.Join(append(path, n), " -> "))
		case 2:
			return nil
		}
		state[n] = 1
		d := deps[n]
		sort.Strings(d)
		for _, m := range d {
			if byName[m] != nil {
				if err := visit(m, append(path, n)); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		order = append(order, *byName[n])
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// sameTables refuses a source whose tables or columns the target lacks
// (their rows would be lost) or that lacks a target table's column.
func sameTables(ctx context.Context, src *sql.Tx, tables []table) error {
	want := map[string]table{}
	for _, t := range tables {
		want[t.Name] = t
	}
	rows, err := src.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ? ORDER BY name`, revisionsTable)
	if err != nil {
		return err
	}
	var have []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		have = append(have, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, n := range have {
		t, ok := want[n]
		if !ok {
			return fmt.Errorf("the source's table %s is not in the target; nothing was copied", n)
		}
		seen[n] = true
		cols := map[string]bool{}
		crs, err := src.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", n)
		if err != nil {
			return err
		}
		for crs.Next() {
			var c string
			if err := crs.Scan(&c); err != nil {
				crs.Close()
				return err
			}
			cols[c] = true
		}
		crs.Close()
		for _, c := range t.Cols {
			if !cols[c.Name] {
				return fmt.Errorf("table %s: the target's column %s is not in the source; nothing was copied", n, c.Name)
			}
			delete(cols, c.Name)
		}
		for _, c := range sortedKeys(cols) {
			return fmt.Errorf("table %s: the source's column %s is not in the target; nothing was copied", n, c)
		}
	}
	for _, t := range tables {
		if !seen[t.Name] {
			return fmt.Errorf("the target's table %s is not in the source; nothing was copied", t.Name)
		}
	}
	return nil
}

func (t table) selectList(cast bool) string {
	s := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		s[i] = ident.QuotePG(c.Name)
		if cast && c.Kind == kText || cast && c.Kind == kNumeric {
			s[i] += "::text" // uuid, json and numeric as their text
		}
	}
	return strings.Join(s, ", ")
}

// key is the row's primary key as one string, unambiguous: each part's
// length before it (joined with ", " as in messages, parts holding ", b="
// would make two keys the same text).
func (t table) key(canons []string) string {
	var b strings.Builder
	for _, k := range t.Key {
		fmt.Fprintf(&b, "%d:%s;", len(canons[k]), canons[k])
	}
	return b.String()
}

// keyText is the row's primary key for messages: "id=7" or, for parts
// that are not plain (a comma, an equals sign, a quote, white space at an
// end, a character that does not print such as a newline), "name=\"…\"".
// shown marks parts that are already a source value's display (show).
func (t table) keyText(canons []string, shown []bool) string {
	parts := make([]string, len(t.Key))
	for i, k := range t.Key {
		v := canons[k]
		switch {
		case shown != nil && shown[k]:
		case v == canon(0, nil):
			v = "NULL"
		case plain(v):
		default:
			v = strconv.Quote(v)
		}
		parts[i] = t.Cols[k].Name + "=" + v
	}
	return strings.Join(parts, ", ")
}

func plain(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, ",=\"\\") {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// targetRows reads the target table's rows as canonical text, by key,
// and the per-column digests.
func targetRows(ctx context.Context, tx pgx.Tx, t table) (map[string][]string, []digest, error) {
	rows, err := tx.Query(ctx, fmt.Sprintf("SELECT %s FROM %s", t.selectList(true), ident.QuotePG(t.Name)))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	sums := make([]digest, len(t.Cols))
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, nil, err
		}
		cs := make([]string, len(vals))
		for i, v := range vals {
			cs[i] = canon(t.Cols[i].Kind, v)
		}
		k := t.key(cs)
		if _, dup := out[k]; dup {
			return nil, nil, fmt.Errorf("table %s: two rows have the key %s; nothing was copied", t.Name, t.keyText(cs, nil))
		}
		out[k] = cs
		for i := range cs {
			sums[i].add(k, cs[i])
		}
	}
	return out, sums, rows.Err()
}

// copyTable streams the source rows into the (emptied) target table with
// COPY, counting the rows it held before (existing), then verifies.
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t table, existing map[string][]string) (Table, []digest, error) {
	res := Table{Name: t.Name, Columns: len(t.Cols)}
	rows, err := querySource(ctx, src, t)
	if err != nil {
		return res, nil, err
	}
	defer rows.Close()
	sums := make([]digest, len(t.Cols))
	it := &sourceRows{t: t, rows: rows, existing: existing, sums: sums, res: &res}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, names(t.Cols), it); err != nil {
		if it.err != nil {
			return res, nil, it.err
		}
		return res, nil, copyError(ctx, src, t, err)
	}
	if it.err != nil {
		return res, nil, it.err
	}
	if len(existing) > 0 {
		var ks []string
		for _, cs := range existing {
			ks = append(ks, t.keyText(cs, nil))
		}
		sort.Strings(ks)
		return res, nil, fmt.Errorf("the target is not empty: table %s holds %d rows the source does not have (first: %s); nothing was copied (delete them there first if the target's own data migrations wrote them)", t.Name, len(ks), ks[0])
	}
	return res, sums, nil
}

// verifyTable compares the target table, read back inside the
// transaction after every table was copied (a trigger may write into a
// table copied before), with the source: the row count and every
// column's digest.
func verifyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t table, res Table, sums []digest) error {
	got, gotSums, err := targetRows(ctx, tx, t)
	if err != nil {
		return err
	}
	if len(got) != res.Rows {
		return fmt.Errorf("verify: table %s has %d rows after the copy, the source %d; nothing was copied", t.Name, len(got), res.Rows)
	}
	for i, c := range t.Cols {
		if gotSums[i] != sums[i] {
			if err := verifyError(ctx, src, t, got, i); err != nil {
				return err
			}
			return fmt.Errorf("verify: table %s, column %s: the values differ after the copy; nothing was copied", t.Name, c.Name)
		}
	}
	return nil
}

// convertRow converts a source row: the values for COPY, their canonical
// text (a refused value's display instead) and why each was refused ("").
func convertRow(t table, raw []any) (vals []any, cs, why []string) {
	vals = make([]any, len(raw))
	cs = make([]string, len(raw))
	why = make([]string, len(raw))
	for i, c := range t.Cols {
		vals[i], why[i] = convert(c.Kind, raw[i])
		cs[i] = canon(c.Kind, vals[i])
		if why[i] != "" {
			cs[i] = show(raw[i])
		}
	}
	return vals, cs, why
}

// querySource reads t's rows from the source, in the order SQLite gives: the
// copy and scanSource send the same query.
func querySource(ctx context.Context, src *sql.Tx, t table) (*sql.Rows, error) {
	return src.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s", t.selectList(false), ident.QuotePG(t.Name)))
}

// scanRaw scans the current row's n values as the driver returns them.
func scanRaw(rows *sql.Rows, n int) ([]any, error) {
	raw := make([]any, n)
	ptrs := make([]any, n)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	return raw, rows.Scan(ptrs...)
}

// scanSource reads the source table again, in the order the copy read it
// (the same query in the same read transaction), converted, until fn
// returns false: to name the row a refusal or a verification is about.
func scanSource(ctx context.Context, src *sql.Tx, t table, fn func(n int, raw []any, cs []string) bool) error {
	rows, err := querySource(ctx, src, t)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		raw, err := scanRaw(rows, len(t.Cols))
		if err != nil {
			return err
		}
		_, cs, _ := convertRow(t, raw)
		if !fn(n, raw, cs) {
			return nil
		}
	}
	return rows.Err()
}

// copyError is PostgreSQL's refusal of a row COPY sent, naming the row
// (and the column and value, when PostgreSQL says which) in one line.
func copyError(ctx context.Context, src *sql.Tx, t table, err error) error {
	msg := err.Error()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("table %s: copy: %s; nothing was copied", t.Name, oneLineText(msg))
	}
	if pe.Detail != "" {
		msg += ": " + pe.Detail
	}
	msg = oneLineText(msg)
	line, col := 0, -1
	for _, w := range strings.Split(pe.Where, "\n") {
		rest, ok := strings.CutPrefix(w, "COPY "+t.Name+", line ")
		if !ok {
			continue
		}
		num, name, _ := strings.Cut(rest, ", column ")
		if n, err := strconv.Atoi(num); err == nil {
			line = n
		}
		for i, c := range t.Cols {
			if c.Name == name {
				col = i
			}
		}
	}
	if line == 0 {
		return fmt.Errorf("table %s: copy: %s; nothing was copied", t.Name, msg)
	}
	var found error
	serr := scanSource(ctx, src, t, func(n int, raw []any, cs []string) bool {
		if n < line {
			return true
		}
		if col >= 0 {
			found = fmt.Errorf("table %s, column %s, row %s: value %s: PostgreSQL refuses it: %s; nothing was copied", t.Name, t.Cols[col].Name, t.keyText(cs, nil), show(raw[col]), msg)
		} else {
			found = fmt.Errorf("table %s, row %s: PostgreSQL refuses it: %s; nothing was copied", t.Name, t.keyText(cs, nil), msg)
		}
		return false
	})
	if found == nil || serr != nil {
		return fmt.Errorf("table %s: copy: %s; nothing was copied", t.Name, msg)
	}
	return found
}

// verifyError names the first source row whose column col PostgreSQL
// holds otherwise (nil if none is found).
func verifyError(ctx context.Context, src *sql.Tx, t table, got map[string][]string, col int) error {
	var found error
	serr := scanSource(ctx, src, t, func(_ int, raw []any, cs []string) bool {
		g, ok := got[t.key(cs)]
		switch {
		case !ok:
			found = fmt.Errorf("verify: table %s, row %s: not in the target after the copy; nothing was copied", t.Name, t.keyText(cs, nil))
		case g[col] != cs[col]:
			back := g[col]
			switch {
			case back == canon(0, nil):
				back = "NULL"
			case t.Cols[col].Kind == kText || !plain(back):
				back = strconv.Quote(back)
			}
			found = fmt.Errorf("verify: table %s, column %s, row %s: value %s reads back as %s; nothing was copied", t.Name, t.Cols[col].Name, t.keyText(cs, nil), show(raw[col]), back)
		}
		return found == nil
	})
	if serr != nil {
		return nil
	}
	return found
}

func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ") // a newline is white space too
}

func names(cols []column) []string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.Name
	}
	return s
}

// sourceRows is the COPY source: each SQLite row converted.
type sourceRows struct {
	t        table
	rows     *sql.Rows
	existing map[string][]string
	sums     []digest
	res      *Table
	vals     []any
	err      error
}

func (s *sourceRows) Next() bool {
	for s.err == nil && s.rows.Next() {
		raw, err := scanRaw(s.rows, len(s.t.Cols))
		if err != nil {
			s.err = err
			return false
		}
		// The key first, for messages: converted key columns.
		vals, cs, why := convertRow(s.t, raw)
		key := s.t.key(cs)
		for i, c := range s.t.Cols {
			if why[i] != "" {
				shown := make([]bool, len(why))
				for j := range why {
					shown[j] = why[j] != ""
				}
				s.err = &ConvertError{Table: s.t.Name, Column: c.Name, Key: s.t.keyText(cs, shown), Value: raw[i], Why: why[i]}
				return false
			}
		}
		s.res.Rows++
		for i := range cs {
			s.sums[i].add(key, cs[i])
		}
		if have, ok := s.existing[key]; ok {
			delete(s.existing, key)
			if slices.Equal(have, cs) {
				s.res.Present++
			} else {
				s.res.Changed++
			}
		}
		s.vals = vals
		return true
	}
	if s.err == nil {
		s.err = s.rows.Err()
	}
	return false
}

func (s *sourceRows) Values() ([]any, error) { return s.vals, nil }
func (s *sourceRows) Err() error             { return s.err }

// resetSequences moves each serial or identity sequence past the largest
// id copied, so the app's next insert does not collide.
func resetSequences(ctx context.Context, tx pgx.Tx, t table) error {
	for _, c := range t.Cols {
		if !c.Sequence {
			continue
		}
		// Ids below the sequence's start (0, negatives): the next is its
		// start.
		q := fmt.Sprintf(`SELECT setval(q.seq, greatest(s.m, p.seqmin), s.m >= p.seqmin)
			FROM (SELECT max(%s) AS m FROM %s) s, (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq) q
			JOIN pg_sequence p ON p.seqrelid = q.seq WHERE s.m IS NOT NULL`, ident.QuotePG(c.Name), ident.QuotePG(t.Name))
		if _, err := tx.Exec(ctx, q, ident.QuotePG(t.Name), c.Name); err != nil {
			return fmt.Errorf("table %s, column %s: reset its sequence: %w", t.Name, c.Name, err)
		}
	}
	return nil
}
