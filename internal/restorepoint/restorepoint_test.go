package restorepoint

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// newDB creates a database file at path with n rows in t and one revision.
func newDB(t testing.TB, path string, n int) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(revisions.DDL+`;
INSERT INTO atlas_schema_revisions (version, description, executed_at, execution_time, hash, operator_version) VALUES ('20260101000001', 'init', '2026-01-01 00:00:00', 1, 'h', 'test');
CREATE TABLE t (id integer PRIMARY KEY, a text, b blob);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO t SELECT i, hex(randomblob(50)), randomblob(20) FROM n`, n); err != nil {
		t.Fatal(err)
	}
	return db
}

// digest is every row of t, for comparing two databases.
func digest(t testing.TB, path string) string {
	t.Helper()
	db, err := sqlitedb.OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow("SELECT count(*) || ':' || coalesce(group_concat(id || a || hex(b), ','), '') FROM (SELECT * FROM t ORDER BY id)").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNames(t *testing.T) {
	at := time.Date(2026, 12, 7, 3, 12, 0, 0, time.UTC)
	n := name("players sqlite3.db", at, "20261130042120")
	if n != "players sqlite3.db.20261207T031200Z.20261130042120.restore" {
		t.Fatalf("name = %q", n)
	}
	p, ok := Parse(n)
	if !ok || p.DB != "players sqlite3.db" || !p.Time.Equal(at) || p.Version != "20261130042120" {
		t.Fatalf("Parse(%q) = %+v, %v", n, p, ok)
	}
	if p, ok := Parse(name("a.b.c", at, "")); !ok || p.DB != "a.b.c" || p.Version != NoVersion {
		t.Fatalf("no version: %+v, %v", p, ok)
	}
	for _, bad := range []string{
		"app.db", "app.db.20261207T031200Z.1.restore.tmp", ".20261207T031200Z.1.restore",
		"app.db.20261207T031200.123Z.1.restore", "app.db.20261207T031200Z.v1.restore", "app.db.20261307T031200Z.1.restore",
	} {
		if _, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// Points are listed oldest first by the time in their names (not their
// mtimes), per database; Prune keeps the newest and the protected ones.
func TestListPrune(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var paths []string
	for i := 0; i < 5; i++ {
		p := filepath.Join(dir, name("app.db", base.Add(time.Duration(i)*time.Hour), "1"))
		if err := os.WriteFile(p, bytes.Repeat([]byte{1}, 100*(i+1)), 0o600); err != nil {
			t.Fatal(err)
		}
		// mtimes in the opposite order: List must not read them.
		if err := os.Chtimes(p, time.Now(), base.Add(-time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	other := filepath.Join(dir, name("other.db", base, "1"))
	os.WriteFile(other, []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	ps, err := List(dir, "app.db")
	if err != nil || len(ps) != 5 {
		t.Fatalf("List: %v, %v", ps, err)
	}
	for i, p := range ps {
		if p.Path != paths[i] || p.Size != int64(100*(i+1)) {
			t.Fatalf("List[%d] = %+v, want %s", i, p, paths[i])
		}
	}
	// Keep 4, but the oldest is protected: the next one goes.
	removed, err := Prune(dir, "app.db", 4, 0, paths[0])
	if err != nil || len(removed) != 1 || removed[0].Path != paths[1] {
		t.Fatalf("Prune keep 4: %+v, %v", removed, err)
	}
	// 100 + 300 + 400 + 500 = 1300 bytes; a cap of 900 removes the oldest
	// two (1300 → 1200 → 900).
	removed, err = Prune(dir, "app.db", 10, 900)
	if err != nil || len(removed) != 2 || removed[0].Path != paths[0] || removed[1].Path != paths[2] {
		t.Fatalf("Prune 900 bytes: %+v, %v", removed, err)
	}
	// A cap below the newest alone keeps it when protected.
	if removed, err = Prune(dir, "app.db", 10, 1, paths[4]); err != nil || len(removed) != 1 || removed[0].Path != paths[3] {
		t.Fatalf("Prune 1 byte: %+v, %v", removed, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another database's point was touched: %v", err)
	}
	if ps, _ := List(filepath.Join(dir, "none"), "app.db"); ps != nil {
		t.Fatalf("missing folder: %v", ps)
	}
}

// A point of a database with a hostile name (spaces, quotes, '?', '#', a
// "file:" prefix) is a byte-exact copy of its rows, and restores.
func TestTakeRestoreHostileNames(t *testing.T) {
	ctx := context.Background()
	for _, n := range []string{`it's "my" db?.sqlite`, `a#b%20c.db`, `file:x.db`, `semi;colon -- db`} {
		t.Run(n, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, n)
			db := newDB(t, path, 50)
			want := digest(t, path)
			var out bytes.Buffer
			p, err := Config{}.Before(ctx, db, "20260101000001", &out)
			if err != nil {
				t.Fatal(err)
			}
			if p.Path != filepath.Join(dir, n+".restore-points", p.Name()) || p.DB != n {
				t.Fatalf("point %+v", p)
			}
			if !strings.HasPrefix(out.String(), "Restore point: "+p.Path+" (version 20260101000001, ") {
				t.Fatalf("log %q", out.String())
			}
			if v, err := Check(ctx, p.Path); err != nil || v != "20260101000001" {
				t.Fatalf("Check: %q, %v", v, err)
			}
			if got := digest(t, p.Path); got != want {
				t.Fatal("the point's rows differ from the database's")
			}
			if _, err := db.Exec("DELETE FROM t WHERE id % 2 = 0"); err != nil {
				t.Fatal(err)
			}
			db.Close()
			res, err := Restore(ctx, RestoreOptions{DB: path, Point: p.Path})
			if err != nil {
				t.Fatal(err)
			}
			if got := digest(t, path); got != want || res.Version != "20260101000001" {
				t.Fatalf("after restore: version %q, rows equal: %v", res.Version, got == want)
			}
			if got := digest(t, res.Replaced.Path); !strings.HasPrefix(got, "25:") {
				t.Fatalf("the replaced database's point has %s rows, want 25", got[:strings.Index(got, ":")])
			}
		})
	}
}

// A database in WAL mode left by a crash with frames not checkpointed
// (the -wal beside it): the point of it holds them, and after the restore
// no WAL or shared-memory file of the old file is beside the new one,
// where SQLite would replay it onto it.
func TestRestoreWAL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	point := filepath.Join(dir, "point.db")
	db := newDB(t, path, 10)
	if _, err := db.Exec("VACUUM INTO ?", point); err != nil {
		t.Fatal(err)
	}
	want := digest(t, point)
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode = WAL").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode: %q, %v", mode, err)
	}
	if _, err := db.Exec("PRAGMA wal_autocheckpoint = 0; DELETE FROM t WHERE id > 3; INSERT INTO t (id, a) VALUES (100, 'in the wal')"); err != nil {
		t.Fatal(err)
	}
	// The crash image: the WAL as it is now, beside the file once closed.
	wal, err := os.ReadFile(path + "-wal")
	if err != nil || len(wal) == 0 {
		t.Fatalf("no WAL to test with: %v", err)
	}
	db.Close()
	if err := os.WriteFile(path+"-wal", wal, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(ctx, RestoreOptions{DB: path, Point: point})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + s); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the restore: %v", s, err)
		}
	}
	if got := digest(t, path); got != want {
		t.Fatal("restored rows differ from the point's")
	}
	if got := digest(t, res.Replaced.Path); !strings.HasPrefix(got, "4:") || !strings.Contains(got, "in the wal") {
		t.Fatalf("the replaced database's point misses the WAL's rows: %.40s", got)
	}
}

// Another connection that writes (BEGIN IMMEDIATE), or has the database
// open in WAL mode, is one restore cannot see in /proc when it is in
// another container: SQLite's locks refuse it all the same, and the
// database is unchanged.
func TestRestoreRefusedByLocks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	db := newDB(t, path, 10)
	p, err := Config{}.Take(ctx, db, path, "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM t WHERE id > 5"); err != nil {
		t.Fatal(err)
	}
	before := digest(t, path)

	// A write transaction in another connection (this process: not in
	// /proc's list of other holders).
	if _, err := db.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = Restore(ctx, RestoreOptions{DB: path, Point: p.Path, Wait: 100 * time.Millisecond})
	var be *dblock.BusyError
	if !errors.As(err, &be) {
		t.Fatalf("Restore under a writer: %v, want a BusyError", err)
	}
	if _, err := db.Exec("ROLLBACK"); err != nil {
		t.Fatal(err)
	}

	// An idle reader in WAL mode.
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode = WAL").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode: %q, %v", mode, err)
	}
	var n int
	db.QueryRow("SELECT count(*) FROM t").Scan(&n)
	_, err = Restore(ctx, RestoreOptions{DB: path, Point: p.Path, Wait: 100 * time.Millisecond})
	var ie *InUseError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "another connection has it open in WAL mode") {
		t.Fatalf("Restore under a WAL reader: %v, want an InUseError", err)
	}
	if got := digest(t, path); got != before {
		t.Fatal("a refused restore changed the database")
	}
	if ps, _ := List(filepath.Dir(p.Path), "app.db"); len(ps) != 1 {
		t.Fatalf("a refused restore left %d points, want the 1 taken before", len(ps))
	}
}

// With too little room (statfs of a real tmpfs), Take refuses with both
// numbers and creates nothing, not even the folder.
func TestTakeNoRoom(t *testing.T) {
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", small).Run() })
	path := filepath.Join(t.TempDir(), "app.db")
	db := newDB(t, path, 2000)
	folder := filepath.Join(small, "points")
	_, err := Config{Dir: folder}.Take(context.Background(), db, path, "1")
	var se *SpaceError
	if !errors.As(err, &se) || se.Free > 1<<20 || se.Need <= se.Free || se.Folder != folder {
		t.Fatalf("Take: %v, want a SpaceError", err)
	}
	if !strings.Contains(err.Error(), "use --no-restore-point to proceed without one") {
		t.Fatalf("message: %v", err)
	}
	if _, err := os.Stat(folder); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the folder was created: %v", err)
	}
}

// A run killed at any moment while it takes a point leaves, under a
// point's name, only complete points: the copy is written under a
// temporary name, synced, then renamed. The next Take removes the
// temporary file a killed run left.
func TestTakeKilled(t *testing.T) {
	if os.Getenv("RESTOREPOINT_HELPER") != "" {
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	newDB(t, path, 30000).Close()
	folder := filepath.Join(dir, "points")
	killedMidCopy := 0
	for i := 0; i < 12; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTakeHelper$")
		cmd.Env = append(os.Environ(), "RESTOREPOINT_HELPER="+path, "RESTOREPOINT_FOLDER="+folder)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(5+i*7) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		ents, _ := os.ReadDir(folder)
		for _, e := range ents {
			if strings.Contains(e.Name(), Suffix+tmpSuffix) {
				killedMidCopy++
				continue
			}
			if _, err := Check(context.Background(), filepath.Join(folder, e.Name())); err != nil {
				t.Fatalf("kill %d: %s is under a point's name but %v", i, e.Name(), err)
			}
		}
	}
	t.Logf("%d temporary files seen after the kills (a kill during a copy)", killedMidCopy)
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	leftover := filepath.Join(folder, name("app.db", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "1")+tmpSuffix)
	os.MkdirAll(folder, 0o700)
	for _, f := range []string{leftover, leftover + "-journal"} {
		if err := os.WriteFile(f, []byte("half a copy"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (Config{Dir: folder}).Take(context.Background(), db, path, "1"); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(folder)
	for _, e := range ents {
		if strings.Contains(e.Name(), Suffix+tmpSuffix) {
			t.Fatalf("%s was left", e.Name())
		}
	}
}

// TestTakeHelper is the process TestTakeKilled kills: it takes points.
func TestTakeHelper(t *testing.T) {
	path := os.Getenv("RESTOREPOINT_HELPER")
	if path == "" {
		t.Skip("run by TestTakeKilled")
	}
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := (Config{Dir: os.Getenv("RESTOREPOINT_FOLDER"), Keep: 3}).Before(context.Background(), db, "1", io.Discard); err != nil {
			t.Fatal(err)
		}
	}
}

// A database reached through a symlink: the file is replaced, the link
// stays a link.
func TestRestoreSymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	link := filepath.Join(dir, "link.db")
	db := newDB(t, real, 20)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	p, err := Config{}.Take(ctx, db, link, "1")
	if err != nil {
		t.Fatal(err)
	}
	want := digest(t, real)
	if _, err := db.Exec("DELETE FROM t"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Restore(ctx, RestoreOptions{DB: link, Point: p.Path}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", fi.Mode(), err)
	}
	if got := digest(t, real); got != want {
		t.Fatal("the linked file was not restored")
	}
}
