package sqlitedb

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A dev database must not reach any file: ATTACH and VACUUM INTO fail and
// create nothing. A file database (reviewed migrations) keeps VACUUM.
func TestIsolation(t *testing.T) {
	dir := t.TempDir()
	dev, err := OpenMemory("isol")
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	target := filepath.Join(dir, "x.db")
	for _, q := range []string{
		"ATTACH DATABASE '" + target + "' AS x",
		"VACUUM INTO '" + target + "'",
		"SELECT load_extension('" + target + "')",
		"ATTACH DATABASE ('" + target + "' || '') AS x",
	} {
		if _, err := dev.Exec(q); err == nil {
			t.Errorf("%s: succeeded on an isolated database", q)
		}
		if _, err := os.Stat(target); err == nil {
			t.Fatalf("%s: created %s", q, target)
		}
	}
	// Plain VACUUM copies through a nameless temporary database: allowed.
	if _, err := dev.Exec("CREATE TABLE v (a); VACUUM"); err != nil {
		t.Fatalf("VACUUM on an isolated database: %v", err)
	}
	live, err := OpenFile(filepath.Join(dir, "live.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := live.Exec("CREATE TABLE t (a); VACUUM"); err != nil {
		t.Fatalf("VACUUM on a file database: %v", err)
	}
}

func TestWrites(t *testing.T) {
	db, err := OpenFile(filepath.Join(t.TempDir(), "w.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE p (id integer primary key, a text);
CREATE TABLE c (id integer primary key, p integer REFERENCES p(id), b text);
CREATE TABLE log (x text);
CREATE TRIGGER tr AFTER DELETE ON c BEGIN INSERT INTO log VALUES (old.b); UPDATE p SET a = 'gone' WHERE id = old.p; END;`); err != nil {
		t.Fatal(err)
	}
	for stmt, want := range map[string][]string{
		"CREATE TABLE n (a)":              {"create n"},
		"CREATE INDEX i ON p (a)":         nil,
		"INSERT INTO p (a) VALUES ('x')":  {"insert p"},
		"UPDATE p SET a = 'y'":            {"update p.a"},
		"DELETE FROM c WHERE id = 1":      {"delete c", "insert log", "update p.a"},
		"DROP TABLE log":                  {"delete log", "drop log"},
		"ALTER TABLE p ADD COLUMN z text": {"alter p"},
		"ALTER TABLE p RENAME TO q":       {"alter p"},
		"INSERT INTO log SELECT a FROM p": {"insert log"},
		// Every statement of a text is compiled, none runs.
		"SELECT 1; INSERT INTO log VALUES ('x'); INSERT INTO p (a) VALUES ('y')": {"insert log", "insert p"},
		"DELETE FROM log; COMMIT":                         {"delete log", "transaction COMMIT"},
		"SAVEPOINT s; UPDATE p SET a = 1; RELEASE s; -- ": {"transaction BEGIN", "transaction RELEASE", "update p.a"},
	} {
		ws, err := Writes(db, stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		var got []string
		for _, w := range ws {
			if strings.HasPrefix(w.Table, "sqlite_") {
				continue
			}
			s := w.Action + " " + w.Table
			if w.Column != "" {
				s += "." + w.Column
			}
			if !slices.Contains(got, s) {
				got = append(got, s)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: writes %v, want %v", stmt, got, want)
		}
	}
	// Compiling ran nothing.
	var n int
	if err := db.QueryRow("SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM log)").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows in p and log after compiling: %d, %v", n, err)
	}
	// A statement that needs a table an earlier one makes does not compile
	// yet: an error, so that the caller assumes the worst.
	if _, err := Writes(db, "CREATE TABLE z (a); INSERT INTO z VALUES (1)"); err == nil || !strings.Contains(err.Error(), "no such table: z") {
		t.Fatalf("compiling a statement over a table made before it: %v", err)
	}
	if _, err := Writes(db, "SELEC 1"); err == nil {
		t.Fatal("a syntax error compiled")
	}
}

// A migration's own statements may not end the transaction they run in.
func TestDenyTxControl(t *testing.T) {
	db, err := OpenFile(filepath.Join(t.TempDir(), "tx.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	restore := DenyTxControl(db)
	for _, q := range []string{"COMMIT", "ROLLBACK", "BEGIN", "SAVEPOINT x", "RELEASE x", "CREATE TABLE t (a); COMMIT"} {
		if _, err := tx.Exec(q); err == nil || !strings.Contains(err.Error(), "authoriz") {
			t.Errorf("%s: %v, want an authorization error", q, err)
		}
	}
	restore()
	if _, err := tx.Exec("SAVEPOINT x; RELEASE x"); err != nil {
		t.Fatalf("after restore: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("the transaction did not survive: %v", err)
	}
}

func TestDigest(t *testing.T) {
	db, err := OpenMemory("digest")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	digest := func() Digest {
		id, d, err := NewDigest([]string{"id", "a", "b"}, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		defer DropSlot(id)
		if _, err := db.Exec("SELECT sm_digest(?, id, a, b) FROM t", id); err != nil {
			t.Fatal(err)
		}
		return *d
	}
	if _, err := db.Exec(`CREATE TABLE t (id text primary key, a, b);
INSERT INTO t VALUES ('1', 25, 'x'), ('2', NULL, x'00ff'), ('3', 1.5, '')`); err != nil {
		t.Fatal(err)
	}
	base := digest()
	if base.Rows != 3 || base.NonNull[0] != 3 || base.NonNull[1] != 2 || base.NonNull[2] != 3 {
		t.Fatalf("digest counts: %+v", base)
	}
	for _, change := range []string{
		"UPDATE t SET a = '25' WHERE id = '1'",                           // same rendering, other class
		"UPDATE t SET b = x'00fe' WHERE id = '2'",                        // one byte
		"UPDATE t SET a = 1.5 WHERE id = '1'",                            // moved between keys
		"UPDATE t SET a = iif(id = '1', 1.5, 25) WHERE id IN ('1', '3')", // swapped: same values, other keys
		"UPDATE t SET b = NULL WHERE id = '3'",
	} {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(change); err != nil {
			t.Fatal(err)
		}
		id, d, err := NewDigest([]string{"id", "a", "b"}, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("SELECT sm_digest(?, id, a, b) FROM t", id); err != nil {
			t.Fatal(err)
		}
		DropSlot(id)
		tx.Rollback()
		if slices.Equal(d.Sum, base.Sum) && slices.Equal(d.NonNull, base.NonNull) {
			t.Errorf("%s: digest unchanged", change)
		}
	}
	if again := digest(); !slices.Equal(again.Sum, base.Sum) {
		t.Fatal("digest of the same rows differs")
	}
}
