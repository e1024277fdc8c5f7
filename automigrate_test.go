package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/testmodels"
	"github.com/structmigrate/structmigrate/migrator"
)

// Apps keep calling GORM's AutoMigrate at start-up after adopting
// structmigrate (issue 14.6). The schema apply leaves must be one GORM's
// migrator (gorm.io/gorm/migrator + glebarez/sqlite) finds up to date:
// otherwise the app's first start rebuilds tables behind the migrations'
// back and the next status reports drift.

// noopRefused are the sets diff refuses by design (names Atlas cannot
// quote): there is nothing to apply.
var noopRefused = []string{"hostile-column", "hostile-table", "hostile-payload", "where-index", "check-paren"}

// TestAutoMigrateAfterApply runs diff → apply for every model set, then
// GORM's AutoMigrate for the same models on the applied file, and expects
// it to execute nothing.
func TestAutoMigrateAfterApply(t *testing.T) {
	names := make([]string, 0, len(testmodels.Sets))
	for name := range testmodels.Sets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			models := testmodels.Sets[name]
			db, ok := diffApply(t, models, slices.Contains(noopRefused, name))
			if !ok {
				return
			}
			own := gormOwn(t, models)
			if ddl := autoMigrateExecs(t, db, models); len(ddl) > 0 {
				t.Errorf("AutoMigrate after apply executed %d statements (on its own database: %d):\n%s\nown:\n%s", len(ddl), len(own), strings.Join(ddl, "\n"), strings.Join(own, "\n"))
			}
		})
	}
}

// diffApply writes the initial migration for models into a fresh directory
// and applies it to a new database file, returning the file. refused: diff
// must fail (and then nothing is returned).
func diffApply(t *testing.T, models []any, refused bool) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "atlas.hcl")
	if err := os.WriteFile(cfg, []byte("env \"local\" {\n  url = \"sqlite://app.db\"\n  dev = \"sqlite://dev?mode=memory\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "app.db")
	p := migrator.Program{Models: models}
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := migrator.Run(append([]string{"structmigrate", "--config", cfg, "--dir", filepath.Join(dir, "migrations"), "--db", db}, args...), p, &out, &out)
		return code, out.String()
	}
	code, out := run("diff", "initial")
	if refused {
		if code == 0 {
			t.Fatalf("diff accepted a set it must refuse:\n%s", out)
		}
		return "", false
	}
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s", code, out)
	}
	if code, out := run("apply"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	return db, true
}

// autoMigrateExecs opens db as an app does (glebarez/sqlite, default
// config) and runs AutoMigrate for models, returning every statement GORM
// executed (its Exec path: DDL, table copies, PRAGMA writes). Its reads
// (sqlite_master, LIMIT 1 probes) go through the query and row paths.
func autoMigrateExecs(t *testing.T, db string, models []any) []string {
	t.Helper()
	gdb, err := gorm.Open(gsqlite.Open(db), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if sqlDB, err := gdb.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	var execs []string
	if err := gdb.Callback().Raw().After("gorm:raw").Register("noop:record", func(tx *gorm.DB) {
		execs = append(execs, tx.Statement.SQL.String())
	}); err != nil {
		t.Fatal(err)
	}
	if err := gdb.AutoMigrate(models...); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	return execs
}

// gormOwn is what AutoMigrate executes on a database it made itself, the
// second time: where GORM rebuilds its own tables at every start-up.
func gormOwn(t *testing.T, models []any) []string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "gorm.db")
	gdb, err := gorm.Open(gsqlite.Open(db), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	err = gdb.AutoMigrate(models...)
	if sqlDB, e := gdb.DB(); e == nil {
		sqlDB.Close()
	}
	if err != nil {
		t.Fatalf("AutoMigrate on an empty database: %v", err)
	}
	return autoMigrateExecs(t, db, models)
}
