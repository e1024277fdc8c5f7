package evolve

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Value is one stored value, exactly: its storage class and its bytes (the
// IEEE bits for a real), plus its text rendering (CAST(x AS TEXT)); and the
// same value as the guard reads it, which guard.Kept judges: the oracle
// asks the guard's own rule whether a rewritten value is kept, instead of
// a copy of it.
type Value struct {
	Class string          `json:"class"` // null, integer, real, text, blob
	Bytes string          `json:"bytes"` // hex of the value (text and blob bytes, integer digits), or the float bits
	Text  string          `json:"text"`  // hex of CAST(x AS TEXT); "" for NULL
	Rec   sqlitedb.Record `json:"-"`     // read by guard.Values
}

// same reports whether v and o are the same stored value (class and bytes).
func (v Value) same(o Value) bool { return v.Class == o.Class && v.Bytes == o.Bytes }

// kept reports whether after holds v's value by the guard's rule
// (guard.Kept: the same value, the same text, or the same number). A NULL
// before is not checked: filling NULLs loses nothing.
func (v Value) kept(after Value) bool {
	return v.Class == "null" || v.same(after) || guard.Kept(v.Rec, after.Rec)
}

func (v Value) String() string {
	if v.Class == "null" {
		return "NULL"
	}
	return v.Class + ":" + v.Bytes
}

// TableSnap is one table's columns and rows keyed by id, and the value of
// each column's default (nil: none, or not a constant).
type TableSnap struct {
	Cols     []string
	Rows     map[int64][]Value
	Defaults []*Value
}

// Snapshot is the state of the database the invariants compare.
type Snapshot struct {
	Tables    map[string]*TableSnap
	Schema    []string // sqlite_master entries, sorted
	Revisions []string // version|applied|total|error
}

// TakeSnapshot reads every row of every application table.
func TakeSnapshot(db *sql.DB) (*Snapshot, error) {
	s := &Snapshot{Tables: map[string]*TableSnap{}}
	names, err := userTables(db)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		ts, err := snapTable(db, n)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", n, err)
		}
		s.Tables[n] = ts
	}
	if s.Schema, err = strings1(db, `SELECT type || ' ' || name || ' ' || IFNULL(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY type, name`); err != nil {
		return nil, err
	}
	var ok bool
	if err := db.QueryRow(`SELECT count(*) > 0 FROM sqlite_master WHERE name = 'atlas_schema_revisions'`).Scan(&ok); err != nil {
		return nil, err
	}
	if ok {
		if s.Revisions, err = strings1(db, "SELECT `version` || '|' || `applied` || '|' || `total` || '|' || IFNULL(`error`, '') FROM `atlas_schema_revisions` WHERE `version` <> '.atlas_cloud_identifier' ORDER BY `version`"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func strings1(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func snapTable(db *sql.DB, name string) (*TableSnap, error) {
	rows, err := db.Query(`SELECT name, type, dflt_value FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return nil, err
	}
	ts := &TableSnap{Rows: map[int64][]Value{}}
	var dflts []sql.NullString
	var types []string
	for rows.Next() {
		var c, typ string
		var d sql.NullString
		if err := rows.Scan(&c, &typ, &d); err != nil {
			rows.Close()
			return nil, err
		}
		if c != "id" {
			ts.Cols, dflts, types = append(ts.Cols, c), append(dflts, d), append(types, typ)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sel := make([]string, len(ts.Cols))
	for i, c := range ts.Cols {
		sel[i] = readValue(quoteIdent(c))
	}
	q := "SELECT id"
	if len(sel) > 0 {
		q += ", " + strings.Join(sel, ", ")
	}
	if err := scanValues(db, q+" FROM "+quoteIdent(name), len(ts.Cols), func(id int64, vals []Value) { ts.Rows[id] = vals }); err != nil {
		return nil, err
	}
	// The guard's reading of every non-NULL value, by the row key it names.
	for i, c := range ts.Cols {
		recs, err := guard.Values(context.Background(), db, name, []string{"id"}, c)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.Class == sqlitedb.ClassNull {
				continue
			}
			id, err := strconv.ParseInt(strings.TrimPrefix(r.KeyQ, "id="), 10, 64)
			if err != nil || ts.Rows[id] == nil || ts.Rows[id][i].Class == "null" {
				return nil, fmt.Errorf("guard.Values(%s.%s) read %q at an unknown row", name, c, r.KeyQ)
			}
			ts.Rows[id][i].Rec = r
		}
		for id, r := range ts.Rows {
			if r[i].Class != "null" && r[i].Rec.Class == sqlitedb.ClassNull {
				return nil, fmt.Errorf("guard.Values(%s.%s) did not read row id=%d", name, c, id)
			}
		}
	}
	// Defaults, as a row gets them (the column's affinity applied: DEFAULT
	// 0 in a real column stores 0.0): dropping a column that holds only its
	// default loses nothing (the guard's rule), so a drop expects a refusal
	// only for other values.
	ts.Defaults = make([]*Value, len(ts.Cols))
	for i, d := range dflts {
		if d.Valid {
			ts.Defaults[i] = storedDefault(db, types[i], d.String)
		}
	}
	return ts, nil
}

// storedDefault is the value a row gets from DEFAULT dflt in a column of
// type typ, read in a temporary table (the file is not touched); nil when
// the default is not a constant.
func storedDefault(db *sql.DB, typ, dflt string) *Value {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE evolve_default (v "+typ+" DEFAULT ("+dflt+"))"); err != nil {
		return nil
	}
	defer conn.ExecContext(ctx, "DROP TABLE temp.evolve_default")
	if _, err := conn.ExecContext(ctx, "INSERT INTO temp.evolve_default DEFAULT VALUES"); err != nil {
		return nil
	}
	var out *Value
	_ = scanValues(conn, "SELECT 0, "+readValue("v")+" FROM temp.evolve_default", 1, func(_ int64, vals []Value) { out = &vals[0] })
	if out != nil {
		// As the guard evaluates it, to compare by its rule (losable).
		rec, err := guard.Default(ctx, conn, dflt)
		if err != nil {
			return nil
		}
		out.Rec = rec
	}
	return out
}

// readValue selects what a Value is made of. The real comes back as a
// float64 (an expression has no declared type, so the driver never parses
// a datetime column's text).
func readValue(q string) string {
	return fmt.Sprintf("typeof(%[1]s), CASE WHEN typeof(%[1]s) = 'real' THEN %[1]s END, hex(CASE WHEN typeof(%[1]s) <> 'real' THEN %[1]s END), hex(CAST(%[1]s AS TEXT))", q)
}

// scanValues runs q (an id, then readValue of n values) and calls row for
// every row.
func scanValues(db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, n int, row func(int64, []Value)) error {
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		class := make([]string, n)
		real := make([]sql.NullFloat64, n)
		hex := make([]sql.NullString, n)
		text := make([]sql.NullString, n)
		dst := []any{&id}
		for i := range n {
			dst = append(dst, &class[i], &real[i], &hex[i], &text[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		vals := make([]Value, n)
		for i := range vals {
			v := Value{Class: class[i], Bytes: hex[i].String, Text: text[i].String, Rec: sqlitedb.Record{Class: sqlitedb.ClassNull}}
			if v.Class == "real" {
				v.Bytes = fmt.Sprintf("%016x(%v)", math.Float64bits(real[i].Float64), real[i].Float64)
			}
			vals[i] = v
		}
		row(id, vals)
	}
	return rows.Err()
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Col returns the index of column c, or -1.
func (t *TableSnap) Col(c string) int { return slices.Index(t.Cols, c) }

// ids returns the row ids in order.
func (t *TableSnap) ids() []int64 {
	out := make([]int64, 0, len(t.Rows))
	for id := range t.Rows {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Equal reports whether a and b hold the same schema, rows and revisions.
func (s *Snapshot) Equal(o *Snapshot) bool {
	return s.Describe() == o.Describe()
}

// Describe renders the snapshot as text, to compare and to print.
func (s *Snapshot) Describe() string {
	var b strings.Builder
	for _, l := range s.Schema {
		b.WriteString(l + "\n")
	}
	for _, l := range s.Revisions {
		b.WriteString("rev " + l + "\n")
	}
	names := make([]string, 0, len(s.Tables))
	for n := range s.Tables {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t := s.Tables[n]
		fmt.Fprintf(&b, "table %s (%s)\n", n, strings.Join(t.Cols, ", "))
		for _, id := range t.ids() {
			fmt.Fprintf(&b, "  %d:", id)
			for _, v := range t.Rows[id] {
				b.WriteString(" " + v.String())
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// losable counts the values of a column that dropping it loses: by the
// guard's rule, neither NULL nor the column's default.
func (s *Snapshot) losable(table, col string) int {
	t := lookup(s, table)
	if t == nil {
		return 0
	}
	i := colIndex(t, col)
	if i < 0 {
		return 0
	}
	n := 0
	for _, r := range t.Rows {
		if t.losable(r, i) {
			n++
		}
	}
	return n
}

// losable reports whether value i of row r is neither NULL nor the
// column's default.
func (t *TableSnap) losable(r []Value, i int) bool {
	d := t.Defaults[i]
	return r[i].Class != "null" && (d == nil || !r[i].same(*d) && !guard.Kept(d.Rec, r[i].Rec))
}
