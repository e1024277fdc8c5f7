package startup_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/startup"
)

// On PostgreSQL, replicas starting together (each with its own pool)
// apply the embedded migrations/postgres once: every Apply succeeds and
// reports the last version, one row per version, the seed once.
func TestPostgresReplicasApply(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	const replicas = 8
	reports := make([]*startup.Report, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			reports[i], errs[i] = startup.Apply(ctx, db)
		}()
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if r := reports[i]; r.Current != "20261130042120" || len(r.Pending) != 0 || r.Error != "" {
			t.Fatalf("replica %d: %s", i, r)
		}
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var revs, players int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions), (SELECT count(*) FROM "players")`).Scan(&revs, &players); err != nil {
		t.Fatal(err)
	}
	if revs != 2 || players != 25 {
		t.Fatalf("%d revision rows (want 2), %d players (want 25)", revs, players)
	}
}

// Through GORM's postgres dialector: Check reports the pending files,
// ApplyGORM applies them; the options PostgreSQL does not support yet
// are refused, and a pool of one connection too (the lock holds one).
func TestPostgresGORM(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	gdb, err := gorm.Open(postgres.Open(u), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	r, err := startup.CheckGORM(ctx, gdb)
	if err != nil {
		t.Fatal(err)
	}
	if r.Current != "" || len(r.Pending) != 2 {
		t.Fatalf("check on a fresh database: %s", r)
	}
	sqlDB.SetMaxOpenConns(1)
	if _, err := startup.ApplyGORM(ctx, gdb); err == nil || !strings.Contains(err.Error(), "needs two connections") {
		t.Fatalf("one connection: %v", err)
	}
	sqlDB.SetMaxOpenConns(0)
	if r, err = startup.ApplyGORM(ctx, gdb); err != nil {
		t.Fatal(err)
	}
	// The models are the project's (schema.Models()): the committed
	// PostgreSQL history is the sample's, so they match it only while the
	// sample Player model is there; a team that replaced it (make
	// test-template) has structs drift here until it generates its own.
	if _, err := os.Stat("../schema/player.go"); err != nil {
		r.StructsDrift = nil
	}
	if !r.UpToDate() || r.Current != "20261130042120" {
		t.Fatalf("after ApplyGORM: %s", r)
	}
}

// devDatabases lists the temporary dev databases on the test server.
func devDatabases(t *testing.T) []string {
	t.Helper()
	admin, err := sql.Open("pgx", pgtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	rows, err := admin.Query(`SELECT datname FROM pg_database WHERE datname LIKE 'structmigrate\_dev\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

type pgDriftModel struct {
	ID   int64
	Name string
}

func (pgDriftModel) TableName() string { return "t" }

// On PostgreSQL the report has the drift, as on SQLite: computed on a
// temporary database the app's pool makes on its server and drops. A
// role that may not create one still starts: the versions are reported
// and DriftUnknown says why there is no drift (the report is not up to
// date); so does a directory that does not replay.
func TestPostgresDrift(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	one := map[string]string{"20260101000001_t.sql": `CREATE TABLE "t" ("id" bigint NOT NULL, PRIMARY KEY ("id"));` + "\n"}
	r, err := startup.Apply(ctx, db, migrationsOf(t, one), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != "20260101000001" {
		t.Fatalf("after Apply: %s", r)
	}
	// Structs drift: the models have a column the directory lacks.
	r, err = startup.Check(ctx, db, migrationsOf(t, one), startup.WithModels(&pgDriftModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || !strings.Contains(strings.Join(r.StructsDrift, "\n"), `"name"`) || len(r.DatabaseDrift) > 0 {
		t.Errorf("structs drift: %+v", r)
	}
	// Database drift: a column added by hand.
	if _, err := db.Exec(`ALTER TABLE "t" ADD COLUMN "x" integer`); err != nil {
		t.Fatal(err)
	}
	r, err = startup.Check(ctx, db, migrationsOf(t, one), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || !strings.Contains(strings.Join(r.DatabaseDrift, "\n"), `"x"`) || r.DriftUnknown != "" {
		t.Errorf("database drift: %+v", r)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Errorf("temporary dev databases left: %v", left)
	}

	// A directory whose file 2 reads a table only the live database has.
	if _, err := db.Exec(`ALTER TABLE "t" DROP COLUMN "x"; CREATE TABLE "legacy" ("id" bigint); INSERT INTO "legacy" VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	two := map[string]string{
		"20260101000001_t.sql":    one["20260101000001_t.sql"],
		"20260101000002_copy.sql": `INSERT INTO "t" ("id") SELECT "id" FROM "legacy";` + "\n",
	}
	r, err = startup.Apply(ctx, db, migrationsOf(t, two), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if r.Current != "20260101000002" || r.UpToDate() || !strings.Contains(r.DriftUnknown, "does not replay") || !strings.Contains(r.DriftUnknown, "legacy") {
		t.Errorf("a directory that does not replay: %+v", r)
	}

	// A role without CREATEDB: the versions, and why there is no drift.
	role := fmt.Sprintf("nocreatedb_%d", os.Getpid())
	if _, err := db.Exec(fmt.Sprintf(`CREATE ROLE %q LOGIN NOCREATEDB; GRANT SELECT ON ALL TABLES IN SCHEMA public, atlas_schema_revisions TO %[1]q; GRANT USAGE ON SCHEMA atlas_schema_revisions TO %[1]q`, role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before the database is dropped (NewDB's cleanup)
		db, err := sql.Open("pgx", u)
		if err == nil {
			_, err = db.Exec(fmt.Sprintf(`DROP OWNED BY %q; DROP ROLE %[1]q`, role))
			db.Close()
		}
		if err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	ru, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	ru.User = url.User(role)
	rdb, err := sql.Open("pgx", ru.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	r, err = startup.Check(ctx, rdb, migrationsOf(t, two), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if r.Current != "20260101000002" || len(r.Pending) > 0 || r.UpToDate() ||
		!strings.Contains(r.DriftUnknown, "permission denied to create database") || !strings.Contains(r.DriftUnknown, "CREATEDB") {
		t.Errorf("without CREATEDB: %+v", r)
	}
	if s := r.String(); !strings.Contains(s, "drift unknown: no dev database") {
		t.Errorf("String() = %q", s)
	}
}

// BenchmarkPostgresCheck is Check on a database at the committed history's
// last version: the versions, and the drift computed on a temporary
// database made and dropped each time (what a readiness probe calling
// Check pays on PostgreSQL).
func BenchmarkPostgresCheck(b *testing.B) {
	u := pgtest.NewDB(b)
	ctx := context.Background()
	db, err := sql.Open("pgx", u)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := startup.Apply(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		r, err := startup.Check(ctx, db)
		if err != nil || r.DriftUnknown != "" {
			b.Fatal(r, err)
		}
	}
}

// WithBaseline adopts a PostgreSQL database made without migrations, as
// on SQLite: it is refused until the schema equals the directory at the
// version (verified on the temporary dev database), then the baseline row
// is the Atlas CLI's and the later files apply.
func TestPostgresBaseline(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	create := `CREATE TABLE "t" ("id" bigint NOT NULL, "name" text NULL, PRIMARY KEY ("id"));` + "\n"
	dir := migrationsOf(t, map[string]string{
		"20260101000001_t.sql":    create,
		"20260101000002_seed.sql": `INSERT INTO "t" ("id", "name") VALUES (1, 'a'), (2, 'b');` + "\n",
	})
	// Made without migrations, and not quite the directory's schema.
	if _, err := db.Exec(`CREATE TABLE "t" ("id" bigint NOT NULL, PRIMARY KEY ("id"))`); err != nil {
		t.Fatal(err)
	}
	if _, err := startup.Apply(ctx, db, dir, startup.WithModels()); err == nil || !strings.Contains(err.Error(), "not clean") {
		t.Fatalf("Apply without WithBaseline: %v", err)
	}
	if _, err := startup.Apply(ctx, db, dir, startup.WithModels(), startup.WithBaseline("20260101000001")); err == nil || !strings.Contains(err.Error(), `"name"`) {
		t.Fatalf("WithBaseline over another schema: %v", err)
	}
	if _, err := db.Exec(`ALTER TABLE "t" ADD COLUMN "name" text NULL`); err != nil {
		t.Fatal(err)
	}
	r, err := startup.Apply(ctx, db, dir, startup.WithModels(), startup.WithBaseline("20260101000001"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != "20260101000002" {
		t.Fatalf("after WithBaseline: %s", r)
	}
	var rows, baseline int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM "t"), (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = '20260101000001' AND type = 1)`).Scan(&rows, &baseline); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || baseline != 1 {
		t.Errorf("%d rows (want 2), %d baseline rows (want 1)", rows, baseline)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Errorf("temporary dev databases left: %v", left)
	}
}

// Replicas starting together with WithBaseline on a database made
// without migrations: one adopts it under the lock, the others then find
// the history and apply nothing; a role without CREATEDB is refused in
// one line (the baseline cannot be verified without a dev database).
func TestPostgresBaselineReplicas(t *testing.T) {
	ctx := context.Background()
	u := pgtest.NewDB(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := map[string]string{
		"20260101000001_t.sql":    `CREATE TABLE "t" ("id" bigint NOT NULL, PRIMARY KEY ("id"));` + "\n",
		"20260101000002_seed.sql": `INSERT INTO "t" ("id") VALUES (1), (2);` + "\n",
	}
	if _, err := db.Exec(`CREATE TABLE "t" ("id" bigint NOT NULL, PRIMARY KEY ("id"))`); err != nil {
		t.Fatal(err)
	}

	role := fmt.Sprintf("nobaseline_%d", os.Getpid())
	if _, err := db.Exec(fmt.Sprintf(`CREATE ROLE %q LOGIN NOCREATEDB; GRANT ALL ON SCHEMA public TO %[1]q; GRANT ALL ON ALL TABLES IN SCHEMA public TO %[1]q; GRANT CREATE ON DATABASE %[2]q TO %[1]q`, role, strings.TrimPrefix(mustURL(t, u).Path, "/"))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", u)
		if err == nil {
			_, err = db.Exec(fmt.Sprintf(`DROP OWNED BY %q; DROP ROLE %[1]q`, role))
			db.Close()
		}
		if err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	ru := mustURL(t, u)
	ru.User = url.User(role)
	rdb, err := sql.Open("pgx", ru.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	_, err = startup.Apply(ctx, rdb, migrationsOf(t, files), startup.WithModels(), startup.WithBaseline("20260101000001"))
	if err == nil || !strings.Contains(err.Error(), "CREATEDB") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("WithBaseline without CREATEDB: %v", err)
	}

	const replicas = 8
	errs := make([]error, replicas)
	reports := make([]*startup.Report, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			reports[i], errs[i] = startup.Apply(ctx, db, migrationsOf(t, files), startup.WithModels(), startup.WithBaseline("20260101000001"))
		}()
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil || !reports[i].UpToDate() || reports[i].Current != "20260101000002" {
			t.Fatalf("replica %d: %v, %v", i, reports[i], errs[i])
		}
	}
	var rows, revs int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM "t"), (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions)`).Scan(&rows, &revs); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || revs != 2 {
		t.Errorf("%d rows (want 2), %d revision rows (want 2: the baseline and the seed)", rows, revs)
	}
	if left := devDatabases(t); len(left) > 0 {
		t.Errorf("temporary dev databases left: %v", left)
	}
}
