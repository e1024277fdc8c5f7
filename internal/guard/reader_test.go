package guard

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// spillDB makes a file database with table a (about 10 MiB, five times
// SQLite's default page cache, so that rewriting it must spill) and a small
// table b, and opens the writer's and the reader's connections.
func spillDB(t *testing.T) (path string, w, r *sql.DB) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "s.db")
	w, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.Exec(`CREATE TABLE a (id integer PRIMARY KEY, note text);
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 40000) INSERT INTO a SELECT n, printf('%0240d', n) FROM seq;
CREATE TABLE b (id integer PRIMARY KEY, v text);
INSERT INTO b VALUES (1, 'one'), (2, 'two')`); err != nil {
		t.Fatal(err)
	}
	if r, err = sqlitedb.OpenFile(path, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return path, w, r
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func busyTimeout(t *testing.T, q Queryer) int {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), "PRAGMA busy_timeout")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ms int
	if !rows.Next() {
		t.Fatal("PRAGMA busy_timeout: no row")
	}
	if err := rows.Scan(&ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

// While a reader holds the file, the writer's full page cache grows instead
// of waiting for it (a wait would be the 10 s busy timeout per page); once
// the reader is gone, the writer spills to the file before its commit; the
// busy timeout is back for the commit.
func TestSpillWithoutWaiting(t *testing.T) {
	ctx := context.Background()
	path, w, r := spillDB(t)
	tx, err := sqlitedb.OpenTx(ctx, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	was := busyTimeout(t, tx)
	restore, err := SpillWithoutWaiting(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	rtx, err := r.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil {
		t.Fatal(err)
	}
	size0 := size(t, path)
	if _, err := tx.ExecContext(ctx, "UPDATE a SET note = note || 'x'"); err != nil {
		t.Fatal(err)
	}
	if got := size(t, path); got != size0 {
		t.Fatalf("the file changed from %d to %d bytes while a reader held it", size0, got)
	}
	if err := rtx.QueryRow("SELECT count(*) FROM a WHERE note LIKE '%x'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the reader sees %d changed rows (%v), want the committed state", n, err)
	}
	if err := rtx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO a (note) SELECT note FROM a"); err != nil {
		t.Fatal(err)
	}
	if got := size(t, path); got <= size0 {
		t.Fatalf("the file is %d bytes, as before the transaction: the writer did not spill once the reader was gone", got)
	}
	if err := restore(tx); err != nil {
		t.Fatal(err)
	}
	if got := busyTimeout(t, tx); got != was || was == 0 {
		t.Fatalf("busy_timeout is %d after restore, want %d (not 0)", got, was)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// spillUnit begins a unit with a reader on spillDB's database, in a
// transaction opened as apply opens it (spilling without waiting); exec runs
// a statement through the unit. It returns the database's path.
func spillUnit(t *testing.T, detail map[string]bool) (string, *Unit, func(string)) {
	t.Helper()
	ctx := context.Background()
	path, w, r := spillDB(t)
	tx, err := sqlitedb.OpenTx(ctx, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	if _, err := SpillWithoutWaiting(ctx, tx); err != nil {
		t.Fatal(err)
	}
	u, err := Begin(ctx, tx, Options{DB: w, Reader: r, Detail: detail})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close(ctx) })
	exec := func(st string) {
		t.Helper()
		if err := u.Exec(ctx, st, func() error { _, err := tx.ExecContext(ctx, st); return err }); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return path, u, exec
}

// closed reports whether the reader has released its snapshot.
func (r *reader) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// The reader releases its snapshot once it has measured what Prefetch
// queued; the writer then spills, and a table measured later is measured on
// the writer, as it was before the unit: a loss there is still found.
func TestReaderReleasesSnapshot(t *testing.T) {
	ctx := context.Background()
	path, u, exec := spillUnit(t, nil)
	u.Prefetch(ctx, testFile("UPDATE a SET note = note || 'x';\n"))
	if u.reader == nil {
		t.Fatal("Prefetch started no reader")
	}
	waitClosed(t, u.reader)
	size0 := size(t, path)
	for _, st := range []string{
		"UPDATE a SET note = note || 'x'",
		"CREATE TABLE c (note text)",
		"INSERT INTO c SELECT note FROM a",
		"UPDATE b SET v = NULL WHERE id = 1", // b: measured on the writer now
	} {
		exec(st)
	}
	if got := size(t, path); got <= size0 {
		t.Fatal("the writer did not spill after the reader released the file")
	}
	if !u.reader.queued("a") || u.reader.queued("b") {
		t.Fatalf("a measured on the reader: %v, b: %v; want a only", u.reader.queued("a"), u.reader.queued("b"))
	}
	res, err := u.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(res.Suspects), []string{"a", "b"}) {
		t.Fatalf("suspects %v, want a (its text changed) and b (a value became NULL)", keys(res.Suspects))
	}
}

// A reader that would start after the writer spilled (no Prefetch, as for a
// computed rollback step) does not wait for the file: the writer measures.
func TestReaderLateStart(t *testing.T) {
	ctx := context.Background()
	path, u, exec := spillUnit(t, map[string]bool{"b": true})
	size0 := size(t, path)
	for _, st := range []string{"CREATE TABLE c (note text)", "INSERT INTO c SELECT note FROM a"} {
		exec(st)
	}
	if got := size(t, path); got <= size0 {
		t.Fatal("the writer did not spill: the case is not set up")
	}
	st := "UPDATE b SET v = NULL WHERE id = 1"
	exec(st)
	if u.reader != nil || !u.readerTried {
		t.Fatalf("reader %v (tried %v): want none, the writer holds the file", u.reader, u.readerTried)
	}
	res, err := u.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Losses) != 1 || res.Losses[0].Table != "b" || res.Losses[0].Column != "v" || res.Losses[0].Count != 1 {
		t.Fatalf("losses %v, want b.v: 1 value", res.Losses)
	}
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func testFile(sql string) migrate.File { return migrate.NewLocalFile("1_t.sql", []byte(sql)) }
