package sqlitedb

import (
	"path/filepath"
	"testing"
)

// The guard reads a table's state before a file from a second connection
// while the file runs: with cache_spill off the writer keeps its changes in
// memory (it would otherwise wait for the reader's SHARED lock, the busy
// timeout, to spill), and the reader sees the committed rows throughout.
func TestReaderDuringWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	w, err := OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`CREATE TABLE big (id integer primary key, name text, score integer, note text);
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 50000) INSERT INTO big SELECT n, printf('player-%07d', n), n % 1000, printf('note for row %d', n) FROM seq`); err != nil {
		t.Fatal(err)
	}
	r, err := OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Set before BEGIN: SQLite ignores it inside a transaction.
	if _, err := w.Exec("PRAGMA cache_spill = off"); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	rtx, err := r.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE new_big (id integer primary key, name text, score integer not null default 0, note text);
INSERT INTO new_big SELECT * FROM big; DROP TABLE big; ALTER TABLE new_big RENAME TO big`); err != nil {
		t.Fatal(err)
	}
	// the reader still sees the committed table
	var m int
	if err := rtx.QueryRow("SELECT count(*) FROM big WHERE score >= 0").Scan(&m); err != nil {
		t.Fatal(err)
	}
	if m != 50000 {
		t.Fatalf("reader sees %d rows during the rebuild, want the committed 50000", m)
	}
	rtx.Rollback()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
