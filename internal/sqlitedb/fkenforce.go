package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/schema"
)

// Unenforceable returns the foreign keys of q's database that SQLite
// cannot enforce (see fkcheck.go), in table order.
func Unenforceable(ctx context.Context, q schema.ExecQuerier) ([]ForeignKey, error) {
	if _, err := fkCheck(ctx, q, ""); !isMismatch(err) {
		return nil, err
	}
	keys, err := foreignKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []ForeignKey
	for _, child := range sortedKeys(keys) {
		if _, err := fkCheck(ctx, q, child); !isMismatch(err) {
			if err != nil {
				return nil, err
			}
			continue
		}
		for _, k := range keys[child] {
			ok, err := enforceable(ctx, q, k)
			if err != nil {
				return nil, err
			}
			if !ok {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// foreignKeys lists every foreign key, by child table.
func foreignKeys(ctx context.Context, q schema.ExecQuerier) (map[string][]ForeignKey, error) {
	rows, err := q.QueryContext(ctx, "SELECT m.`name`, f.`id`, f.`table`, f.`from`, f.`to` FROM `sqlite_schema` AS m, pragma_foreign_key_list(m.`name`) AS f WHERE m.`type` = 'table' ORDER BY 1, 2, f.`seq`")
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: listing foreign keys: %w", err)
	}
	defer rows.Close()
	keys := map[string][]ForeignKey{}
	for rows.Next() {
		var (
			k    ForeignKey
			from string
			to   sql.NullString
		)
		if err := rows.Scan(&k.Child, &k.ID, &k.Parent, &from, &to); err != nil {
			return nil, fmt.Errorf("sqlitedb: listing foreign keys: %w", err)
		}
		ks := keys[k.Child]
		if n := len(ks); n == 0 || ks[n-1].ID != k.ID {
			ks = append(ks, k)
		}
		last := &ks[len(ks)-1]
		last.From = append(last.From, from)
		if to.Valid {
			last.To = append(last.To, to.String)
		}
		keys[k.Child] = ks
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: listing foreign keys: %w", err)
	}
	return keys, nil
}

func sortedKeys(m map[string][]ForeignKey) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// probeChild names the child table of the probe database.
const probeChild = "structmigrate_fk_probe"

// enforceable asks SQLite itself whether it can enforce k, so that the
// answer follows its rules exactly (primary key, unique index in any
// column order, collation, partial index, rowid alias): a private
// in-memory database gets the parent's CREATE TABLE and indexes and a
// child holding only k, and PRAGMA foreign_key_check on that child fails
// with "foreign key mismatch" when SQLite cannot. A missing parent is
// enforceable: the check reports every child row whose key has no NULL.
func enforceable(ctx context.Context, q schema.ExecQuerier, k ForeignKey) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT `sql` FROM `sqlite_schema` WHERE `tbl_name` = ? COLLATE NOCASE AND `type` IN ('table', 'index') AND `sql` IS NOT NULL ORDER BY `type` = 'index'", k.Parent)
	if err != nil {
		return false, fmt.Errorf("sqlitedb: reading %s's schema: %w", k.Parent, err)
	}
	var ddl []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return false, err
		}
		ddl = append(ddl, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if len(ddl) == 0 {
		return true, nil
	}
	mem, err := OpenMemory("fkprobe")
	if err != nil {
		return false, err
	}
	defer mem.Close()
	cols := make([]string, len(k.From))
	for i := range k.From {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	ref := quote(k.Parent)
	if len(k.To) > 0 {
		ref += " (" + quoteAll(k.To) + ")"
	}
	ddl = append(ddl, fmt.Sprintf("CREATE TABLE %s (%s, FOREIGN KEY (%s) REFERENCES %s)", quote(probeChild), strings.Join(cols, ", "), strings.Join(cols, ", "), ref))
	for _, s := range ddl {
		if _, err := mem.ExecContext(ctx, s); err != nil {
			// The parent cannot be rebuilt outside its database (e.g. a
			// virtual table): SQLite refused a key of this child table,
			// and this one cannot be shown to be enforceable.
			return false, nil
		}
	}
	_, err = fkCheck(ctx, mem, probeChild)
	if isMismatch(err) {
		return false, nil
	}
	return err == nil, err
}

// checkEach checks one child table's enforceable keys, each by a query
// that reports what PRAGMA foreign_key_check would: the rows whose key
// has no NULL and matches no parent row (compared with the parent
// column's collation, as the parent's index does).
func checkEach(ctx context.Context, q schema.ExecQuerier, keys []ForeignKey) ([]violation, error) {
	var vs []violation
	for _, k := range keys {
		ok, err := enforceable(ctx, q, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		query, err := orphansQuery(ctx, q, k)
		if err != nil {
			return nil, err
		}
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("sqlitedb: checking %s: %w", k, err)
		}
		for rows.Next() {
			v := violation{table: k.Child, parent: k.Parent, fk: k.ID}
			if err := rows.Scan(&v.row); err != nil {
				rows.Close()
				return nil, err
			}
			vs = append(vs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlitedb: checking %s: %w", k, err)
		}
	}
	return vs, nil
}

// orphansQuery selects the rowids (NULL in a WITHOUT ROWID table) of the
// child rows that violate k.
func orphansQuery(ctx context.Context, q schema.ExecQuerier, k ForeignKey) (string, error) {
	var withoutRowid, parentExists bool
	rows, err := q.QueryContext(ctx, "SELECT coalesce((SELECT `wr` FROM pragma_table_list WHERE `schema` = 'main' AND `name` = ?), 0), EXISTS (SELECT 1 FROM pragma_table_list WHERE `schema` = 'main' AND `name` = ? COLLATE NOCASE)", k.Child, k.Parent)
	if err != nil {
		return "", fmt.Errorf("sqlitedb: checking %s: %w", k, err)
	}
	for rows.Next() {
		err = rows.Scan(&withoutRowid, &parentExists)
	}
	if err := errors.Join(err, rows.Close(), rows.Err()); err != nil {
		return "", fmt.Errorf("sqlitedb: checking %s: %w", k, err)
	}
	row := "c.rowid"
	if withoutRowid {
		row = "NULL"
	}
	to := k.To
	if len(to) == 0 && parentExists {
		pk, err := primaryKey(ctx, q, k.Parent)
		if err != nil {
			return "", err
		}
		to = pk
	}
	var notNull, match []string
	for i, c := range k.From {
		notNull = append(notNull, "c."+quote(c)+" IS NOT NULL")
		if i < len(to) {
			match = append(match, "p."+quote(to[i])+" = c."+quote(c))
		}
	}
	query := fmt.Sprintf("SELECT %s FROM %s AS c WHERE %s", row, quote(k.Child), strings.Join(notNull, " AND "))
	if parentExists {
		query += fmt.Sprintf(" AND NOT EXISTS (SELECT 1 FROM %s AS p WHERE %s)", quote(k.Parent), strings.Join(match, " AND "))
	}
	return query, nil
}

// primaryKey returns the parent's primary-key columns, in key order.
func primaryKey(ctx context.Context, q schema.ExecQuerier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT `name` FROM pragma_table_info(?) WHERE `pk` > 0 ORDER BY `pk`", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}
