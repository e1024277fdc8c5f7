package guard

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/structmigrate/structmigrate/internal/pgtest"
)

var roleSeq atomic.Int64

// TestMain stops the throwaway PostgreSQL cluster a test started.
func TestMain(m *testing.M) { pgtest.Main(m) }

// pgRun measures stmts on a fresh PostgreSQL database holding seed, as
// apply does: digests first, then (where they differ) value by value.
func pgRun(t *testing.T, parallel bool, seed string, stmts ...string) []Loss {
	return pgRunAs(t, parallel, "", seed, stmts...)
}

// pgRunAs is pgRun with the file's transaction run as role (made with
// every privilege on the seeded tables); "": the test server's superuser.
func pgRunAs(t *testing.T, parallel bool, role, seed string, stmts ...string) []Loss {
	t.Helper()
	if role != "" {
		// Roles are the cluster's: one per run, dropped after the
		// database (cleanups run last first).
		role = fmt.Sprintf("%s_%d_%d", role, os.Getpid(), roleSeq.Add(1))
		admin := pgtest.AdminURL(t)
		t.Cleanup(func() {
			if db, err := sql.Open("pgx", admin); err == nil {
				db.Exec(`DROP ROLE IF EXISTS "` + role + `"`)
				db.Close()
			}
		})
	}
	db, err := sql.Open("pgx", pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Exec(seed); err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := db.Exec(`CREATE ROLE "` + role + `"; GRANT ALL ON SCHEMA public TO "` + role + `";
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO %I', r.tablename, '` + role + `');
  END LOOP;
  FOR r IN SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e' LOOP
    EXECUTE format('ALTER TYPE %I OWNER TO %I', r.typname, '` + role + `');
  END LOOP;
END $$`); err != nil {
			t.Fatal(err)
		}
	}
	var detail map[string]bool
	for {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if role != "" {
			if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE "`+role+`"`); err != nil {
				t.Fatal(err)
			}
		}
		o := Options{Name: "f.sql", Detail: detail}
		if parallel {
			o.Reader = db
		}
		u, err := BeginPG(ctx, tx, o)
		if err != nil {
			t.Fatal(err)
		}
		if parallel && u.reader == nil {
			t.Fatal("no reader")
		}
		for _, s := range stmts {
			if err := u.Exec(ctx, s, func() error { _, err := tx.ExecContext(ctx, s); return err }); err != nil {
				t.Fatal(err)
			}
		}
		res, err := u.End(ctx)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Suspects) > 0 && detail == nil {
			detail = res.Suspects
			continue
		}
		return res.Losses
	}
}

const pgSeedSQL = `CREATE TABLE "p" ("id" text PRIMARY KEY, "name" text NOT NULL, "code" varchar(10), "n" int, "note" text);
INSERT INTO "p" VALUES ('p1', 'Ann', 'ABCDE', 1, 'first'), ('p2', 'Bob', 'XYZ', 2, NULL), ('p3', 'Cid', 'LONGER', 3, 'third');`

func TestPGLosses(t *testing.T) {
	for _, c := range []struct {
		stmts []string
		want  string // the losses, one per line
	}{
		{[]string{`ALTER TABLE "p" ALTER COLUMN "code" TYPE varchar(3) USING left("code", 3)`}, `f.sql: column "p"."code": 2 values changed (e.g. id='p1': 'ABCDE' → 'ABC')`},
		{[]string{`ALTER TABLE "p" DROP COLUMN "note"`}, `f.sql: column "p"."note" is dropped with 2 non-NULL values (e.g. id='p1': 'first')`},
		{[]string{`DELETE FROM "p" WHERE "n" = 2`}, `f.sql: table "p" loses 1 row (e.g. id='p2')`},
		{[]string{`DROP TABLE "p"`}, `f.sql: table "p" is dropped with 3 rows`},
		{[]string{`ALTER TABLE "p" ALTER COLUMN "n" TYPE bigint`, `ALTER TABLE "p" ALTER COLUMN "code" TYPE varchar(20)`}, ``},
		{[]string{`ALTER TABLE "p" RENAME COLUMN "id" TO "key"`, `ALTER TABLE "p" RENAME COLUMN "name" TO "label"`, `ALTER TABLE "p" RENAME TO "items"`}, ``},
		// A trigger's write is measured like the file's own.
		{[]string{`CREATE TABLE "q" ("x" int)`, `CREATE FUNCTION "f"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM "p" WHERE "id" = 'p3'; RETURN NEW; END $$`,
			`CREATE TRIGGER "t" AFTER INSERT ON "q" FOR EACH ROW EXECUTE FUNCTION "f"()`, `INSERT INTO "q" VALUES (1)`}, `f.sql: table "p" loses 1 row (e.g. id='p3')`},
		// Names are case-sensitive: "Code" is another column than "code".
		// (Values copied to a new column before being overwritten are
		// kept, by the shared rule: they moved.)
		{[]string{`ALTER TABLE "p" ADD COLUMN "Code" text`, `UPDATE "p" SET "Code" = 'x'`, `UPDATE "p" SET "code" = 'Z'`}, `f.sql: column "p"."code": 3 values changed (e.g. id='p1': 'ABCDE' → 'Z')`},
		{[]string{`ALTER TABLE "p" ADD COLUMN "Code" text`, `UPDATE "p" SET "Code" = "code"`, `UPDATE "p" SET "code" = 'Z'`}, ``},
		// The same number in another type is kept; another text of it, or a
		// truncated one, is not.
		{[]string{`ALTER TABLE "p" ALTER COLUMN "n" TYPE numeric(10,2)`}, ``},
		{[]string{`ALTER TABLE "p" ALTER COLUMN "n" TYPE numeric(10,2) USING "n" + 0.5`}, `f.sql: column "p"."n": 3 values changed (e.g. id='p1': '1' → '1.50')`},
		{[]string{`ALTER TABLE "p" ALTER COLUMN "n" TYPE text USING lpad("n"::text, 3, '0')`}, `f.sql: column "p"."n": 3 values changed (e.g. id='p1': '1' → '001')`},
		{[]string{`TRUNCATE "p"`}, `f.sql: table "p" loses 3 rows (e.g. id='p1')`},
		{[]string{`UPDATE "p" SET "note" = 'x' WHERE "note" IS NULL`, `INSERT INTO "p" ("id", "name") VALUES ('p4', 'Dan')`}, ``},
	} {
		// On the file's transaction, and (apply's way) on a second
		// connection from its snapshot while the statements run; as a
		// superuser and as a role that cannot turn track_counts off (the
		// guard then trusts the row counters to skip unwritten tables).
		for _, mode := range []struct {
			parallel bool
			role     string
		}{{false, ""}, {true, ""}, {false, "app"}} {
			parallel := mode.parallel
			if mode.role != "" && strings.Contains(strings.Join(c.stmts, ";"), "CREATE FUNCTION") {
				continue // the role may not create in public's functions as owner of the trigger; covered as superuser
			}
			var got []string
			for _, l := range pgRunAs(t, parallel, mode.role, pgSeedSQL, c.stmts...) {
				got = append(got, l.String())
			}
			if g := strings.Join(got, "\n"); g != c.want {
				t.Errorf("%s (parallel %v, role %q):\n got %s\nwant %s", strings.Join(c.stmts, "; "), parallel, mode.role, g, c.want)
			}
		}
	}
}

// A table without a primary key is compared by whole rows.
func TestPGUnkeyed(t *testing.T) {
	seed := `CREATE TABLE "log" ("at" int, "msg" text); INSERT INTO "log" VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, NULL);`
	for _, c := range []struct {
		stmts []string
		want  string
	}{
		{[]string{`DELETE FROM "log" WHERE ctid = (SELECT min(ctid) FROM "log" WHERE "at" = 2)`}, `f.sql: table "log" loses 1 row (e.g. at='2', msg='b')`},
		{[]string{`UPDATE "log" SET "msg" = 'z' WHERE "at" = 1`}, `f.sql: column "log"."msg": 1 value changed (e.g. 'a')`},
		{[]string{`UPDATE "log" SET "msg" = 'c' WHERE "msg" IS NULL`, `INSERT INTO "log" VALUES (4, 'd')`, `ALTER TABLE "log" ADD COLUMN "id" serial PRIMARY KEY`}, ``},
	} {
		var got []string
		for _, l := range pgRun(t, true, seed, c.stmts...) {
			got = append(got, l.String())
		}
		if g := strings.Join(got, "\n"); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", strings.Join(c.stmts, "; "), g, c.want)
		}
	}
}

// BenchmarkPGGuard is the guard's cost per file on a 100k-row table: the
// digests of a file that does not touch it (one scan), and of one that
// updates a row of it (two scans; the digests differ, so a detail run
// would follow: not included); and of a file that updates every row,
// with the state before digested on the file's transaction or alongside
// it (apply's way).
func BenchmarkPGGuard(b *testing.B) {
	db, err := sql.Open("pgx", pgtest.NewDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE "big" ("id" bigint PRIMARY KEY, "name" text, "n" int, "at" timestamptz, "note" text);
INSERT INTO "big" SELECT i, 'name ' || i, i % 100, now(), CASE WHEN i % 3 = 0 THEN NULL ELSE md5(i::text) END FROM generate_series(1, 100000) i`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, stmt string
		parallel   bool
	}{
		{"untouched", `CREATE TABLE "other" ("x" int)`, false},
		{"update", `UPDATE "big" SET "n" = 7 WHERE "id" = 1`, false},
		// The state before digested on a second connection while a long
		// UPDATE runs.
		{"update-all", `UPDATE "big" SET "n" = "n" + 1`, false},
		{"update-all-parallel", `UPDATE "big" SET "n" = "n" + 1`, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			o := Options{Name: "f.sql"}
			if c.parallel {
				o.Reader = db
			}
			for i := 0; i < b.N; i++ {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				u, err := BeginPG(ctx, tx, o)
				if err != nil {
					b.Fatal(err)
				}
				if err := u.Exec(ctx, c.stmt, func() error { _, err := tx.ExecContext(ctx, c.stmt); return err }); err != nil {
					b.Fatal(err)
				}
				if _, err := u.End(ctx); err != nil {
					b.Fatal(err)
				}
				tx.Rollback()
			}
		})
	}
}

// Values are hashed by their bytes: a column whose collation calls 'Ann'
// and 'ANN' equal still has a changed value.
func TestPGNondeterministicCollation(t *testing.T) {
	seed := `CREATE COLLATION "ci" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE "p" ("id" text COLLATE "ci" PRIMARY KEY, "name" text COLLATE "ci");
INSERT INTO "p" VALUES ('p1', 'Ann');`
	var got []string
	for _, l := range pgRun(t, false, seed, `UPDATE "p" SET "name" = 'ANN'`) {
		got = append(got, l.String())
	}
	if want := `f.sql: column "p"."name": 1 value changed (e.g. id='p1': 'Ann' → 'ANN')`; strings.Join(got, "\n") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A file that changes how values render (a float rounded to 0 digits
// hides a changed value) changes no digest: the guard renders with its
// own settings, before and after.
func TestPGRenderingPinned(t *testing.T) {
	seed := `CREATE TABLE "m" ("id" int PRIMARY KEY, "f" float8, "at" timestamptz); INSERT INTO "m" VALUES (1, 0.1, '2026-01-01 00:00:00+00');`
	for _, parallel := range []bool{false, true} {
		var got []string
		for _, l := range pgRun(t, parallel, seed, `SET extra_float_digits = -15`, `SET TimeZone = 'Asia/Tokyo'`, `UPDATE "m" SET "f" = "f" + 1e-12`) {
			got = append(got, l.String())
		}
		if want := `f.sql: column "m"."f": 1 value changed (e.g. id='1': '0.1' → '0.10000000000100001')`; strings.Join(got, "\n") != want {
			t.Errorf("parallel %v: got %q, want %q", parallel, got, want)
		}
	}
}

// A superuser's file can turn the row counters off: the guard then scans
// every table again instead of trusting them.
func TestPGCountersOff(t *testing.T) {
	var got []string
	for _, l := range pgRun(t, false, pgSeedSQL, `SET LOCAL track_counts = off`, `DELETE FROM "p" WHERE "id" = 'p2'`, `SET LOCAL track_counts = on`) {
		got = append(got, l.String())
	}
	if want := `f.sql: table "p" loses 1 row (e.g. id='p2')`; strings.Join(got, "\n") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A change of what a column's values read as, with no row written: an
// enum value renamed changes every row holding it (in a column, an array,
// a domain over a domain). The role's row counters
// see no write: the guard must not skip the table (it did, as a role).
func TestPGEnumRenamed(t *testing.T) {
	seed := `CREATE TYPE "mood" AS ENUM ('happy', 'sad');
CREATE DOMAIN "d1" AS "mood"; CREATE DOMAIN "d2" AS "d1";
CREATE TABLE "m" ("id" int PRIMARY KEY, "v" "mood", "vs" "mood"[]);
CREATE TABLE "n" ("id" int PRIMARY KEY, "v" "d2");
INSERT INTO "m" VALUES (1, 'happy', '{happy}'), (2, 'sad', '{}'), (3, NULL, NULL);
INSERT INTO "n" VALUES (1, 'sad'), (2, 'happy');`
	for _, role := range []string{"", "app"} {
		var got []string
		for _, l := range pgRunAs(t, false, role, seed, `ALTER TYPE "mood" RENAME VALUE 'happy' TO 'glad'`) {
			got = append(got, l.String())
		}
		want := `f.sql: column "m"."v": 1 value changed (e.g. id='1': 'happy' → 'glad')` + "\n" +
			`f.sql: column "m"."vs": 1 value changed (e.g. id='1': '{happy}' → '{glad}')` + "\n" +
			`f.sql: column "n"."v": 1 value changed (e.g. id='2': 'happy' → 'glad')`
		if g := strings.Join(got, "\n"); g != want {
			t.Errorf("role %q:\n got %s\nwant %s", role, g, want)
		}
	}
}
