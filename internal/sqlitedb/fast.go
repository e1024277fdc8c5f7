package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
)

// Driver returns Atlas's SQLite driver over db, with one query of its
// inspector made linear.
//
// Atlas lists a table's indexes with
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

var indexesQuery = regexp.MustCompile("^SELECT `il`.`name`, `il`.`unique`, `il`.`origin`, `il`.`partial`, `m`.`sql` FROM pragma_index_list\\('((?:[^']|'')*)'\\) AS il JOIN sqlite_master AS m ON il.name = m.name$")

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
	m := indexesQuery.FindStringSubmatch(query)
	if m == nil {
		return f.ExecQuerier.QueryContext(ctx, query, args...)
	}
	if err := f.load(ctx); err != nil {
		return nil, err
	}
	table := strings.ReplaceAll(m[1], "''", "'")
	idx := f.indexes[strings.ToLower(table)]
	if len(idx) == 0 {
		return f.ExecQuerier.QueryContext(ctx, "SELECT `il`.`name`, `il`.`unique`, `il`.`origin`, `il`.`partial`, NULL FROM pragma_index_list('"+m[1]+"') AS il WHERE 0")
	}
	var rows strings.Builder
	for i, x := range idx {
		if i > 0 {
			rows.WriteString(" UNION ALL ")
		}
		s := "NULL"
		if x.sql.Valid {
			s = quote(x.sql.String)
		}
		fmt.Fprintf(&rows, "SELECT %s AS `name`, %s AS `sql`, %d AS `ord`", quote(x.name), s, i)
	}
	return f.ExecQuerier.QueryContext(ctx, "SELECT `il`.`name`, `il`.`unique`, `il`.`origin`, `il`.`partial`, `m`.`sql` FROM pragma_index_list('"+m[1]+
		"') AS il JOIN ("+rows.String()+") AS m ON il.name = m.name ORDER BY m.ord")
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
		t := strings.ToLower(table)
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

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
