package dblock

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/sqlite"
)

// atlasCLI is the lock `atlas migrate apply --url sqlite://FILE` takes:
// Atlas's own sqlite driver Lock, with a URL whose DSN has no "file:"
// prefix (as a driver opened without a URL).
func atlasCLI(t *testing.T) func(context.Context) (func() error, error) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "cli.db"))
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context) (func() error, error) {
		u, err := drv.Lock(ctx, AtlasLockName, 10*time.Second)
		return u, err
	}
}

// While a run holds the lock, the Atlas CLI is refused; after, it is not.
// Runs on two databases share the CLI's lock: it goes with the last one.
func TestAtlasCLIExcludedWhileHeld(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cli := atlasCLI(t)
	dir := t.TempDir()
	a, b := openDB(t, filepath.Join(dir, "a.db")), openDB(t, filepath.Join(dir, "b.db"))
	ra, err := Take(context.Background(), a, Options{Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Take(context.Background(), b, Options{Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli(context.Background()); err == nil || !strings.Contains(err.Error(), "already taken") {
		t.Fatalf("the Atlas CLI's lock was free during a run: %v", err)
	}
	rb()
	if _, err := cli(context.Background()); err == nil {
		t.Fatal("the Atlas CLI's lock was freed while a.db's run still holds it")
	}
	ra()
	unlock, err := cli(context.Background())
	if err != nil {
		t.Fatalf("the Atlas CLI's lock is still taken after every run released: %v", err)
	}
	unlock()
}

// A live Atlas CLI's lock is waited for; once the CLI removes it, Take
// goes on.
func TestWaitsForAtlasCLI(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cli := atlasCLI(t)
	unlock, err := cli(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "app.db"))
	_, err = Take(context.Background(), db, Options{Wait: 200 * time.Millisecond})
	var held *HeldError
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "Atlas CLI") {
		t.Fatalf("took the lock while the Atlas CLI holds it: %v", err)
	}
	// The failed Take released the database lock it had taken.
	go func() { time.Sleep(200 * time.Millisecond); unlock() }()
	start := time.Now()
	release, err := Take(context.Background(), db, Options{Wait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	release()
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("did not wait for the CLI (%s)", d)
	}
}

// A lock file nobody live holds that no CLI could have written (empty,
// garbage, expired) or that a killed run of ours left is taken at once.
func TestStaleAtlasLockTakenAtOnce(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "garbage": "x\x00y", "expired": "1"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TMPDIR", t.TempDir())
			if err := os.WriteFile(AtlasLockPath(), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			db := openDB(t, filepath.Join(t.TempDir(), "app.db"))
			release, err := Take(context.Background(), db, Options{Wait: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			release()
			if _, err := os.Stat(AtlasLockPath()); !os.IsNotExist(err) {
				t.Errorf("lock file left after release: %v", err)
			}
		})
	}
	t.Run("killed run", func(t *testing.T) {
		t.Setenv("TMPDIR", t.TempDir())
		path := filepath.Join(t.TempDir(), "app.db")
		cmd := holder(t, path)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(AtlasLockPath()); err != nil {
			t.Fatalf("the killed run left no lock to take over: %v", err)
		}
		db := openDB(t, filepath.Join(t.TempDir(), "other.db"))
		release, err := Take(context.Background(), db, Options{Wait: 50 * time.Millisecond})
		if err != nil {
			t.Fatalf("a killed run's Atlas lock blocks: %v", err)
		}
		release()
	})
}

// A CLI lock this user cannot replace (in a shared /tmp: another user's;
// here a directory in its place, as root may write anywhere) blocks
// nothing: the run notes it and goes on under its own database lock.
func TestUnreplaceableAtlasLockDoesNotBlock(t *testing.T) {
	for _, name := range []string{AtlasLockName + ".lock", AtlasLockName + ".lock.structmigrate"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TMPDIR", t.TempDir())
			if err := os.Mkdir(filepath.Join(os.TempDir(), name), 0o755); err != nil {
				t.Fatal(err)
			}
			db := openDB(t, filepath.Join(t.TempDir(), "app.db"))
			var out strings.Builder
			release, err := Take(context.Background(), db, Options{Wait: 50 * time.Millisecond, Out: &out})
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			if !strings.Contains(out.String(), "-- note: not taking the Atlas CLI's lock") {
				t.Errorf("output = %q", out.String())
			}
			db2 := openDB(t, filepath.Join(filepath.Dir(dbPath(t, db)), "app.db"))
			if _, err := Take(context.Background(), db2, Options{Wait: 50 * time.Millisecond}); err == nil {
				t.Error("the database lock did not hold")
			}
		})
	}
}

func dbPath(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}) string {
	t.Helper()
	var p string
	if err := db.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}
