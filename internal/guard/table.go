package guard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

type column struct {
	Name    string
	Type    string
	NotNull bool
	Default sql.NullString // the default's SQL expression
	PK      int            // position in the primary key, 0 = not in it
	// PostgreSQL: the column's attnum (its identity across a rename) and,
	// where the guard names it as before a rename, its name now.
	attnum int
	now    string
}

func (c column) same(d column) bool {
	return c.Name == d.Name && strings.EqualFold(c.Type, d.Type) && c.NotNull == d.NotNull && c.Default == d.Default && c.PK == d.PK
}

// table is a table as the guard measured it.
type table struct {
	Name    string
	Cols    []column // stored columns (generated ones derive from these)
	Key     []string // primary key columns in key order; none = unkeyed
	Digest  *sqlitedb.Digest
	DKey    []string            // the columns Digest is keyed by; nil: whole rows
	Records [][]sqlitedb.Record // Detail: per column (as Cols), its values row by row
	from    string              // PostgreSQL: the quoted qualified name to select from
	exact   bool                // names compare exactly (PostgreSQL), not as SQLite folds them
}

// tables lists the user tables of the main schema, ident.Fold(name) → name;
// the revisions table is the history's, not data a migration keeps. Virtual
// tables count (an FTS5 table may hold the only copy of its text): their
// modules write their shadow tables at run time, unseen by the authorizer,
// so the guard measures the virtual table itself. Every
// query of the guard names the main schema: a TEMP table of the same name
// would otherwise shadow the table measured.
func tables(ctx context.Context, q Queryer) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := map[string]string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if !ident.SameName(n, revisions.Table) {
			ts[ident.Fold(n)] = n
		}
	}
	return ts, rows.Err()
}

func readTable(ctx context.Context, q Queryer, name string) (*table, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, 'main')`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &table{Name: name}
	keys := map[int]string{}
	for rows.Next() {
		var c column
		var hidden int
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &c.Default, &c.PK, &hidden); err != nil {
			return nil, err
		}
		if hidden != 0 {
			continue // generated (or a virtual table's hidden column): not stored data
		}
		if c.PK > 0 {
			keys[c.PK] = c.Name
		}
		t.Cols = append(t.Cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := 1; i <= len(keys); i++ {
		t.Key = append(t.Key, keys[i])
	}
	return t, nil
}

// index returns the position of the column SQLite takes name for; -1: none.
func (t *table) index(name string) int {
	for i, c := range t.Cols {
		if t.exact && c.Name == name || !t.exact && ident.SameName(c.Name, name) {
			return i
		}
	}
	return -1
}

func (t *table) names() []string {
	ns := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		ns[i] = c.Name
	}
	return ns
}

// digest measures t in one scan, keying rows by the columns key (nil:
// each row by its whole content).
func (t *table) digest(ctx context.Context, q Queryer, key []string) error {
	pos := make([]int, len(key))
	for i, k := range key {
		if pos[i] = t.index(k); pos[i] < 0 {
			return fmt.Errorf("measure table %q: key column %q is not stored", t.Name, k)
		}
	}
	id, d, err := sqlitedb.NewDigest(t.names(), pos)
	if err != nil {
		return fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	defer sqlitedb.DropSlot(id)
	args := []string{"?"}
	for _, c := range t.Cols {
		args = append(args, ident.Quote(c.Name))
	}
	if err := exec(ctx, q, "SELECT sm_digest("+strings.Join(args, ", ")+") FROM main."+ident.Quote(t.Name), id); err != nil {
		return fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	t.Digest, t.DKey = d, key
	return nil
}

// collect reads every value of col, keyed by key (nil: unkeyed).
func collect(ctx context.Context, q Queryer, tname string, key []string, col string) ([]sqlitedb.Record, error) {
	vs, err := collectRows(ctx, q, tname, key, []string{col})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// collectRows reads every value of cols in one scan, keyed by key (nil:
// unkeyed): per column, its values row by row (the rows align).
func collectRows(ctx context.Context, q Queryer, tname string, key []string, cols []string) ([][]sqlitedb.Record, error) {
	id, rs := sqlitedb.NewCollection()
	defer sqlitedb.DropSlot(id)
	keyQ := "''"
	args := []string{"?", fmt.Sprint(len(key))}
	if len(key) > 0 {
		qs := make([]string, len(key))
		for i, k := range key {
			args = append(args, ident.Quote(k))
			qs[i] = fmt.Sprintf("%s || '=' || quote(%s)", sqlString(k), ident.Quote(k))
		}
		keyQ = strings.Join(qs, " || ', ' || ")
	}
	for i, col := range cols {
		c := ident.Quote(col)
		kq := "''"
		if i == 0 {
			kq = keyQ // one rendering of the key per row is enough
		}
		args = append(args, c, "CAST("+c+" AS TEXT)", "substr(quote("+c+"), 1, 60)", kq)
	}
	if err := exec(ctx, q, "SELECT count(sm_collect("+strings.Join(args, ", ")+")) FROM main."+ident.Quote(tname), id); err != nil {
		return nil, fmt.Errorf("measure table %q: %w", tname, err)
	}
	out := make([][]sqlitedb.Record, len(cols))
	n := len(*rs) / len(cols)
	for i := range out {
		out[i] = make([]sqlitedb.Record, n)
		for r := 0; r < n; r++ {
			out[i][r] = (*rs)[r*len(cols)+i]
		}
	}
	return out, nil
}

// defaultValue evaluates a column default (a constant expression).
func defaultValue(ctx context.Context, q Queryer, expr string) (*sqlitedb.Record, error) {
	id, rs := sqlitedb.NewCollection()
	defer sqlitedb.DropSlot(id)
	if err := exec(ctx, q, "SELECT count(sm_collect(?, 0, v, CAST(v AS TEXT), quote(v), '')) FROM (SELECT ("+expr+") AS v)", id); err != nil {
		return nil, err
	}
	if len(*rs) != 1 {
		return nil, fmt.Errorf("default %s: no value", expr)
	}
	return &(*rs)[0], nil
}

func exec(ctx context.Context, q Queryer, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
