package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// Driver returns Atlas's SQLite driver over db, with its inspector's
// queries made safe for every name and one of them made linear.
//
// Safe: Atlas formats a table's or an index's name into its inspector
// queries as '%s', without doubling a quote inside. A table named "it's"
// breaks inspection; one named "x'); DELETE FROM t; --" deletes t's rows,
// since the driver runs every statement of a query. Each such query runs
// here with the name as a bound argument instead (see inspectorQueries).
//
// Linear: Atlas lists a table's indexes with
//
//	… FROM pragma_index_list('t') AS il JOIN sqlite_master AS m ON il.name = m.name
//
// SQLite's planner loops over sqlite_master outside and calls the pragma for
// every row of it; any join on sqlite_master also scans it for every table.
// Inspecting n tables thus costs n² row visits: seconds for 1000 tables.
// The rewrite reads the index SQL of the whole schema once per schema
// version and joins the pragma with just the table's indexes, returning the
// same rows in the same order (the order matters to the differ's index
// matching).
func Driver(db schema.ExecQuerier) (migrate.Driver, error) {
	return sqlite.Open(&fastInspect{ExecQuerier: db})
}

// inspectorQueries are Atlas v0.38.0's inspector queries (sql/sqlite
// inspect.go) that format a name into a string literal. A test inspects
// names with quotes, so a change of Atlas's text fails it.
var inspectorQueries = []inspectorQuery{
	newInspectorQuery("SELECT `name`, `type`, (not `notnull`) AS `nullable`, `dflt_value`, (`pk` <> 0) AS `pk`, `hidden` FROM pragma_table_xinfo('%s') ORDER BY `cid`"),
	newInspectorQuery("SELECT name, desc FROM pragma_index_xinfo('%s') WHERE key = 1 ORDER BY seqno"),
	newInspectorQuery("SELECT `id`, `from`, `to`, `table`, `on_update`, `on_delete` FROM pragma_foreign_key_list('%s') ORDER BY id, seq"),
}

// indexesQuery lists a table's indexes (rewritten by indexes below).
var indexesQuery = newInspectorQuery("SELECT `il`.`name`, `il`.`unique`, `il`.`origin`, `il`.`partial`, `m`.`sql` FROM pragma_index_list('%s') AS il JOIN sqlite_master AS m ON il.name = m.name")

// inspectorQuery is a query template split around its '%s'.
type inspectorQuery struct{ prefix, suffix string }

func newInspectorQuery(tmpl string) inspectorQuery {
	prefix, suffix, _ := strings.Cut(tmpl, "'%s'")
	return inspectorQuery{prefix, suffix}
}

// name returns the name Atlas formatted into query, when query is q's.
// The name is exactly what lies between the fixed prefix and suffix, even
// when it contains quotes.
func (q inspectorQuery) name(query string) (string, bool) {
	if len(query) < len(q.prefix)+len(q.suffix)+2 || !strings.HasPrefix(query, q.prefix+"'") || !strings.HasSuffix(query, "'"+q.suffix) {
		return "", false
	}
	return query[len(q.prefix)+1 : len(query)-len(q.suffix)-1], true
}

// bound is q with a bound argument in place of the name.
func (q inspectorQuery) bound() string { return q.prefix + "?" + q.suffix }

type fastInspect struct {
	schema.ExecQuerier
	version int64
	indexes map[string][]index // table (lower case) → its indexes in sqlite_master order
}

type index struct {
	name string
	sql  sql.NullString
}

func (f *fastInspect) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if len(args) == 0 {
		if table, ok := indexesQuery.name(query); ok {
			return f.indexList(ctx, table)
		}
		for _, q := range inspectorQueries {
			if name, ok := q.name(query); ok {
				return f.ExecQuerier.QueryContext(ctx, q.bound(), name)
			}
		}
	}
	return f.ExecQuerier.QueryContext(ctx, query, args...)
}

// indexList answers indexesQuery for table from the indexes loaded once.
func (f *fastInspect) indexList(ctx context.Context, table string) (*sql.Rows, error) {
	if err := f.load(ctx); err != nil {
		return nil, err
	}
	const cols = "SELECT `il`.`name`, `il`.`unique`, `il`.`origin`, `il`.`partial`, "
	idx := f.indexes[ident.Fold(table)]
	if len(idx) == 0 {
		return f.ExecQuerier.QueryContext(ctx, cols+"NULL FROM pragma_index_list(?) AS il WHERE 0", table)
	}
	var rows strings.Builder
	for i, x := range idx {
		if i > 0 {
			rows.WriteString(" UNION ALL ")
		}
		s := "NULL"
		if x.sql.Valid {
			s = literal(x.sql.String)
		}
		fmt.Fprintf(&rows, "SELECT %s AS `name`, %s AS `sql`, %d AS `ord`", literal(x.name), s, i)
	}
	return f.ExecQuerier.QueryContext(ctx, cols+"`m`.`sql` FROM pragma_index_list(?) AS il JOIN ("+rows.String()+") AS m ON il.name = m.name ORDER BY m.ord", table)
}

// load reads every index's SQL once per schema version.
func (f *fastInspect) load(ctx context.Context) error {
	v, err := f.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if f.indexes != nil && v == f.version {
		return nil
	}
	rows, err := f.ExecQuerier.QueryContext(ctx, "SELECT `name`, `tbl_name`, `sql` FROM sqlite_master WHERE `type` = 'index' ORDER BY rowid")
	if err != nil {
		return err
	}
	defer rows.Close()
	f.indexes = map[string][]index{}
	for rows.Next() {
		var (
			x     index
			table string
		)
		if err := rows.Scan(&x.name, &table, &x.sql); err != nil {
			return err
		}
		t := ident.Fold(table)
		f.indexes[t] = append(f.indexes[t], x)
	}
	f.version = v
	return rows.Err()
}

func (f *fastInspect) schemaVersion(ctx context.Context) (int64, error) {
	rows, err := f.ExecQuerier.QueryContext(ctx, "PRAGMA schema_version")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var v int64
	if rows.Next() {
		err = rows.Scan(&v)
	}
	return v, err
}

// literal quotes s as an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
