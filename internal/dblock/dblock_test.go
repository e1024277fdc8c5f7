package dblock

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// The child process of the cross-process tests: it takes the lock on
// $DBLOCK_DB, creates $DBLOCK_READY and holds the lock until killed.
func TestMain(m *testing.M) {
	if db := os.Getenv("DBLOCK_DB"); db != "" {
		holdForever(db, os.Getenv("DBLOCK_READY"))
	}
	os.Exit(m.Run())
}

func holdForever(path, ready string) {
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		panic(err)
	}
	if _, err := Take(context.Background(), db, Options{Wait: time.Second}); err != nil {
		panic(err)
	}
	if err := os.WriteFile(ready, nil, 0o644); err != nil {
		panic(err)
	}
	time.Sleep(time.Hour)
}

// holder starts a child process holding the lock on path and waits until
// it holds it.
func holder(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DBLOCK_DB="+path, "DBLOCK_READY="+ready)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			return cmd
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the holder process did not take the lock")
		}
	}
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Another process's lock excludes this one for the whole wait; once that
// process is killed (no chance to clean up), the lock is free at once.
func TestExcludesAcrossProcessesAndDiesWithHolder(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "app.db")
	cmd := holder(t, path)
	db := openDB(t, path)

	var out bytes.Buffer
	start := time.Now()
	_, err := Take(context.Background(), db, Options{Wait: 300 * time.Millisecond, Out: &out})
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("took a lock another process holds: err = %v", err)
	}
	if time.Since(start) < 300*time.Millisecond {
		t.Errorf("gave up after %s, before the wait", time.Since(start))
	}
	want := "held by pid " + strconv.Itoa(cmd.Process.Pid) + " ("
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "waited 300ms") {
		t.Errorf("error %q does not name the holder (%s…) and the wait", err, want)
	}
	if !strings.Contains(out.String(), "waiting for the lock") {
		t.Errorf("output = %q", out.String())
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	start = time.Now()
	release, err := Take(context.Background(), db, Options{Wait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if d := time.Since(start); d > time.Second {
		t.Errorf("a killed holder's lock took %s to free", d)
	}
}

// Two databases are two locks; one database's lock is one, in-process too.
func TestScopedToOneDatabase(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := t.TempDir()
	a, b := openDB(t, filepath.Join(dir, "a.db")), openDB(t, filepath.Join(dir, "b.db"))
	ra, err := Take(context.Background(), a, Options{Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Take(context.Background(), b, Options{Wait: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("b.db waited for a.db: %v", err)
	}
	a2 := openDB(t, filepath.Join(dir, "a.db"))
	if _, err := Take(context.Background(), a2, Options{Wait: 100 * time.Millisecond}); err == nil {
		t.Fatal("a second connection took a.db's lock while held")
	}
	rb()
	ra()
	r2, err := Take(context.Background(), a2, Options{Wait: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("released lock still held: %v", err)
	}
	r2()
}

// Take sets the connection's busy timeout to the wait, and release gives
// the handle's own back.
func TestSetsBusyTimeout(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	db := openDB(t, filepath.Join(t.TempDir(), "app.db"))
	release, err := Take(context.Background(), db, Options{Wait: 1234 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var ms int
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if ms != 1234 {
		t.Errorf("busy_timeout = %d, want 1234", ms)
	}
	release()
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if ms != 10000 { // sqlitedb.FileDSN's
		t.Errorf("busy_timeout after release = %d, want the handle's own 10000", ms)
	}
}

// An in-memory database is private: no lock, no lock file.
func TestInMemoryNeedsNoLock(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	db, err := sqlitedb.OpenMemory("dblock")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release, err := Take(context.Background(), db, Options{Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	release()
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("files made for an in-memory database: %v", ents)
	}
}

// A wait longer than SQLite's busy timeout can hold (2^31-1 ms, about 596
// hours) sets the longest it can: SQLite ignores a larger PRAGMA value and
// kept the handle's 10 s, so --lock-timeout 1000h gave up on an app's
// write lock after 10 s.
func TestLongWaitBusyTimeout(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	db := openDB(t, filepath.Join(t.TempDir(), "app.db"))
	release, err := Take(context.Background(), db, Options{Wait: 1000 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var ms int64
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if ms != math.MaxInt32 {
		t.Errorf("busy_timeout = %d, want %d", ms, math.MaxInt32)
	}
}
