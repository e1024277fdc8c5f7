package startup_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/startup"
)

// attackOne is a one-file directory and the model it matches.
var attackOne = map[string]string{
	"20260101000001_t.sql": `CREATE TABLE "t" ("id" bigserial NOT NULL, "name" text NULL, PRIMARY KEY ("id"));` + "\n",
}

type attackModel struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
}

func (attackModel) TableName() string { return "t" }

type attackExtra struct{ ID int64 }

func (attackExtra) TableName() string { return "extra" }

// attackOpen opens u with the pgx driver, closed when t ends.
func attackOpen(t *testing.T, u string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// noDevLeft fails t when a temporary dev database is left on the server,
// or when db's pool has a connection in use.
func noDevLeft(t *testing.T, db *sql.DB) {
	t.Helper()
	if left := devDatabases(t); len(left) > 0 {
		t.Errorf("temporary dev databases left: %v", left)
	}
	if db != nil {
		if n := db.Stats().InUse; n != 0 {
			t.Errorf("%d connections of the app's pool still in use", n)
		}
	}
}

// oneLine fails t when s spans lines.
func oneLine(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, "\n") {
		t.Errorf("%s spans lines: %q", what, s)
	}
}

// addRole makes a login role on u's server, dropped when t ends.
func addRole(t *testing.T, u, role, attrs string) string {
	t.Helper()
	admin := attackOpen(t, pgtest.AdminURL(t))
	if _, err := admin.Exec(fmt.Sprintf(`CREATE ROLE %q LOGIN %s`, role, attrs)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", u)
		if err == nil {
			_, err = db.Exec(fmt.Sprintf(`REASSIGN OWNED BY %q TO postgres; DROP OWNED BY %[1]q`, role))
			db.Close()
		}
		if err == nil {
			_, err = admin.Exec(fmt.Sprintf(`DROP ROLE %q`, role))
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
	return ru.String()
}

// attackApp is a directory whose first file makes the app's schema: with
// search_path=app, its tables go there.
var attackApp = map[string]string{
	"20260101000001_t.sql": `CREATE SCHEMA "app";
CREATE TABLE "t" ("id" bigserial NOT NULL, "name" text NULL, PRIMARY KEY ("id"));
`,
}

// An app whose DSN sets search_path to its own schema, which its first
// file makes: the files run there, and Check must then say up to date
// (the dev database has no such schema until the replay makes it).
func TestAttackSearchPathDSN(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	admin := attackOpen(t, u)
	for _, q := range []string{"search_path=app", "options=-c%20search_path%3Dapp"} {
		t.Run(q, func(t *testing.T) {
			if _, err := admin.Exec(`DROP SCHEMA IF EXISTS "atlas_schema_revisions" CASCADE; DROP SCHEMA IF EXISTS "app" CASCADE`); err != nil {
				t.Fatal(err)
			}
			db := attackOpen(t, u+"&"+q)
			r, err := startup.Apply(ctx, db, migrationsOf(t, attackApp), startup.WithModels(&attackModel{}))
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := admin.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'app' AND tablename = 't'`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("app.t: %d %v", n, err)
			}
			if !r.UpToDate() {
				t.Errorf("after Apply: %s", r)
			}
			r, err = startup.Check(ctx, db, migrationsOf(t, attackApp), startup.WithModels(&attackModel{}))
			if err != nil {
				t.Fatal(err)
			}
			if !r.UpToDate() {
				t.Errorf("Check: %s", r)
			}
			if _, err := admin.Exec(`ALTER TABLE "app"."t" ADD COLUMN "x" int`); err != nil {
				t.Fatal(err)
			}
			r, err = startup.Check(ctx, db, migrationsOf(t, attackApp), startup.WithModels(&pgDriftModel{}, &attackExtra{}))
			if err != nil {
				t.Fatal(err)
			}
			if r.UpToDate() || !strings.Contains(strings.Join(r.DatabaseDrift, ";"), `"x"`) || !strings.Contains(strings.Join(r.StructsDrift, ";"), `"extra"`) {
				t.Errorf("Check with drift: %+v", r)
			}
			noDevLeft(t, db)
		})
	}
}

// The same with the role's own search_path (ALTER ROLE … SET search_path),
// a common way to put an app in its schema.
func TestAttackSearchPathRole(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	role := fmt.Sprintf("sp_%d", os.Getpid())
	ru := addRole(t, u, role, "CREATEDB")
	admin := attackOpen(t, u)
	if _, err := admin.Exec(fmt.Sprintf(`ALTER ROLE %q SET search_path = app; GRANT CREATE ON DATABASE %q TO %[1]q`, role, strings.TrimPrefix(mustURL(t, u).Path, "/"))); err != nil {
		t.Fatal(err)
	}
	db := attackOpen(t, ru)
	r, err := startup.Apply(ctx, db, migrationsOf(t, attackApp), startup.WithModels(&attackModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() {
		t.Errorf("after Apply: %s", r)
	}
	noDevLeft(t, db)
}

func mustURL(t *testing.T, u string) *url.URL {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// application_name, and the three ways an app opens its pool: each is up
// to date after Apply, and each sees a hand-made column.
func TestAttackPoolKinds(t *testing.T) {
	ctx := context.Background()
	open := map[string]func(t *testing.T, u string) *sql.DB{
		"sql.Open": attackOpen,
		"stdlib.OpenDB": func(t *testing.T, u string) *sql.DB {
			cfg, err := pgx.ParseConfig(u)
			if err != nil {
				t.Fatal(err)
			}
			db := stdlib.OpenDB(*cfg)
			t.Cleanup(func() { db.Close() })
			return db
		},
		"gorm.Open": func(t *testing.T, u string) *sql.DB {
			gdb, err := gorm.Open(postgres.Open(u), &gorm.Config{})
			if err != nil {
				t.Fatal(err)
			}
			db, err := gdb.DB()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
	for name, o := range open {
		t.Run(name, func(t *testing.T) {
			u := pgtest.NewDB(t) + "&application_name=attack"
			db := o(t, u)
			r, err := startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
			if err != nil {
				t.Fatal(err)
			}
			if !r.UpToDate() {
				t.Errorf("after Apply: %s", r)
			}
			if _, err := db.Exec(`ALTER TABLE "t" ADD COLUMN "x" int`); err != nil {
				t.Fatal(err)
			}
			r, err = startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
			if err != nil {
				t.Fatal(err)
			}
			if r.UpToDate() || !strings.Contains(strings.Join(r.DatabaseDrift, ";"), `"x"`) {
				t.Errorf("hand-made column: %s", r)
			}
			noDevLeft(t, db)
		})
	}
}

// Hand-made changes of every kind are database drift.
func TestAttackHandMade(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{
		"20260101000001_t.sql": `CREATE TYPE "mood" AS ENUM ('sad', 'happy');
CREATE TABLE "t" ("id" bigint NOT NULL, "n" integer NOT NULL DEFAULT 1, "m" "mood" NULL, PRIMARY KEY ("id"));
`,
	}
	changes := map[string]string{
		"index":    `CREATE INDEX "t_n" ON "t" ("n")`,
		"table":    `CREATE TABLE "extra" ("id" int)`,
		"default":  `ALTER TABLE "t" ALTER COLUMN "n" SET DEFAULT 2`,
		"enum col": `CREATE TYPE "color" AS ENUM ('red'); ALTER TABLE "t" ADD COLUMN "c" "color"`,
		"not null": `ALTER TABLE "t" ALTER COLUMN "n" DROP NOT NULL`,
		"check":    `ALTER TABLE "t" ADD CONSTRAINT "pos" CHECK ("n" > 0)`,
		"drop col": `ALTER TABLE "t" DROP COLUMN "m"`,
	}
	u := pgtest.NewDB(t)
	db := attackOpen(t, u)
	for name, stmt := range changes {
		t.Run(name, func(t *testing.T) {
			if _, err := db.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS atlas_schema_revisions CASCADE`); err != nil {
				t.Fatal(err)
			}
			r, err := startup.Apply(ctx, db, migrationsOf(t, files), startup.WithModels())
			if err != nil {
				t.Fatal(err)
			}
			if !r.UpToDate() {
				t.Fatalf("after Apply: %s", r)
			}
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			r, err = startup.Check(ctx, db, migrationsOf(t, files), startup.WithModels())
			if err != nil {
				t.Fatal(err)
			}
			if r.UpToDate() || len(r.DatabaseDrift) == 0 {
				t.Errorf("%s: %s", stmt, r)
			}
		})
	}
	noDevLeft(t, db)
}

// A value added by hand to an enum the directory made is database drift.
func TestAttackEnumValue(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{
		"20260101000001_t.sql": `CREATE TYPE "mood" AS ENUM ('sad', 'happy');
CREATE TABLE "t" ("id" bigint NOT NULL, "m" "mood" NULL, PRIMARY KEY ("id"));
`,
	}
	db := attackOpen(t, pgtest.NewDB(t))
	if _, err := startup.Apply(ctx, db, migrationsOf(t, files), startup.WithModels()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TYPE "mood" ADD VALUE 'ok'`); err != nil {
		t.Fatal(err)
	}
	r, err := startup.Check(ctx, db, migrationsOf(t, files), startup.WithModels())
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || !slices.Contains(r.DatabaseDrift, `-- the enum type "mood" has the labels ('sad', 'happy', 'ok') where it should have ('sad', 'happy'): PostgreSQL cannot drop or reorder labels; recreate the type`) {
		t.Errorf("an enum value added by hand: %s", r)
	}
}

// The temporary dev database is dropped when the ctx ends at any moment,
// and the app's pool gets its connections back.
func TestAttackCancel(t *testing.T) {
	u := pgtest.NewDB(t)
	db := attackOpen(t, u)
	if _, err := startup.Apply(context.Background(), db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{})); err != nil {
		t.Fatal(err)
	}
	dir := migrationsOf(t, attackOne)
	for _, d := range []time.Duration{0, time.Microsecond, 100 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond,
		5 * time.Millisecond, 8 * time.Millisecond, 12 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond,
		80 * time.Millisecond, 120 * time.Millisecond, 200 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		r, err := startup.Check(ctx, db, dir, startup.WithModels(&attackModel{}))
		cancel()
		if err != nil {
			oneLine(t, "error", err.Error())
		} else if !r.UpToDate() {
			t.Errorf("%s: a report that is not up to date: %s", d, r)
		}
		noDevLeft(t, db)
	}
}

// AutoMigrate failing on the dev database, and a directory that does not
// replay: the dev database is dropped, the message is one line.
func TestAttackErrorPaths(t *testing.T) {
	type badModel struct {
		ID int64
		X  string `gorm:"type:no_such_type"`
	}
	u := pgtest.NewDB(t)
	ctx := context.Background()
	db := attackOpen(t, u)
	if _, err := startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels()); err != nil {
		t.Fatal(err)
	}
	// The structs drift is unknown, said in one line; no error.
	r, err := startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&badModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || !strings.Contains(r.DriftUnknown, "no_such_type") {
		t.Errorf("a model that does not migrate: %+v", r)
	}
	oneLine(t, "DriftUnknown", r.DriftUnknown)
	noDevLeft(t, db)
	bad := map[string]string{
		"20260101000001_t.sql": attackOne["20260101000001_t.sql"],
		"20260101000002_x.sql": `INSERT INTO "nowhere" VALUES (1);` + "\n",
	}
	if _, err := db.Exec(`CREATE TABLE "nowhere" ("id" int)`); err != nil {
		t.Fatal(err)
	}
	r, err = startup.Apply(ctx, db, migrationsOf(t, bad), startup.WithModels(&attackModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || r.DriftUnknown == "" {
		t.Errorf("does not replay: %s", r)
	}
	oneLine(t, "DriftUnknown", r.DriftUnknown)
	noDevLeft(t, db)
}

// Pools of one and two connections.
func TestAttackPoolLimits(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			u := pgtest.NewDB(t)
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			setup := attackOpen(t, u)
			if _, err := startup.Apply(ctx, setup, migrationsOf(t, attackOne), startup.WithModels()); err != nil {
				t.Fatal(err)
			}
			db := attackOpen(t, u)
			db.SetMaxOpenConns(n)
			r, err := startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
			if err != nil {
				t.Fatal(err)
			}
			if !r.UpToDate() {
				t.Errorf("Check: %s", r)
			}
			if n == 2 {
				if r, err = startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{})); err != nil || !r.UpToDate() {
					t.Errorf("Apply: %v %v", r, err)
				}
			}
			noDevLeft(t, db)
		})
	}
}

// 8 concurrent Checks on one pool; 8 concurrent Applies on one fresh
// database through one pool: one applies, every report is the same.
func TestAttackConcurrent(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	db := attackOpen(t, u)
	dir := migrationsOf(t, attackOne)
	const n = 8
	reports := make([]*startup.Report, n)
	errs := make([]error, n)
	logs := make([]strings.Builder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = startup.Apply(ctx, db, dir, startup.WithModels(&attackModel{}), startup.WithLog(&logs[i]))
		}()
	}
	wg.Wait()
	applied := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("apply %d: %v", i, errs[i])
		}
		if !reports[i].UpToDate() || reports[i].Current != "20260101000001" {
			t.Errorf("apply %d: %s", i, reports[i])
		}
		if strings.Contains(logs[i].String(), "CREATE TABLE") {
			applied++
		}
	}
	if applied != 1 {
		t.Errorf("%d runs applied the file", applied)
	}
	noDevLeft(t, db)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = startup.Check(ctx, db, dir, startup.WithModels(&attackModel{}))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !reports[i].UpToDate() {
			t.Errorf("check %d: %v %v", i, reports[i], errs[i])
		}
	}
	noDevLeft(t, db)
}

// Check changes nothing on the target: a dump before and after is the
// same, as are the server's databases and roles.
func TestAttackCheckChangesNothing(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	db := attackOpen(t, u)
	if _, err := startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO "t" ("name") VALUES ('a'), ('b'); ALTER TABLE "t" ADD COLUMN "x" int`); err != nil {
		t.Fatal(err)
	}
	dump := func() string {
		out, err := exec.Command("/usr/lib/postgresql/15/bin/pg_dump", "--no-sync", u).CombinedOutput()
		if err != nil {
			t.Skipf("pg_dump: %v: %s", err, out)
		}
		var dbs string
		if err := db.QueryRow(`SELECT string_agg(datname, ',' ORDER BY datname) || '|' || (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles) FROM pg_database`).Scan(&dbs); err != nil {
			t.Fatal(err)
		}
		var keep []string
		for _, l := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(l, `\restrict`) && !strings.HasPrefix(l, `\unrestrict`) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n") + dbs
	}
	before := dump()
	for _, models := range [][]any{nil, {&attackModel{}}, {&attackModel{}, &attackExtra{}}} {
		r, err := startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels(models...))
		if err != nil || r.UpToDate() {
			t.Fatalf("Check: %v %v", r, err)
		}
	}
	if after := dump(); after != before {
		t.Errorf("Check changed the database:\n%s\n----\n%s", before, after)
	}
	noDevLeft(t, db)
}

// setHBA replaces the test cluster's pg_hba.conf with lines (the admin
// role keeps trust) until t ends.
func setHBA(t *testing.T, lines ...string) {
	t.Helper()
	if !pgtest.Throwaway(t) {
		t.Skip("pg_hba.conf is rewritten only on the throwaway cluster, never on a server named by " + pgtest.EnvVar)
	}
	admin := attackOpen(t, pgtest.AdminURL(t))
	var path string
	if err := admin.QueryRow(`SHOW hba_file`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("pg_hba.conf: %v", err)
	}
	reload := func() {
		if _, err := admin.Exec(`SELECT pg_reload_conf()`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Error(err)
		}
		reload()
	})
	body := "local all all trust\nhost all postgres 127.0.0.1/32 trust\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Skipf("pg_hba.conf: %v", err)
	}
	reload()
}

// A password-authenticated role (scram-sha-256) gets the drift: the dev
// database's connections carry the password; a role that pg_hba lets
// only into the app's database gets DriftUnknown, one line, nothing left.
func TestAttackPasswordAuth(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	dbname := strings.TrimPrefix(mustURL(t, u).Path, "/")
	pw := fmt.Sprintf("pw_%d", os.Getpid())
	only := fmt.Sprintf("only_%d", os.Getpid())
	pu := addRole(t, u, pw, "CREATEDB PASSWORD 's3cret'")
	ou := addRole(t, u, only, "CREATEDB PASSWORD 's3cret'")
	admin := attackOpen(t, u)
	if _, err := admin.Exec(fmt.Sprintf(`GRANT CREATE ON DATABASE %q TO %q, %q; GRANT ALL ON SCHEMA public TO %[2]q, %[3]q`, dbname, pw, only)); err != nil {
		t.Fatal(err)
	}
	setHBA(t,
		fmt.Sprintf("host %s %s 127.0.0.1/32 scram-sha-256", dbname, only),
		fmt.Sprintf("host all %s 127.0.0.1/32 reject", only),
		"host all all 127.0.0.1/32 scram-sha-256")
	withPW := func(s string) string {
		p := mustURL(t, s)
		p.User = url.UserPassword(p.User.Username(), "s3cret")
		return p.String()
	}
	// The password is checked.
	nopw := attackOpen(t, pu)
	if err := nopw.Ping(); err == nil {
		t.Fatal("pg_hba.conf not in force: a role without its password connects")
	}
	db := attackOpen(t, withPW(pu))
	r, err := startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() {
		t.Errorf("password role after Apply: %s", r)
	}
	if _, err := db.Exec(`ALTER TABLE "t" ADD COLUMN "x" int`); err != nil {
		t.Fatal(err)
	}
	if r, err = startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{})); err != nil || r.UpToDate() || len(r.DatabaseDrift) == 0 {
		t.Errorf("password role, hand-made column: %v %v", r, err)
	}
	noDevLeft(t, db)

	if _, err := db.Exec(fmt.Sprintf(`GRANT USAGE ON SCHEMA atlas_schema_revisions TO %q; GRANT SELECT ON ALL TABLES IN SCHEMA public, atlas_schema_revisions TO %[1]q`, only)); err != nil {
		t.Fatal(err)
	}
	odb := attackOpen(t, withPW(ou))
	r, err = startup.Check(ctx, odb, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if r.UpToDate() || r.DriftUnknown == "" || r.Current != "20260101000001" {
		t.Errorf("role kept out of the dev database: %+v", r)
	}
	oneLine(t, "DriftUnknown", r.DriftUnknown)
	if strings.Contains(r.DriftUnknown, "s3cret") {
		t.Errorf("DriftUnknown shows the password: %s", r.DriftUnknown)
	}
	noDevLeft(t, odb)
}

// The ctx ends while CREATE DATABASE waits (a lock on template0 holds it
// up), and while a file replays: the dev database is dropped, the error
// is one line, the app's pool gets its connections back.
func TestAttackCancelMidway(t *testing.T) {
	u := pgtest.NewDB(t)
	db := attackOpen(t, u)
	slow := map[string]string{
		"20260101000001_t.sql":    attackOne["20260101000001_t.sql"],
		"20260101000002_slow.sql": "SELECT pg_sleep(1.5);\n",
	}
	if _, err := startup.Apply(context.Background(), db, migrationsOf(t, slow), startup.WithModels()); err != nil {
		t.Fatal(err)
	}
	t.Run("replay", func(t *testing.T) {
		for _, models := range [][]any{nil, {&attackModel{}}} {
			ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			start := time.Now()
			r, err := startup.Check(ctx, db, migrationsOf(t, slow), startup.WithModels(models...))
			cancel()
			took := time.Since(start)
			if err == nil {
				t.Errorf("a ctx that ends in the replay: no error, %s", r)
			} else {
				t.Logf("%s: %v", took, err)
				oneLine(t, "error", err.Error())
			}
			if took > 1400*time.Millisecond {
				t.Errorf("Check took %s on a 700ms ctx", took)
			}
			noDevLeft(t, db)
		}
	})
	t.Run("create", func(t *testing.T) {
		admin := attackOpen(t, pgtest.AdminURL(t))
		tx, err := admin.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`COMMENT ON DATABASE template0 IS 'held'`); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(1500 * time.Millisecond)
			tx.Rollback()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		r, err := startup.Check(ctx, db, migrationsOf(t, attackOne), startup.WithModels())
		t.Logf("%s: %v %v", time.Since(start), r, err)
		if err == nil {
			t.Errorf("a ctx that ends in CREATE DATABASE: no error, %s", r)
		} else {
			oneLine(t, "error", err.Error())
		}
		noDevLeft(t, db)
	})
}

// A file of several lines that does not replay: String is still one line
// (it is for a log), on SQLite and on PostgreSQL.
func TestAttackReplayErrorOneLine(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		first := map[string]string{"20260101000001_init.sql": "CREATE TABLE `t` (`x` integer NULL);\n"}
		both := map[string]string{
			"20260101000001_init.sql": first["20260101000001_init.sql"],
			"20260101000002_copy.sql": "INSERT INTO `t` (`x`)\n  SELECT `x`\n  FROM `legacy`;\n",
		}
		db := openApp(t, t.TempDir()+"/app.db")
		if _, err := startup.Apply(ctx, db, migrationsOf(t, first), startup.WithModels()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE legacy (x integer)"); err != nil {
			t.Fatal(err)
		}
		r, err := startup.Apply(ctx, db, migrationsOf(t, both), startup.WithModels())
		if err != nil {
			t.Fatal(err)
		}
		if r.DriftUnknown == "" {
			t.Fatalf("no DriftUnknown: %s", r)
		}
		t.Log(r)
		oneLine(t, "String()", r.String())
	})
	t.Run("postgres", func(t *testing.T) {
		db := attackOpen(t, pgtest.NewDB(t))
		both := map[string]string{
			"20260101000001_t.sql":    attackOne["20260101000001_t.sql"],
			"20260101000002_copy.sql": "INSERT INTO \"t\" (\"id\")\n  SELECT \"id\"\n  FROM \"legacy\";\n",
		}
		if _, err := startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE "legacy" ("id" bigint)`); err != nil {
			t.Fatal(err)
		}
		r, err := startup.Apply(ctx, db, migrationsOf(t, both), startup.WithModels(&attackModel{}))
		if err != nil {
			t.Fatal(err)
		}
		if r.DriftUnknown == "" {
			t.Fatalf("no DriftUnknown: %s", r)
		}
		t.Log(r)
		oneLine(t, "String()", r.String())
		noDevLeft(t, db)
	})
}

// A role without CREATEDB applies, and gets the versions and DriftUnknown;
// 8 of them at once on one fresh database: one applies.
func TestAttackNoCreateDBApply(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	role := fmt.Sprintf("nocdb_%d", os.Getpid())
	ru := addRole(t, u, role, "NOCREATEDB")
	admin := attackOpen(t, u)
	if _, err := admin.Exec(fmt.Sprintf(`GRANT CREATE ON DATABASE %q TO %q; GRANT ALL ON SCHEMA public TO %[2]q`, strings.TrimPrefix(mustURL(t, u).Path, "/"), role)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	reports := make([]*startup.Report, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", ru)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			reports[i], errs[i] = startup.Apply(ctx, db, migrationsOf(t, attackOne), startup.WithModels(&attackModel{}))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("%d: %v", i, errs[i])
		}
		r := reports[i]
		if r.UpToDate() || r.Current != "20260101000001" || len(r.Pending) > 0 || !strings.Contains(r.DriftUnknown, "CREATEDB") {
			t.Errorf("%d: %+v", i, r)
		}
		t.Log(r)
		oneLine(t, "String()", r.String())
	}
	var revs int
	if err := admin.QueryRow(`SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions`).Scan(&revs); err != nil || revs != 1 {
		t.Errorf("%d revision rows, %v", revs, err)
	}
	noDevLeft(t, nil)
}

// A model whose column type a file of the directory makes (an enum):
// AutoMigrate on the empty dev database cannot make it. Apply applied:
// it should not then fail the app's start.
func TestAttackModelTypeFromDirectory(t *testing.T) {
	type moodModel struct {
		ID int64
		M  string `gorm:"type:mood"`
	}
	files := map[string]string{
		"20260101000001_t.sql": `CREATE TYPE "mood" AS ENUM ('sad', 'happy');
CREATE TABLE "mood_models" ("id" bigserial NOT NULL, "m" "mood" NULL, PRIMARY KEY ("id"));
`,
	}
	ctx := context.Background()
	db := attackOpen(t, pgtest.NewDB(t))
	r, err := startup.Apply(ctx, db, migrationsOf(t, files), startup.WithModels(&moodModel{}))
	if err != nil {
		t.Fatalf("Apply applied, then failed: %v", err)
	}
	// The structs drift is unknown (said, not up to date); the database
	// drift is still computed.
	if r.Current != "20260101000001" || r.UpToDate() || !strings.Contains(r.DriftUnknown, "structs drift unknown") || !strings.Contains(r.DriftUnknown, `"mood"`) {
		t.Errorf("report = %+v", r)
	}
	oneLine(t, "DriftUnknown", r.DriftUnknown)
	if _, err := db.Exec(`ALTER TABLE "mood_models" ADD COLUMN "x" int`); err != nil {
		t.Fatal(err)
	}
	if r, err = startup.Check(ctx, db, migrationsOf(t, files), startup.WithModels(&moodModel{})); err != nil || !strings.Contains(strings.Join(r.DatabaseDrift, "\n"), `"x"`) {
		t.Errorf("database drift beside unknown structs drift: %v, %v", r, err)
	}
	noDevLeft(t, db)
}
