package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
)

func memDB(t *testing.T, stmts ...string) *sql.DB {
	t.Helper()
	db, err := OpenMemory("fkcheck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range append([]string{"PRAGMA foreign_keys = off"}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := db.Exec("PRAGMA foreign_keys = on"); err != nil {
		t.Fatal(err)
	}
	return db
}

// Unenforceable lists exactly the keys SQLite refuses: each child table
// here holds one key, so SQLite's own per-table PRAGMA foreign_key_check
// is the oracle (it fails with "foreign key mismatch" for those).
func TestUnenforceableFollowsSQLite(t *testing.T) {
	ctx := context.Background()
	db := memDB(t,
		"CREATE TABLE p_pk (x PRIMARY KEY, y)",
		"CREATE TABLE p_rowid (id INTEGER PRIMARY KEY, y)",
		"CREATE TABLE p_multi (x, y, z, PRIMARY KEY (y, x))",
		"CREATE TABLE p_uniq (x, y, UNIQUE (y, x))",
		"CREATE TABLE p_plain (x, y)",
		"CREATE INDEX p_plain_xy ON p_plain (x, y)",
		"CREATE TABLE p_partial (x)",
		"CREATE UNIQUE INDEX p_partial_x ON p_partial (x) WHERE x > 0",
		"CREATE TABLE p_coll (x TEXT)",
		"CREATE UNIQUE INDEX p_coll_x ON p_coll (x COLLATE NOCASE)",
		"CREATE TABLE p_coll2 (x TEXT COLLATE NOCASE UNIQUE)",
		"CREATE TABLE p_wide (x, y, z, UNIQUE (x, y, z))",
		"CREATE TABLE c01 (a REFERENCES p_pk (x))",
		"CREATE TABLE c02 (a REFERENCES p_pk)",
		"CREATE TABLE c03 (a REFERENCES p_rowid)",
		"CREATE TABLE c04 (a, b, FOREIGN KEY (a, b) REFERENCES p_multi (x, y))",
		"CREATE TABLE c05 (a, b, FOREIGN KEY (a, b) REFERENCES p_uniq (x, y))",
		"CREATE TABLE c06 (a, b, FOREIGN KEY (a, b) REFERENCES p_plain (x, y))",
		"CREATE TABLE c07 (a REFERENCES p_partial (x))",
		"CREATE TABLE c08 (a REFERENCES p_coll (x))",
		"CREATE TABLE c09 (a REFERENCES p_coll2 (x))",
		"CREATE TABLE c10 (a, b, FOREIGN KEY (a, b) REFERENCES p_wide (x, y))",
		"CREATE TABLE c11 (a REFERENCES p_plain)",
		"CREATE TABLE c12 (a REFERENCES p_pk (nope))",
		"CREATE TABLE c13 (a REFERENCES missing (x))",
		"CREATE TABLE c14 (a REFERENCES P_UNIQ (y))",
	)
	var want []string
	for _, c := range []string{"c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11", "c12", "c13", "c14"} {
		if _, err := fkCheck(ctx, db, c); isMismatch(err) {
			want = append(want, c)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	keys, err := Unenforceable(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range keys {
		got = append(got, k.Child)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("unenforceable: got %v, SQLite refuses %v", got, want)
	}
	if len(want) < 6 { // c06 c07 c08 c10 c11 c12: the test must exercise both answers
		t.Fatalf("SQLite refused only %v", want)
	}
}

// In a table holding an unenforceable key, each enforceable key is checked
// by a query; it finds the rows SQLite's own check finds on the same table
// without the unenforceable key (NULLs, collation, affinity, a missing
// parent, a WITHOUT ROWID child).
func TestCheckEachMatchesPragma(t *testing.T) {
	ctx := context.Background()
	const rows = `INSERT INTO %s VALUES (1, 1, 'A', 1, 'k', 's'), (2, 9, 'b', 1, 'k', 's'), (3, NULL, 'zz', NULL, NULL, NULL),
		(4, '1', 'a', 2, 'k', 's'), (5, 2, NULL, 7, 'k', 's'), (6, 'x', 'Q', 3, NULL, 's')`
	parents := []string{
		"CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE UNIQUE)",
		"INSERT INTO p VALUES (1, 'a'), (2, 'b')",
		"CREATE TABLE q (key TEXT, site TEXT)",
		"INSERT INTO q VALUES ('k', 's'), ('k', 's')",
	}
	for _, rowid := range []string{"", " WITHOUT ROWID"} {
		mixed := memDB(t, append(parents,
			"CREATE TABLE c (id INTEGER PRIMARY KEY, pid REFERENCES p (id), pname TEXT REFERENCES p (name), gone REFERENCES missing (id), k, s, FOREIGN KEY (k, s) REFERENCES q (key, site))"+rowid,
			fmt.Sprintf(rows, "c"))...)
		plain := memDB(t, append(parents,
			"CREATE TABLE c (id INTEGER PRIMARY KEY, pid REFERENCES p (id), pname TEXT REFERENCES p (name), gone REFERENCES missing (id), k, s)"+rowid,
			fmt.Sprintf(rows, "c"))...)
		want, err := fkCheck(ctx, plain, "c")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fkCheck(ctx, mixed, "c"); !isMismatch(err) {
			t.Fatalf("the mixed table should be refused by SQLite, got %v", err)
		}
		got, err := violations(ctx, mixed)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rowsOf(got), rowsOf(want)) || len(want) < 4 {
			t.Fatalf("%s: got %v, SQLite finds %v", rowid, rowsOf(got), rowsOf(want))
		}
	}
}

// OpenTx refuses a commit that adds violations of an enforceable key,
// counted per key, and ignores the violations that were there before and
// the unenforceable key.
func TestOpenTxRefusesNewViolations(t *testing.T) {
	ctx := context.Background()
	db := memDB(t,
		"CREATE TABLE sites (id INTEGER PRIMARY KEY)",
		"CREATE TABLE pages (id INTEGER PRIMARY KEY, site_id REFERENCES sites (id), key, site)",
		"CREATE TABLE comments (id INTEGER PRIMARY KEY, site_id REFERENCES sites (id), key, site, FOREIGN KEY (key, site) REFERENCES pages (key, site))",
		"INSERT INTO sites VALUES (1), (2)",
		"INSERT INTO pages VALUES (1, 1, 'k', 's'), (2, 2, 'k', 's'), (3, 7, 'k', 's')",
		"INSERT INTO comments VALUES (1, 1, 'k', 's'), (2, 2, 'nope', 's'), (3, 2, 'k', 's')",
	)
	run := func(stmt string) error {
		tx, err := OpenTx(ctx, db, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		return tx.Commit()
	}
	if err := run("INSERT INTO comments VALUES (4, 1, 'other', 'x')"); err != nil {
		t.Fatalf("a row only the unenforceable key would refuse: %v", err)
	}
	err := run("DELETE FROM sites WHERE id = 2")
	var ve *ViolationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ViolationError, got %v", err)
	}
	const msg = "foreign key violations: 2 rows of comments (site_id) reference no row of sites (id); 1 row of pages (site_id) references no row of sites (id)"
	if ve.Error() != msg {
		t.Fatalf("got %q\nwant %q", ve.Error(), msg)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sites").Scan(&n); err != nil || n != 2 {
		t.Fatalf("the refused delete was committed: %d sites, %v", n, err)
	}
	var on int
	if err := db.QueryRow("PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
		t.Fatalf("foreign keys not restored: %d, %v", on, err)
	}
}

// rowsOf lists violations as "parent row" (key ids differ between the
// two tables: SQLite numbers keys from the last declared).
func rowsOf(vs []violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%s %v", v.parent, v.row)
	}
	sort.Strings(out)
	return out
}
