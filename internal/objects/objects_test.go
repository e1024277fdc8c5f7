package objects_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

func open(t *testing.T, name string, stmts ...string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), name), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

func read(t *testing.T, db *sql.DB) []objects.Object {
	t.Helper()
	objs, err := objects.Read(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

var tables = []string{
	"CREATE TABLE t (id integer PRIMARY KEY, a text)",
	"CREATE TABLE log (msg text)",
}

// Running the statements of DiffObjects on a database holding `from` must
// leave exactly `to` (SQLite is the oracle): a changed view another view
// reads, a trigger dropped, one added, one whose body changed, one kept.
func TestDiffRuns(t *testing.T) {
	from := append(tables,
		"CREATE VIEW v1 AS SELECT id FROM t",
		"CREATE VIEW v2 AS SELECT id FROM v1",
		"CREATE TRIGGER gone AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('gone'); END",
		"CREATE TRIGGER kept AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('kept'); END",
		"CREATE TRIGGER edited AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('old'); END",
	)
	to := append(tables,
		"CREATE VIEW v1 AS SELECT id, a FROM t",
		"CREATE VIEW v2 AS SELECT id FROM v1",
		"CREATE VIEW v3 AS SELECT a FROM v1",
		"CREATE TRIGGER kept AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('kept'); END",
		"CREATE TRIGGER edited AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('new'); END",
		"CREATE TRIGGER added AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('added'); END",
	)
	db, want := open(t, "from.db", from...), open(t, "to.db", to...)
	changes := objects.DiffObjects(read(t, db), read(t, want))
	var drops, creates []string
	for _, c := range changes {
		c := c.(*objects.Change)
		if _, err := db.Exec(c.Cmd()); err != nil {
			t.Fatalf("%s: %v", c.Cmd(), err)
		}
		if c.Drop {
			drops = append(drops, c.Object.Name)
		} else {
			creates = append(creates, c.Object.Name)
		}
	}
	if got := objects.DiffObjects(read(t, db), read(t, want)); len(got) != 0 {
		t.Fatalf("after the statements, still %d changes: %v", len(got), got[0].(*objects.Change).Describe())
	}
	// Triggers first, then views newest first; views in creation order,
	// then triggers. v2 is unchanged: SQLite does not drop a view another
	// reads, and v1 is recreated with the same name.
	if g, w := drops, []string{"edited", "gone", "v1"}; !slices.Equal(g, w) {
		t.Errorf("drops %v, want %v", g, w)
	}
	if g, w := creates, []string{"v1", "v3", "edited", "added"}; !slices.Equal(g, w) {
		t.Errorf("creates %v, want %v", g, w)
	}
	if _, err := db.Exec("INSERT INTO t (id, a) VALUES (1, 'x')"); err != nil {
		t.Fatal(err)
	}
	var a string
	if err := db.QueryRow("SELECT a FROM v3").Scan(&a); err != nil || a != "x" {
		t.Fatalf("v3 reads %q, %v", a, err)
	}
}

// White space outside quotes is not a change; inside a string it is.
func TestNormalize(t *testing.T) {
	db := open(t, "n.db", append(tables,
		"CREATE VIEW a AS SELECT id,  'x  y' AS s FROM t",
		"CREATE VIEW b AS\n\tSELECT id, 'x  y' AS s\n\tFROM t;",
		"CREATE VIEW c AS SELECT id, 'x y' AS s FROM t",
	)...)
	objs := read(t, db)
	n := func(i int) string { return objects.Normalize(objs[i].SQL[len("CREATE VIEW a"):]) }
	if n(0) != n(1) {
		t.Errorf("re-indented: %q != %q", n(0), n(1))
	}
	if n(0) == n(2) {
		t.Errorf("a string literal's spaces are content: %q == %q", n(0), n(2))
	}
}

// DROP VIEW drops the INSTEAD OF triggers on it: when a view's body
// changes, its unchanged triggers are dropped and created with it, or the
// statements would leave them missing.
func TestDiffViewTriggers(t *testing.T) {
	from := append(tables,
		"CREATE VIEW v AS SELECT id FROM t",
		"CREATE TRIGGER V_ins INSTEAD OF INSERT ON \"V\" BEGIN INSERT INTO t (id) VALUES (NEW.id); END",
		"CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('t'); END",
	)
	to := append(tables,
		"CREATE VIEW v AS SELECT id, a FROM t",
		"CREATE TRIGGER V_ins INSTEAD OF INSERT ON \"V\" BEGIN INSERT INTO t (id) VALUES (NEW.id); END",
		"CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('t'); END",
	)
	db, want := open(t, "from.db", from...), open(t, "to.db", to...)
	var names []string
	for _, c := range objects.DiffObjects(read(t, db), read(t, want)) {
		c := c.(*objects.Change)
		if _, err := db.Exec(c.Cmd()); err != nil {
			t.Fatalf("%s: %v", c.Cmd(), err)
		}
		names = append(names, c.Object.Name)
	}
	if got := objects.DiffObjects(read(t, db), read(t, want)); len(got) != 0 {
		t.Fatalf("after %v, still: %v", names, got[0].(*objects.Change).Describe())
	}
	if slices.Contains(names, "t_log") {
		t.Errorf("t_log is on a table: %v", names)
	}
	if _, err := db.Exec("INSERT INTO v (id) VALUES (7)"); err != nil {
		t.Fatal(err)
	}
}
