package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/internal/testmodels"
	"github.com/structmigrate/structmigrate/migrator"
)

// Apps keep calling GORM's AutoMigrate at start-up after adopting
// structmigrate (issue 14.6). The schema apply leaves must be one GORM's
// migrator (gorm.io/gorm/migrator + glebarez/sqlite) finds up to date:
// otherwise the app's first start rebuilds tables behind the migrations'
// back and the next status reports drift.

var (
	// noopRefused are the sets diff refuses by design (names Atlas cannot
	// quote): there is nothing to apply.
	noopRefused = []string{"hostile-column", "hostile-table", "hostile-payload", "where-index", "check-paren"}
	// gormFails are the sets GORM's AutoMigrate cannot migrate even on a
	// database it made itself (it does not quote the table name of its
	// LIMIT 1 probe).
	gormFails = []string{"odd-names", "odd-names-retyped", "hostile-pg-payload"}
	// gormSelfRebuilt is the set whose table GORM rebuilds at every start
	// on its own database: there it must do the same on ours, no more.
	gormSelfRebuilt = "gorm-self-rebuilt"
)

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
			checkNoop(t, name, name)
		})
	}
}

// TestAutoMigrateAfterEdit applies a model set, then an edited one on the
// same database (a second migration), and expects AutoMigrate of the edited
// models to execute nothing: diff saw every difference GORM sees.
func TestAutoMigrateAfterEdit(t *testing.T) {
	for _, steps := range [][]string{
		{"gorm-sized", "gorm-sized-wider", "gorm-sized"},
		{"gorm-unique", "gorm-unique-moved", "gorm-unique"},
		{"ex-base", "ex-embedded"},
		{"people", "people-unique-team"},
	} {
		t.Run(strings.Join(steps, ">"), func(t *testing.T) {
			checkNoop(t, steps[len(steps)-1], steps...)
		})
	}
}

// checkNoop applies the sets steps one after another (one migration each)
// and runs AutoMigrate for the models of set name.
func checkNoop(t *testing.T, name string, steps ...string) {
	models, cfg := testmodels.Sets[name], testmodels.Configs[name]
	env := newNoopEnv(t)
	for i, step := range steps {
		if !env.diffApply(t, step, i, slices.Contains(noopRefused, step)) {
			return
		}
	}
	if slices.Contains(gormFails, name) {
		if _, err := autoMigrateExecs(t, gormDatabase(t, models, cfg), models, cfg); err == nil {
			t.Fatalf("AutoMigrate now works on its own database for %s: take it off gormFails", name)
		}
		return
	}
	own, err := autoMigrateExecs(t, gormDatabase(t, models, cfg), models, cfg)
	if err != nil {
		t.Fatalf("AutoMigrate on its own database: %v", err)
	}
	got, err := autoMigrateExecs(t, env.db, models, cfg)
	if err != nil {
		t.Fatalf("AutoMigrate after apply: %v", err)
	}
	if name == gormSelfRebuilt {
		if len(own) == 0 || len(got) != len(own) {
			t.Fatalf("GORM rebuilds its own %s table with %d statements, ours with %d:\n%s", name, len(own), len(got), strings.Join(got, "\n"))
		}
		return
	}
	if len(own) > 0 {
		t.Fatalf("GORM re-migrates its own database for %s (%d statements): move those tags to %s:\n%s", name, len(own), gormSelfRebuilt, strings.Join(own, "\n"))
	}
	if len(got) > 0 {
		t.Errorf("AutoMigrate after apply executed %d statements:\n%s", len(got), strings.Join(got, "\n"))
	}
}

type noopEnv struct {
	dir, cfg, db string
}

func newNoopEnv(t *testing.T) *noopEnv {
	dir := t.TempDir()
	e := &noopEnv{dir: dir, cfg: filepath.Join(dir, "atlas.hcl"), db: filepath.Join(dir, "app.db")}
	if err := os.WriteFile(e.cfg, []byte("env \"local\" {\n  url = \"sqlite://app.db\"\n  dev = \"sqlite://dev?mode=memory\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// diffApply writes the migration to the models of set and applies it.
// refused: diff must fail (and then false is returned).
func (e *noopEnv) diffApply(t *testing.T, set string, step int, refused bool) bool {
	t.Helper()
	p := migrator.Program{Models: testmodels.Sets[set], GormConfig: testmodels.Configs[set]}
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := migrator.Run(append([]string{"structmigrate", "--config", e.cfg, "--dir", filepath.Join(e.dir, "migrations"), "--db", e.db}, args...), p, &out, &out)
		return code, out.String()
	}
	code, out := run("diff", fmt.Sprintf("step%d", step))
	if refused {
		if code == 0 {
			t.Fatalf("diff accepted %s, a set it must refuse:\n%s", set, out)
		}
		return false
	}
	if code != 0 {
		t.Fatalf("diff %s: exit %d\n%s", set, code, out)
	}
	if step > 0 && strings.Contains(out, "no changes") {
		t.Fatalf("diff %s: no changes after step %d", set, step)
	}
	if code, out := run("apply"); code != 0 {
		t.Fatalf("apply %s: exit %d\n%s", set, code, out)
	}
	return true
}

// gormDatabase is a database AutoMigrate made for models.
func gormDatabase(t *testing.T, models []any, cfg *gorm.Config) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "gorm.db")
	if _, err := autoMigrateExecs(t, db, models, cfg); err != nil && !strings.Contains(err.Error(), "LIMIT 1") {
		t.Fatalf("AutoMigrate on an empty database: %v", err)
	}
	return db
}

// autoMigrateExecs opens db as an app does (glebarez/sqlite, the models'
// config: cfg's naming strategy and foreign-key switches, GORM's defaults
// when nil), runs AutoMigrate for models, and returns every statement GORM
// executed through its Exec path (DDL, table copies, PRAGMA writes); its
// reads of sqlite_master and its LIMIT 1 probes take the query path.
func autoMigrateExecs(t *testing.T, db string, models []any, cfg *gorm.Config) ([]string, error) {
	t.Helper()
	c := gorm.Config{}
	if cfg != nil {
		c.NamingStrategy = cfg.NamingStrategy
		c.DisableForeignKeyConstraintWhenMigrating = cfg.DisableForeignKeyConstraintWhenMigrating
		c.IgnoreRelationshipsWhenMigrating = cfg.IgnoreRelationshipsWhenMigrating
	}
	c.Logger = logger.Discard
	gdb, err := gorm.Open(gsqlite.Open(db), &c)
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
	return execs, gdb.AutoMigrate(models...)
}

// TestAutoMigrateSizeEdit: a size edit is a change (varchar(64) →
// varchar(128) rebuilds the table); SQLite does not enforce sizes, so the
// values, longer ones included, are copied unchanged.
func TestAutoMigrateSizeEdit(t *testing.T) {
	env := newNoopEnv(t)
	env.diffApply(t, "gorm-sized", 0, false)
	db, err := sqlitedb.OpenFile(env.db, false)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 100)
	if _, err := db.Exec("INSERT INTO sized (code, short, name, ratio) VALUES (?, 'abc', 'n', 1.25)", long); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env.diffApply(t, "gorm-sized-wider", 1, false)
	files, _ := filepath.Glob(filepath.Join(env.dir, "migrations", "*_step1.sql"))
	if len(files) != 1 {
		t.Fatalf("step1 migration: %v", files)
	}
	sql, _ := os.ReadFile(files[0])
	if !strings.Contains(string(sql), "`code` varchar(128) NULL") {
		t.Fatalf("the size edit is not in the migration:\n%s", sql)
	}
	if db, err = sqlitedb.OpenFile(env.db, true); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var code, typ string
	if err := db.QueryRow("SELECT code, typeof(code) FROM sized").Scan(&code, &typ); err != nil {
		t.Fatal(err)
	}
	if code != long || typ != "text" {
		t.Fatalf("after the size edit: code %s of %d chars, want text of %d", typ, len(code), len(long))
	}
}
