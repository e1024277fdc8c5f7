package main

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/pgtest"
)

// TestPostgresScripts runs testdata/postgres/*.txtar, the CLI on a real
// PostgreSQL server: each script gets a fresh database in $DATABASE_URL
// (the committed atlas.hcl's env "pg" reads it), dropped after it. Without
// a server (pgtest) the test is skipped, saying why.
func TestPostgresScripts(t *testing.T) {
	admin := pgtest.AdminURL(t)
	repo, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	var seq atomic.Int64
	testscript.Run(t, testscript.Params{
		Dir: "testdata/postgres",
		// [sample]: the sample Player model and its histories are here
		// (a team that replaced them runs the rest).
		Condition: func(cond string) (bool, error) {
			if cond == "sample" {
				return hasSample(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			name := fmt.Sprintf("script_%d_%d", os.Getpid(), seq.Add(1))
			u, err := pgtest.CreateDB(admin, name)
			if err != nil {
				return err
			}
			env.Defer(func() {
				if err := pgtest.DropDB(admin, name); err != nil {
					env.T().Log(err)
				}
			})
			env.Setenv("DATABASE_URL", u)
			env.Setenv("REPO", repo)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"pgq":           cmdPGQuery,
			"pgstate":       cmdPGState,
			"sqlq":          cmdSQL,
			"pgautomigrate": cmdPGAutoMigrate,
		},
	})
}

// cmdPGQuery runs SQL on $DATABASE_URL: `pgq QUERY` prints the rows, one
// per line with '|' between columns (NULL as "NULL"); `pgq -exec STMT`
// executes a statement.
func cmdPGQuery(ts *testscript.TestScript, neg bool, args []string) {
	out := ts.Stdout()
	var exec bool
	u := ts.Getenv("DATABASE_URL")
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-exec":
			exec = true
		default:
			ts.Fatalf("pgq: unknown flag %s", args[0])
		}
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: pgq [-exec] QUERY")
	}
	db, err := sql.Open("pgx", u)
	ts.Check(err)
	defer db.Close()
	if exec {
		_, err := db.Exec(args[0])
		if neg != (err != nil) {
			ts.Fatalf("pgq -exec: %v (negated: %v)", err, neg)
		}
		return
	}
	rows, err := db.Query(args[0])
	if neg {
		if err == nil {
			rows.Close()
			ts.Fatalf("query succeeded unexpectedly")
		}
		return
	}
	ts.Check(err)
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = "NULL"
			if v.Valid {
				cells[i] = v.String
			}
		}
		fmt.Fprintln(out, strings.Join(cells, "|"))
	}
	ts.Check(rows.Err())
}

// cmdPGState prints the state of $DATABASE_URL that a run which must
// change nothing (a dry run) must leave as it was: every relation outside
// the system schemas with its kind and storage file (a rewrite changes
// it), columns, constraints and indexes as the catalog defines them, every
// table's rows as row text, sorted (the revisions table's included), and
// every sequence's position. `pgstate > FILE` then cmp.
func cmdPGState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pgstate")
	}
	db, err := sql.Open("pgx", ts.Getenv("DATABASE_URL"))
	ts.Check(err)
	defer db.Close()
	lines := func(q string) []string {
		rows, err := db.Query(q)
		ts.Check(err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			ts.Check(rows.Scan(&s))
			out = append(out, s)
		}
		ts.Check(rows.Err())
		return out
	}
	const user = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`
	out := lines(`SELECT concat_ws(' ', 'relation', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind::text, c.relfilenode)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ` + user + ` ORDER BY 1`)
	out = append(out, lines(`SELECT concat_ws(' ', 'column', a.attrelid::regclass, a.attnum, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
	CASE WHEN a.attnotnull THEN 'NOT NULL' END, pg_get_expr(d.adbin, d.adrelid))
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE `+user+` AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`)...)
	out = append(out, lines(`SELECT concat_ws(' ', 'constraint', c.conrelid::regclass, quote_ident(c.conname), pg_get_constraintdef(c.oid))
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE `+user+` ORDER BY 1`)...)
	out = append(out, lines(`SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid)) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE `+user+` ORDER BY 1`)...)
	for _, t := range lines(`SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' || c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ` + user + ` AND c.relkind IN ('r', 'S') ORDER BY 1`) {
		name, kind, _ := strings.Cut(t, " ")
		q := `SELECT 'row ` + strings.ReplaceAll(name, "'", "''") + ` ' || t::text FROM ` + name + ` t ORDER BY 1`
		if kind == "S" {
			q = `SELECT 'sequence ` + strings.ReplaceAll(name, "'", "''") + ` ' || last_value || ' ' || is_called FROM ` + name
		}
		out = append(out, lines(q)...)
	}
	// A first line, so that an empty database has a state too.
	fmt.Fprintln(ts.Stdout(), "database state:")
	for _, l := range out {
		fmt.Fprintln(ts.Stdout(), l)
	}
}

// Many replicas, one migration: in each round, 8 processes of the real CLI
// (this test binary as structmigrate) run `apply` on one fresh database
// at once, as app replicas starting together would. Each version is
// applied exactly once (one revisions row each, the 25 seed rows once),
// exactly one process migrates, every other one waits for the advisory
// lock and then finds nothing to do, and none fails.
func TestPostgresReplicas(t *testing.T) {
	admin := pgtest.AdminURL(t)
	if testing.Short() {
		t.Skip("-short: 20 rounds of 8 processes")
	}
	bin, err := exec.LookPath("structmigrate") // testscript.Main put this binary there
	if err != nil {
		t.Fatal(err)
	}
	const rounds, replicas = 20, 8
	for round := range rounds {
		name := fmt.Sprintf("replicas_%d_%d", os.Getpid(), round)
		u, err := pgtest.CreateDB(admin, name)
		if err != nil {
			t.Fatal(err)
		}
		outs := make([]string, replicas)
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "--env", "pg", "apply")
				cmd.Env = append(os.Environ(), "DATABASE_URL="+u)
				<-start
				b, err := cmd.CombinedOutput()
				outs[i], errs[i] = string(b), err
			}()
		}
		close(start)
		wg.Wait()
		migrated := 0
		for i := range replicas {
			if errs[i] != nil {
				t.Fatalf("round %d, replica %d: %v\n%s", round, i, errs[i], outs[i])
			}
			// A replica that waited says so first.
			out := strings.TrimPrefix(outs[i], "-- waiting for the lock: another migration run holds advisory lock 2686470616 (atlas_migrate_execute)\n")
			switch {
			case strings.HasPrefix(out, "Migrating to version 20261130042120 (2 migrations in total)"):
				migrated++
			case out != "No migration files to execute\n":
				t.Fatalf("round %d, replica %d said:\n%s", round, i, outs[i])
			}
		}
		db, err := sql.Open("pgx", u)
		if err != nil {
			t.Fatal(err)
		}
		var revs, versions, players int
		err = db.QueryRow(`SELECT count(*), count(DISTINCT version), (SELECT count(*) FROM "players") FROM atlas_schema_revisions.atlas_schema_revisions`).Scan(&revs, &versions, &players)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if migrated != 1 || revs != 2 || versions != 2 || players != 25 {
			t.Fatalf("round %d: %d processes migrated (want 1), %d revision rows for %d versions (want 2), %d players (want 25)", round, migrated, revs, versions, players)
		}
		if err := pgtest.DropDB(admin, name); err != nil {
			t.Fatal(err)
		}
	}
}

// An interrupted status (SIGINT while its temporary dev database exists)
// exits non-zero, says it was interrupted, and drops that database.
func TestPostgresInterrupt(t *testing.T) {
	admin := pgtest.AdminURL(t)
	u := pgtest.NewDB(t)
	bin, err := exec.LookPath("structmigrate")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	devs := func() int {
		var n int
		if err := adm.QueryRow(`SELECT count(*) FROM pg_database WHERE datname LIKE 'structmigrate\_dev\_%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The process may finish before the signal lands: try again.
	for attempt := 0; attempt < 10; attempt++ {
		var out strings.Builder
		cmd := exec.Command(bin, "--env", "pg", "status")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+u)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); devs() == 0 && time.Now().Before(deadline); {
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			cmd.Wait()
			continue
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.HasPrefix(out.String(), "Error: interrupted: ") {
			continue // finished (status exits 2 with pending files) before the signal
		}
		if n := devs(); n != 0 {
			t.Fatalf("%d dev databases left after an interrupt; output:\n%s", n, out.String())
		}
		return
	}
	t.Fatal("status was never interrupted while its dev database existed")
}
