package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/pgtest"
)

// kill -9 during a file of apply, then of rollback (each in a pg_sleep
// inside its transaction): the database keeps the state before the run
// (rows, columns, revisions), and the next run, once the server has ended
// the dead run's transaction, applies or rolls back exactly once.
func TestPostgresKill(t *testing.T) {
	u := pgtest.NewDB(t)
	bin, err := exec.LookPath("structmigrate")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"atlas.hcl":      "env \"pg\" {\n  url = getenv(\"DATABASE_URL\")\n  migration {\n    dir = \"file://m\"\n  }\n}\n",
		"m/1_a.sql":      `CREATE TABLE "p" ("id" int PRIMARY KEY, "n" int);` + "\n" + `INSERT INTO "p" VALUES (1, 10), (2, 20);` + "\n",
		"m/2_b.sql":      `INSERT INTO "p" VALUES (3, 30);` + "\n" + `SELECT pg_sleep(3);` + "\n" + `ALTER TABLE "p" ADD COLUMN "x" int;` + "\n",
		"m/down/2_b.sql": `ALTER TABLE "p" DROP COLUMN "x";` + "\n" + `SELECT pg_sleep(3);` + "\n" + `DELETE FROM "p" WHERE "id" = 3;` + "\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--env", "pg"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DATABASE_URL="+u)
		return cmd
	}
	mustRun := func(args ...string) string {
		b, err := run(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	state := func() string {
		var s string
		err := db.QueryRow(`SELECT (SELECT string_agg("n"::text, ',' ORDER BY "id") FROM "p") || ' cols=' ||
			(SELECT count(*) FROM information_schema.columns WHERE table_name = 'p') || ' revs=' ||
			(SELECT string_agg(version, ',' ORDER BY version) FROM atlas_schema_revisions.atlas_schema_revisions)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A killed run cannot drop its temporary dev database (rollback makes
	// one): drop those it left, which other tests would count.
	admin, err := sql.Open("pgx", pgtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	devs := func() map[string]bool {
		rows, err := admin.Query(`SELECT datname FROM pg_database WHERE datname LIKE 'structmigrate\_dev\_%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			m[n] = true
		}
		return m
	}
	// killDuring starts args, kills it with SIGKILL while its pg_sleep
	// runs, and waits until the server ended that statement's session.
	killDuring := func(args ...string) {
		had := devs()
		defer func() {
			for n := range devs() {
				if !had[n] {
					if _, err := admin.Exec(`DROP DATABASE IF EXISTS "` + n + `" WITH (FORCE)`); err != nil {
						t.Error(err)
					}
				}
			}
		}()
		cmd := run(args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sleeping := func() bool {
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(3)%' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		}
		for deadline := time.Now().Add(20 * time.Second); !sleeping(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the file's pg_sleep never ran")
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		for deadline := time.Now().Add(20 * time.Second); sleeping(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the killed run's statement still runs")
			}
		}
	}
	mustRun("hash")
	mustRun("apply", "1")
	before := "10,20 cols=2 revs=1"
	if s := state(); s != before {
		t.Fatalf("after apply 1: %s", s)
	}
	killDuring("apply")
	if s := state(); s != before {
		t.Fatalf("after apply was killed: %s, want %s", s, before)
	}
	mustRun("apply")
	after := "10,20,30 cols=3 revs=1,2"
	if s := state(); s != after {
		t.Fatalf("after apply: %s, want %s", s, after)
	}
	killDuring("rollback", "--force")
	if s := state(); s != after {
		t.Fatalf("after rollback was killed: %s, want %s", s, after)
	}
	mustRun("rollback", "--force")
	if s := state(); s != before {
		t.Fatalf("after rollback: %s, want %s", s, before)
	}
}
