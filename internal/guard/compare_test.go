package guard_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// measure runs change on a file database made by setup, through the
// guard, and returns the losses it found (without their location).
func measure(t *testing.T, setup, change string) []string {
	t.Helper()
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "t.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(setup); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []string
	err = guard.Measure(ctx, db, guard.Options{DB: db}, func(u *guard.Unit) error {
		for _, st := range strings.Split(change, ";\n") {
			if err := u.Exec(ctx, st, func() error { _, err := db.ExecContext(ctx, st); return err }); err != nil {
				return err
			}
		}
		return nil
	}, func(u *guard.Unit, losses []guard.Loss) error {
		for _, l := range losses {
			got = append(got, l.String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCompareRows: rows are compared by the old table's key where its
// columns (or the columns they were renamed to) are still there, by whole
// rows otherwise, and rows whose key has a NULL or shares its text with
// another row's are compared by whole rows too.
func TestCompareRows(t *testing.T) {
	const unkeyed = "CREATE TABLE t (a integer, b text); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, NULL)"
	const keyed = "CREATE TABLE t (id integer PRIMARY KEY, email text NOT NULL, name text); INSERT INTO t VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob')"
	copyTo := func(create, sel string) string {
		return create + ";\nINSERT INTO new_t " + sel + ";\nDROP TABLE t;\nALTER TABLE new_t RENAME TO t"
	}
	for _, c := range []struct {
		name, setup, change string
		want                []string
	}{
		// Unkeyed: whole rows.
		{"unkeyed swap", unkeyed, "UPDATE t SET b = CASE b WHEN 'x' THEN 'y' WHEN 'y' THEN 'x' END",
			[]string{`table "t" loses 2 rows (e.g. a=1, b='x')`}},
		{"unkeyed delete", unkeyed, "DELETE FROM t WHERE a = 2",
			[]string{`table "t" loses 1 row (e.g. a=2, b='y')`}},
		{"unkeyed one value", unkeyed, "UPDATE t SET b = 'z' WHERE a = 1",
			[]string{`column "t"."b": 1 value changed (e.g. 'x')`}},
		{"unkeyed NULL filled, rows added", unkeyed, "UPDATE t SET b = 'w' WHERE b IS NULL;\nINSERT INTO t VALUES (1, 'x')", nil},
		{"unkeyed duplicate row removed", unkeyed + ", (1, 'x')", "DELETE FROM t WHERE rowid = 4",
			[]string{`table "t" loses 1 row (e.g. a=1, b='x')`}},
		{"unkeyed text to integer, same text", "CREATE TABLE t (a, b text); INSERT INTO t VALUES ('1', 'x'), ('2', 'y')",
			copyTo("CREATE TABLE new_t (a integer, b text)", "SELECT a, b FROM t"), nil},
		{"unkeyed copy adds a column with a default", unkeyed,
			copyTo("CREATE TABLE new_t (a integer, c integer NOT NULL DEFAULT 7, b text)", "(a, b) SELECT a, b FROM t"), nil},
		{"unkeyed rename claimed once", "CREATE TABLE t (a integer, b integer); INSERT INTO t VALUES (1, 2), (2, 1)",
			"ALTER TABLE t RENAME COLUMN a TO c;\nUPDATE t SET b = NULL", []string{`column "t"."b": 2 values changed (e.g. 2)`}},
		{"unkeyed rename", unkeyed, "ALTER TABLE t RENAME COLUMN b TO c", nil},

		// Keyed: by the old key's columns.
		{"new key, values kept", keyed,
			copyTo("CREATE TABLE new_t (id integer NOT NULL, email text PRIMARY KEY, name text)", "SELECT * FROM t"), nil},
		{"new key, values moved", keyed,
			copyTo("CREATE TABLE new_t (id integer NOT NULL, email text PRIMARY KEY, name text)", "SELECT id, email, CASE name WHEN 'Ann' THEN 'Bob' ELSE 'Ann' END FROM t"),
			[]string{`column "t"."name": 2 values changed (e.g. id=1: 'Ann' → 'Bob')`}},
		{"key column renamed, values kept", keyed, "ALTER TABLE t RENAME COLUMN id TO user_id;\nUPDATE t SET email = upper(email) WHERE 0", nil},
		{"key column renamed, values moved", keyed,
			"ALTER TABLE t RENAME COLUMN id TO user_id;\nUPDATE t SET name = CASE name WHEN 'Ann' THEN 'Bob' ELSE 'Ann' END",
			[]string{`column "t"."name": 2 values changed (e.g. id=1: 'Ann' → 'Bob')`}},
		{"key dropped, rows kept", keyed,
			copyTo("CREATE TABLE new_t (id integer, email text, name text)", "SELECT * FROM t"), nil},
		{"key dropped, row gone", keyed,
			copyTo("CREATE TABLE new_t (id integer, email text, name text)", "SELECT * FROM t WHERE id = 1"),
			[]string{`table "t" loses 1 row (e.g. id=2)`}},
		{"composite key reordered", "CREATE TABLE t (a integer, b integer, v text, PRIMARY KEY (a, b)); INSERT INTO t VALUES (1, 2, 'x'), (2, 1, 'y')",
			copyTo("CREATE TABLE new_t (a integer, b integer, v text, PRIMARY KEY (b, a))", "SELECT a, b, v FROM t"), nil},
		{"text key to integer", "CREATE TABLE t (id text PRIMARY KEY, v text); INSERT INTO t VALUES ('1', 'x'), ('2', 'y')",
			copyTo("CREATE TABLE new_t (id integer PRIMARY KEY, v text)", "SELECT id, v FROM t"), nil},
		{"key value changed", keyed, "UPDATE t SET id = id + 10 WHERE id = 1",
			[]string{`table "t" loses 1 row (e.g. id=1)`}},

		// Keys that are not row identities.
		{"NULL keys swap", "CREATE TABLE t (code text PRIMARY KEY, v text, w integer); INSERT INTO t VALUES (NULL, 'x', 1), (NULL, 'y', 2), ('k', 'z', 3)",
			"UPDATE t SET v = CASE v WHEN 'x' THEN 'y' ELSE 'x' END WHERE code IS NULL",
			[]string{`table "t" loses 2 rows (e.g. code=NULL)`}},
		{"NULL keys kept", "CREATE TABLE t (code text PRIMARY KEY, v text); INSERT INTO t VALUES (NULL, 'x'), (NULL, 'x')",
			"UPDATE t SET v = 'x'", nil},
		// 1 and '1' (a key without affinity) have the same text: keyed by
		// text, as values compare, they are not row identities.
		{"same key text, other class", "CREATE TABLE t (k PRIMARY KEY, v text, w integer); INSERT INTO t VALUES (1, 'x', 10), ('1', 'y', 20)",
			"UPDATE t SET v = CASE v WHEN 'x' THEN 'y' ELSE 'x' END",
			[]string{`table "t" loses 2 rows (e.g. k=1)`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := measure(t, c.setup, c.change)
			if !slices.Equal(got, c.want) {
				t.Errorf("losses:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestNamesFoldASCII: tables whose names differ by a non-ASCII letter's
// case are two tables to SQLite, and to the guard.
func TestNamesFoldASCII(t *testing.T) {
	got := measure(t, `CREATE TABLE "Ä" (v); INSERT INTO "Ä" VALUES (1); CREATE TABLE "ä" (v); INSERT INTO "ä" VALUES (2);
CREATE TABLE "K" (v); INSERT INTO "K" VALUES (3); CREATE TABLE "`+"\u212a"+`" (v); INSERT INTO "`+"\u212a"+`" VALUES (4)`,
		"DELETE FROM \"Ä\";\nDELETE FROM \"\u212a\"")
	want := []string{`table "Ä" loses 1 row (e.g. v=1)`, "table \"\u212a\" loses 1 row (e.g. v=4)"}
	if !slices.Equal(got, want) {
		t.Errorf("losses:\n got %q\nwant %q", got, want)
	}
}
