package evolve

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Literals are the values the data generator writes, as SQL literals, into
// columns of any declared type (SQLite keeps whatever the affinity does not
// convert): NULL, ”, unicode, large integers, fractional floats, dates in
// several formats, boolean spellings, blobs.
var Literals = []string{
	"NULL", "''", "' '",
	"'héllo wörld'", "'日本語テキスト'", "'emoji 🙂'", "'naïve café'",
	"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808", "9007199254740993",
	"'42'", "'007'", "' 42'", "'42 '", "'+5'", "'-0'", "'9223372036854775807'", "'9223372036854775808'",
	"'99999999999999999999'", "'9007199254740993'", "'0x1A'",
	"0.5", "3.14159", "-2.25", "0.1", "1e300", "0.30000000000000004", "2.0", "123456789.123",
	"'0.5'", "'1.50'", "'1e3'", "'2.0'", "'0.1'", "'-3.75'",
	"'2024-02-29'", "'2024-02-29 13:45:00'", "'2024-02-29T13:45:00Z'", "'1986-10-16T00:00:00.000Z'",
	"'2024-02-29 13:45:00+02:00'", "'2024-02-29 13:45:00.123456789+00:00'", "'29/02/2024'", "'Feb 29, 2024'",
	"'0001-01-01 00:00:00+00:00'", "1709214300", "2460369.5",
	"'yes'", "'no'", "'true'", "'false'", "'TRUE'", "'1'", "'0'", "'t'", "'f'",
	"X''", "X'00FF10'", "X'68656C6C6F'", "X'31'", "X'C3A9'", "X'FFFE'",
}

// literal returns a random value; random text and numbers widen the catalogue.
func literal(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return fmt.Sprintf("%d", r.Int64()-r.Int64())
	case 1:
		return fmt.Sprintf("'%s'", strings.Repeat(string(rune('a'+r.IntN(26))), 1+r.IntN(70)))
	case 2:
		return fmt.Sprintf("%g", r.NormFloat64()*1000)
	}
	return Literals[r.IntN(len(Literals))]
}

// liveTable is a table as the live database has it.
type liveTable struct {
	name    string
	cols    []liveCol
	parents map[string]string // column → referenced table
}

type liveCol struct {
	name    string
	notNull bool
	pk      bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func readLive(db *sql.DB) ([]liveTable, error) {
	names, err := userTables(db)
	if err != nil {
		return nil, err
	}
	var out []liveTable
	for _, n := range names {
		t := liveTable{name: n, parents: map[string]string{}}
		rows, err := db.Query(`SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c liveCol
			var pk int
			if err := rows.Scan(&c.name, &c.notNull, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			c.pk = pk > 0
			t.cols = append(t.cols, c)
		}
		rows.Close()
		rows, err = db.Query(`SELECT "from", "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var from, to string
			if err := rows.Scan(&from, &to); err != nil {
				rows.Close()
				return nil, err
			}
			t.parents[from] = to
		}
		rows.Close()
		out = append(out, t)
	}
	return out, nil
}

// userTables lists the application's tables.
func userTables(db *sql.DB) ([]string, error) {
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'atlas_schema_revisions' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// insertRows writes up to max random rows into every table of the live
// database, with foreign keys on; a row a constraint rejects (unique, check,
// NOT NULL, foreign key) is drawn again a few times, then skipped. It
// returns the statements that succeeded, so a reproduction can replay them.
func insertRows(db *sql.DB, r *rand.Rand, max int) ([]string, error) {
	tables, err := readLive(db)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, t := range tables {
		var maxID int64
		if err := db.QueryRow(`SELECT IFNULL(max(id), 0) FROM ` + quoteIdent(t.name)).Scan(&maxID); err != nil {
			return nil, err
		}
		n := r.IntN(max + 1)
		for range n {
			for try := 0; try < 4; try++ {
				maxID += 1 + int64(r.IntN(3))
				stmt, err := insertStmt(db, r, t, maxID)
				if err != nil {
					return nil, err
				}
				if _, err := db.Exec(stmt); err == nil {
					done = append(done, stmt)
					break
				}
			}
		}
	}
	return done, nil
}

func insertStmt(db *sql.DB, r *rand.Rand, t liveTable, id int64) (string, error) {
	var names, vals []string
	for _, c := range t.cols {
		names = append(names, quoteIdent(c.name))
		if c.pk {
			vals = append(vals, fmt.Sprint(id))
			continue
		}
		v := literal(r)
		if p, ok := t.parents[c.name]; ok {
			v = "NULL"
			ids, err := parentIDs(db, p)
			if err != nil {
				return "", err
			}
			if len(ids) > 0 && (c.notNull || r.IntN(5) > 0) {
				v = fmt.Sprint(ids[r.IntN(len(ids))])
			}
		}
		for c.notNull && v == "NULL" {
			v = literal(r)
		}
		vals = append(vals, v)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(t.name), strings.Join(names, ", "), strings.Join(vals, ", ")), nil
}

func parentIDs(db *sql.DB, table string) ([]int64, error) {
	rows, err := db.Query(`SELECT id FROM ` + quoteIdent(table) + ` WHERE id IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
