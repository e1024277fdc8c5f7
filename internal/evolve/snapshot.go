package evolve

import (
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Value is one stored value, exactly: its storage class and its bytes (the
// IEEE bits for a real), plus its text rendering (CAST(x AS TEXT)), by
// which a type change's conversion is judged exact.
type Value struct {
	Class string `json:"class"` // null, integer, real, text, blob
	Bytes string `json:"bytes"` // hex of the value (text and blob bytes, integer digits), or the float bits
	Text  string `json:"text"`  // hex of CAST(x AS TEXT); "" for NULL
}

func (v Value) String() string {
	if v.Class == "null" {
		return "NULL"
	}
	return v.Class + ":" + v.Bytes
}

// TableSnap is one table's columns and rows keyed by id.
type TableSnap struct {
	Cols []string
	Rows map[int64][]Value
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
	cols, err := strings1(db, fmt.Sprintf(`SELECT name FROM pragma_table_info(%s) ORDER BY cid`, sqlString(name)))
	if err != nil {
		return nil, err
	}
	ts := &TableSnap{Rows: map[int64][]Value{}}
	var sel []string
	for _, c := range cols {
		if c == "id" {
			continue
		}
		ts.Cols = append(ts.Cols, c)
		q := quoteIdent(c)
		// The real comes back as a float64 (an expression has no declared
		// type, so the driver never parses a datetime column's text).
		sel = append(sel, fmt.Sprintf("typeof(%[1]s), CASE WHEN typeof(%[1]s) = 'real' THEN %[1]s END, hex(CASE WHEN typeof(%[1]s) <> 'real' THEN %[1]s END), hex(CAST(%[1]s AS TEXT))", q))
	}
	q := "SELECT id"
	if len(sel) > 0 {
		q += ", " + strings.Join(sel, ", ")
	}
	rows, err := db.Query(q + " FROM " + quoteIdent(name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		class := make([]string, len(ts.Cols))
		real := make([]sql.NullFloat64, len(ts.Cols))
		hex := make([]sql.NullString, len(ts.Cols))
		text := make([]sql.NullString, len(ts.Cols))
		dst := []any{&id}
		for i := range ts.Cols {
			dst = append(dst, &class[i], &real[i], &hex[i], &text[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		vals := make([]Value, len(ts.Cols))
		for i := range vals {
			v := Value{Class: class[i], Bytes: hex[i].String, Text: text[i].String}
			if v.Class == "real" {
				v.Bytes = fmt.Sprintf("%016x(%v)", math.Float64bits(real[i].Float64), real[i].Float64)
			}
			vals[i] = v
		}
		ts.Rows[id] = vals
	}
	return ts, rows.Err()
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

// Counts returns the rows per table and the non-NULL values per column.
func (s *Snapshot) nonNull(table, col string) int {
	t := s.Tables[table]
	if t == nil {
		return 0
	}
	i := t.Col(col)
	n := 0
	for _, r := range t.Rows {
		if i >= 0 && r[i].Class != "null" {
			n++
		}
	}
	return n
}
