package startup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/testmodels"
	"github.com/structmigrate/structmigrate/migrations"
	"github.com/structmigrate/structmigrate/migrator"
	"github.com/structmigrate/structmigrate/startup"
)

// TestMain gives the tests a private TMPDIR: Apply takes the Atlas CLI's
// migration lock, a file in os.TempDir() shared by every run on the host, so
// another package's tests applying migrations at the same time would make
// these wait.
func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "startup-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	code := pgtest.Wrap(m).Run() // stops the PostgreSQL tests' cluster, if one started
	os.RemoveAll(tmp)
	os.Exit(code)
}

// The tests of the package use their own history (testdata/migrations: the
// players table, then a seed of 25 players) and models (testmodels'
// "player" set), not the project's: a team replaces schema/ and
// migrations/. TestDefaults checks the defaults on the project's own.
var fixtureFS = os.DirFS("testdata/migrations")

// fixture returns the options that select the test history and models,
// followed by opts.
func fixture(opts ...startup.Option) []startup.Option {
	return append([]startup.Option{startup.WithMigrations(fixtureFS), startup.WithModels(testmodels.Sets["player"]...)}, opts...)
}

// files returns the migration files of fsys, in order, and the last version.
func files(t *testing.T, fsys fs.FS) ([]string, string) {
	t.Helper()
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migration files (%v)", err)
	}
	slices.Sort(names)
	return names, strings.SplitN(names[len(names)-1], "_", 2)[0]
}

// committed returns the test history's files and last version.
func committed(t *testing.T) ([]string, string) { return files(t, fixtureFS) }

// With no options, Check and Apply use the project's embedded directory and
// schema.Models(), whatever they hold: every committed file is pending on a
// fresh database, and after Apply it is up to date (the history is in sync
// with the structs).
func TestDefaults(t *testing.T) {
	ctx := context.Background()
	names, last := files(t, migrations.FS)
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	r, err := startup.Check(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pending, names) || len(r.StructsDrift) > 0 {
		t.Errorf("Check: %+v, want every committed file pending (%v) and no structs drift", r, names)
	}
	if r, err = startup.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != last {
		t.Errorf("after Apply: %s, want up to date at %s", r, last)
	}
}

// openApp opens a database file the way an app does with database/sql:
// the glebarez driver, the default (unlimited) pool.
func openApp(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestCheckFreshFile(t *testing.T) {
	files, _ := committed(t)
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	r, err := startup.Check(context.Background(), db, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pending, files) {
		t.Errorf("Pending = %v, want every committed file %v", r.Pending, files)
	}
	if r.Current != "" || r.UpToDate() || len(r.StructsDrift) > 0 || len(r.DatabaseDrift) > 0 || r.Error != "" {
		t.Errorf("report = %+v, want only pending files", r)
	}
	if want := fmt.Sprintf("database at no version; %d pending (%s)", len(files), strings.Join(files, ", ")); r.String() != want {
		t.Errorf("String() = %q, want %q", r.String(), want)
	}
	// Check changes nothing.
	if n := count(t, db, "SELECT count(*) FROM sqlite_master"); n != 0 {
		t.Errorf("Check created %d schema objects", n)
	}
}

func TestApplyThenCheck(t *testing.T) {
	ctx := context.Background()
	_, last := committed(t)
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	var log bytes.Buffer
	r, err := startup.Apply(ctx, db, fixture(startup.WithLog(&log))...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != last {
		t.Errorf("after Apply: %+v (%s), want up to date at %s", r, r, last)
	}
	if r.String() != "database up to date at "+last {
		t.Errorf("String() = %q", r.String())
	}
	if !strings.Contains(log.String(), "Migrating to version "+last) || !strings.Contains(log.String(), "_seed_players.sql") {
		t.Errorf("log:\n%s", log.String())
	}
	// The app's own pool sees the result.
	if n := count(t, db, "SELECT count(*) FROM players"); n != 25 {
		t.Errorf("players = %d, want the 25 seeded", n)
	}
	if n := count(t, db, "SELECT count(*) FROM atlas_schema_revisions WHERE operator_version = 'structmigrate "+cli.Version+"'"); n < 2 {
		t.Errorf("revisions written by us = %d", n)
	}
	r, err = startup.Check(ctx, db, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != last {
		t.Errorf("Check after Apply: %+v", r)
	}
	// Applying again is a no-op.
	log.Reset()
	if r, err = startup.Apply(ctx, db, fixture(startup.WithLog(&log))...); err != nil || !r.UpToDate() {
		t.Fatalf("second Apply: %v, %+v", err, r)
	}
	if got := strings.TrimSpace(log.String()); got != "No migration files to execute" {
		t.Errorf("second Apply log: %q", got)
	}
}

func TestDatabaseDrift(t *testing.T) {
	ctx := context.Background()
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	if _, err := startup.Apply(ctx, db, fixture()...); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE INDEX by_team ON players (team)"); err != nil {
		t.Fatal(err)
	}
	r, err := startup.Check(ctx, db, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.DatabaseDrift, "DROP INDEX `by_team`") || r.UpToDate() {
		t.Errorf("DatabaseDrift = %q, want DROP INDEX `by_team`", r.DatabaseDrift)
	}
	if len(r.Pending) > 0 || len(r.StructsDrift) > 0 {
		t.Errorf("report = %+v, want database drift only", r)
	}
}

// An audit table created by hand is drift, unless excluded.
func TestExclude(t *testing.T) {
	ctx := context.Background()
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	if _, err := startup.Apply(ctx, db, fixture()...); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE audit_log (id integer PRIMARY KEY, what text)"); err != nil {
		t.Fatal(err)
	}
	r, err := startup.Check(ctx, db, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.DatabaseDrift, "DROP TABLE `audit_log`") {
		t.Errorf("without exclude: DatabaseDrift = %q, want DROP TABLE `audit_log`", r.DatabaseDrift)
	}
	r, err = startup.Check(ctx, db, fixture(startup.WithExclude("audit_*"))...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() {
		t.Errorf("with exclude: report = %+v, want up to date", r)
	}
	if _, err := startup.Check(ctx, db, fixture(startup.WithExclude("players"))...); err == nil || !strings.Contains(err.Error(), `matches table "players"`) {
		t.Errorf("excluding a model's table: err = %v, want it refused", err)
	}
}

// playerPlusOne is the test model with one field more.
type playerPlusOne struct {
	testmodels.Player
	StartupProbe string `gorm:"column:startupProbe"`
}

func (playerPlusOne) TableName() string { return "players" }

func TestStructsDrift(t *testing.T) {
	ctx := context.Background()
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	// The app's model with one more field than the committed migrations.
	r, err := startup.Apply(ctx, db, startup.WithMigrations(fixtureFS), startup.WithModels(&playerPlusOne{}))
	if err != nil {
		t.Fatal(err)
	}
	want := "ALTER TABLE `players` ADD COLUMN `startupProbe` text NULL"
	if !slices.Equal(r.StructsDrift, []string{want}) || r.UpToDate() {
		t.Errorf("StructsDrift = %q, want [%s]", r.StructsDrift, want)
	}
	if len(r.Pending) > 0 || len(r.DatabaseDrift) > 0 {
		t.Errorf("report = %+v, want structs drift only", r)
	}
	// WithModels() skips the structs check.
	if r, err = startup.Check(ctx, db, startup.WithMigrations(fixtureFS), startup.WithModels()); err != nil || !r.UpToDate() {
		t.Errorf("Check(WithModels()): %v, %+v", err, r)
	}
}

func openGORM(t *testing.T, path string) *gorm.DB {
	t.Helper()
	gdb, err := gorm.Open(sqlite.Open(path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	db, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return gdb
}

func TestGORM(t *testing.T) {
	ctx := context.Background()
	files, last := committed(t)
	gdb := openGORM(t, filepath.Join(t.TempDir(), "app.db"))
	if db, _ := gdb.DB(); db.Stats().MaxOpenConnections != 0 {
		t.Fatalf("want GORM's default, unlimited pool; got %d", db.Stats().MaxOpenConnections)
	}
	r, err := startup.CheckGORM(ctx, gdb, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pending, files) {
		t.Errorf("CheckGORM Pending = %v, want %v", r.Pending, files)
	}
	if r, err = startup.ApplyGORM(ctx, gdb, fixture()...); err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != last {
		t.Errorf("after ApplyGORM: %+v", r)
	}
	var n int64
	if err := gdb.Table("players").Count(&n).Error; err != nil || n != 25 {
		t.Errorf("players = %d (%v), want 25", n, err)
	}
	if r, err = startup.CheckGORM(ctx, gdb, fixture()...); err != nil || !r.UpToDate() {
		t.Errorf("CheckGORM after ApplyGORM: %v, %+v", err, r)
	}
}

func TestInMemory(t *testing.T) {
	ctx := context.Background()
	db := openApp(t, ":memory:")
	_, err := startup.Check(ctx, db, fixture()...)
	if err == nil || !strings.Contains(err.Error(), "in memory") || !strings.Contains(err.Error(), "SetMaxOpenConns(1)") {
		t.Fatalf("Check on an in-memory pool: err = %v, want a refusal naming SetMaxOpenConns(1)", err)
	}
	if _, err := startup.Apply(ctx, db, fixture()...); err == nil {
		t.Fatal("Apply on an in-memory pool succeeded")
	}
	// With one connection, the app's handle itself is used.
	db.SetMaxOpenConns(1)
	r, err := startup.Apply(ctx, db, fixture()...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() {
		t.Errorf("after Apply: %+v", r)
	}
	if n := count(t, db, "SELECT count(*) FROM players"); n != 25 {
		t.Errorf("players = %d, want 25", n)
	}
	// Foreign keys are back to what the app's connection had.
	if n := count(t, db, "PRAGMA foreign_keys"); n != 0 {
		t.Errorf("PRAGMA foreign_keys = %d after Apply, want the connection's 0", n)
	}
}

func TestBaseline(t *testing.T) {
	ctx := context.Background()
	files, last := committed(t)
	src, err := os.ReadFile("../testdata/fixtures/legacy-automigrate-players.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "legacy.db")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	db := openApp(t, path)
	if _, err := startup.Check(ctx, db, fixture()...); err == nil || !strings.Contains(err.Error(), "not clean") {
		t.Fatalf("Check on a database without history: err = %v, want not clean", err)
	}
	if _, err := startup.Apply(ctx, db, fixture()...); err == nil || !strings.Contains(err.Error(), "not clean") {
		t.Fatalf("Apply on a database without history: err = %v, want not clean", err)
	}
	first := strings.SplitN(files[0], "_", 2)[0]
	r, err := startup.Apply(ctx, db, fixture(startup.WithBaseline(first))...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != last {
		t.Errorf("after Apply(WithBaseline(%s)): %+v", first, r)
	}
	if n := count(t, db, "SELECT count(*) FROM players"); n != 25 {
		t.Errorf("players = %d, want 25", n)
	}
	if n := count(t, db, "SELECT count(*) FROM atlas_schema_revisions WHERE version = '"+first+"' AND type = 1"); n != 1 {
		t.Errorf("baseline revisions = %d, want 1", n)
	}
}

func TestWithMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ld, err := migrate.NewLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ld.WriteFile("20260101000001_init.sql", []byte("CREATE TABLE `t` (`id` integer NOT NULL, PRIMARY KEY (`id`));\n")); err != nil {
		t.Fatal(err)
	}
	sum, err := ld.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(ld, sum); err != nil {
		t.Fatal(err)
	}
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	r, err := startup.Apply(ctx, db, startup.WithMigrations(os.DirFS(dir)), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != "20260101000001" {
		t.Errorf("report = %+v", r)
	}
	// A directory whose atlas.sum does not match is refused.
	if err := os.WriteFile(filepath.Join(dir, "20260101000002_x.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := startup.Apply(ctx, db, startup.WithMigrations(os.DirFS(dir)), startup.WithModels()); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("Apply with a tampered directory: err = %v, want a checksum refusal", err)
	}
}

func TestNotSQLite(t *testing.T) {
	if _, err := startup.Check(context.Background(), nil); err == nil {
		t.Error("Check(nil) succeeded")
	}
	if _, err := startup.CheckGORM(context.Background(), &gorm.DB{}); err == nil {
		t.Error("CheckGORM(unopened) succeeded")
	}
}

// The revisions we write carry the CLI's operator_version; startup repeats
// the constant to avoid linking the CLI layer.
func TestOperatorMatchesCLI(t *testing.T) {
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	if _, err := startup.Apply(context.Background(), db, fixture()...); err != nil {
		t.Fatal(err)
	}
	var op string
	if err := db.QueryRow("SELECT DISTINCT operator_version FROM atlas_schema_revisions").Scan(&op); err != nil {
		t.Fatal(err)
	}
	if op != cli.Operator {
		t.Errorf("operator_version = %q, want cli.Operator %q", op, cli.Operator)
	}
}

// While the Atlas CLI holds its migration lock, Apply waits (bounded by
// the context); Check takes no lock.
func TestLockHeld(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	lock := filepath.Join(os.TempDir(), "atlas_migrate_execute.lock")
	expires := strconv.FormatInt(time.Now().Add(time.Minute).UnixNano(), 10)
	if err := os.WriteFile(lock, []byte(expires), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(lock)
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	// Apply waits for the other run (up to 30 s); the context bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := startup.Apply(ctx, db, fixture()...); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Apply with the lock held: err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Apply waited %v", d)
	}
	if r, err := startup.Check(context.Background(), db, fixture()...); err != nil || len(r.Pending) == 0 {
		t.Errorf("Check with the lock held: %v, %+v", err, r)
	}
}

// WithDesired builds the desired state with the hook, as the CLI's
// Program.Desired does: a view the models declare and the directory lacks
// is structs drift.
func TestWithDesired(t *testing.T) {
	ctx := context.Background()
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	hook := func(cfg *gorm.Config, models []any) (string, error) {
		ddl, err := migrator.AutoMigrateDDL(cfg, models)
		return ddl + "\nCREATE VIEW adults AS SELECT * FROM players;\n", err
	}
	r, err := startup.Apply(ctx, db, startup.WithMigrations(fixtureFS), startup.WithModels(&testmodels.Player{}), startup.WithDesired(hook))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.StructsDrift) != 1 || !strings.Contains(r.StructsDrift[0], "CREATE VIEW adults") || r.UpToDate() {
		t.Errorf("StructsDrift = %q, want the view adults", r.StructsDrift)
	}
	// Without the hook the models declare no views: no drift.
	if r, err = startup.Check(ctx, db, startup.WithMigrations(fixtureFS), startup.WithModels(&testmodels.Player{})); err != nil || !r.UpToDate() {
		t.Errorf("Check without the hook: %v, %+v", err, r)
	}
}

// Apply copies a database file that holds something to a restore point
// before changing it, by default beside it; WithRestorePoints moves and
// bounds them, WithoutRestorePoints takes none and says so. A fresh
// database (nothing to lose) and an unchanged one get none.
func TestRestorePoints(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	db := openApp(t, path)
	r, err := startup.Apply(ctx, db, fixture()...)
	if err != nil || r.RestorePoint != "" {
		t.Fatalf("first Apply on a fresh file: %+v, %v; want no point", r, err)
	}
	// The seed is pending again, on a database that lost 20 players.
	unseed := func(db *sql.DB) {
		t.Helper()
		if _, err := db.Exec("DELETE FROM atlas_schema_revisions WHERE version = '20261130042120'; DELETE FROM players WHERE squadNumber > 6"); err != nil {
			t.Fatal(err)
		}
	}
	unseed(db)
	var log bytes.Buffer
	if r, err = startup.Apply(ctx, db, fixture(startup.WithLog(&log))...); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(r.RestorePoint) != path+".restore-points" || !strings.Contains(log.String(), "Restore point: "+r.RestorePoint+" (version 20261130042119, ") {
		t.Fatalf("Apply: point %q, log:\n%s", r.RestorePoint, log.String())
	}
	// The point is the database before the seed ran again.
	point, err := sql.Open("sqlite", "file:"+r.RestorePoint+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer point.Close()
	if n := count(t, point, "SELECT count(*) FROM players"); n != 5 {
		t.Fatalf("the point has %d players, want the 5 before the seed", n)
	}
	if n := count(t, db, "SELECT count(*) FROM players"); n != 25 {
		t.Fatalf("the database has %d players after the seed, want 25", n)
	}
	// Nothing pending: none.
	if r, err = startup.Apply(ctx, db, fixture()...); err != nil || r.RestorePoint != "" {
		t.Fatalf("Apply with nothing pending: %q, %v", r.RestorePoint, err)
	}

	// Without, and elsewhere.
	other := filepath.Join(dir, "other.db")
	odb := openApp(t, other)
	if _, err := startup.Apply(ctx, odb, fixture()...); err != nil {
		t.Fatal(err)
	}
	unseed(odb)
	log.Reset()
	if r, err = startup.Apply(ctx, odb, fixture(startup.WithoutRestorePoints(), startup.WithLog(&log))...); err != nil || r.RestorePoint != "" {
		t.Fatalf("WithoutRestorePoints: %q, %v", r.RestorePoint, err)
	}
	if !strings.HasPrefix(log.String(), "No restore point (startup.WithoutRestorePoints).\n") {
		t.Fatalf("log:\n%s", log.String())
	}
	backups := filepath.Join(dir, "backups")
	for i := 0; i < 3; i++ {
		unseed(odb)
		if r, err = startup.Apply(ctx, odb, fixture(startup.WithRestorePoints(startup.RestorePoints{Dir: backups, Keep: 2}))...); err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(r.RestorePoint) != backups {
			t.Fatalf("WithRestorePoints: %q", r.RestorePoint)
		}
	}
	if ents, _ := os.ReadDir(backups); len(ents) != 2 {
		t.Fatalf("%d points kept in %s, want 2", len(ents), backups)
	}
	if _, err := os.Stat(other + ".restore-points"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a point was taken beside other.db: %v", err)
	}
}

// A directory that does not replay on an empty database leaves drift
// unknown: the report says so and is not up to date (status exits 5).
// Here file 2 copies rows from a table someone made by hand on the live
// database after file 1: it applies there, and fails on the empty dev
// database.
func TestReplayError(t *testing.T) {
	ctx := context.Background()
	first := map[string]string{"20260101000001_init.sql": "CREATE TABLE `t` (`x` integer NULL);\n"}
	both := map[string]string{
		"20260101000001_init.sql": first["20260101000001_init.sql"],
		"20260101000002_copy.sql": "INSERT INTO `t` (`x`) SELECT `x` FROM `legacy`;\n",
	}
	db := openApp(t, filepath.Join(t.TempDir(), "app.db"))
	if r, err := startup.Apply(ctx, db, migrationsOf(t, first), startup.WithModels()); err != nil || !r.UpToDate() {
		t.Fatalf("apply file 1: %v, %v", r, err)
	}
	if _, err := db.Exec("CREATE TABLE legacy (x integer); INSERT INTO legacy VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	r, err := startup.Apply(ctx, db, migrationsOf(t, both), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM t"); n != 1 || r.Current != "20260101000002" {
		t.Fatalf("file 2 on the live database: %d rows, report %s", n, r)
	}
	if r.UpToDate() || !strings.Contains(r.DriftUnknown, "does not replay") || !strings.Contains(r.DriftUnknown, "legacy") {
		t.Errorf("report = %+v, want DriftUnknown naming legacy and not up to date", r)
	}
	if s := r.String(); !strings.Contains(s, "drift unknown") {
		t.Errorf("String() = %q, want it to say drift is unknown", s)
	}
}

// migrationsOf writes files and their atlas.sum to a new directory and
// returns it as WithMigrations.
func migrationsOf(t *testing.T, files map[string]string) startup.Option {
	t.Helper()
	dir := t.TempDir()
	ld, err := migrate.NewLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := ld.WriteFile(name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := ld.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(ld, sum); err != nil {
		t.Fatal(err)
	}
	return startup.WithMigrations(os.DirFS(dir))
}
