// Package reliability runs the real CLI in child processes and hurts them
// the way production does: SIGKILL at random moments of a table rebuild
// (apply and rollback), a full disk or a file-size limit, a busy writer,
// a crashed write's hot journal under every read-only command, concurrent
// applies. After each: the schema is the directory's at the recorded
// version, every row is unchanged, integrity_check is ok, and the next
// apply completes.
//
// `go test` runs the short mode (a few kills of each kind, seconds);
// `make reliability` the long one (STRUCTMIGRATE_RELIABILITY=long: hundreds
// of kills). STRUCTMIGRATE_RELIABILITY_SEED=N replays a run.
package reliability

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// childEnv selects what a re-executed test binary does: "cli" runs the
// CLI with its arguments, "hotwriter" begins a write and waits to be killed.
const childEnv = "STRUCTMIGRATE_RELIABILITY_CHILD"

// fsizeEnv sets a CLI child's file-size limit (RLIMIT_FSIZE, ulimit -f) in
// bytes: writes past it fail with EFBIG (Go ignores SIGXFSZ).
const fsizeEnv = "STRUCTMIGRATE_RELIABILITY_FSIZE"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "cli":
		if v := os.Getenv(fsizeEnv); v != "" {
			n, _ := strconv.ParseUint(v, 10, 64)
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(cli.Main(append([]string{"structmigrate"}, os.Args[1:]...), cli.Program{Config: []byte(config)}, os.Stdout, os.Stderr))
	case "hotwriter":
		os.Exit(hotWriter(os.Args[1]))
	}
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// config is the project file the children read: the harness names the
// database and the directory with --db and --dir on every command.
const config = `env "local" {
  url = "sqlite://unused.db"
  migration {
    dir = "file://migrations"
  }
}
`

const (
	v1 = "20260101000001"
	v2 = "20260101000002"
)

// The directory: a table of rows() rows, then its rebuild (score becomes NOT
// NULL), the way Atlas writes one: copy into new_players, drop, rename; and
// the rebuild's down script (rollback runs it).
var files = map[string]string{
	v1 + "_init.sql": "CREATE TABLE `players` (`id` integer NOT NULL, `name` text NOT NULL, `score` integer NULL, `note` text NULL, PRIMARY KEY (`id`));\n" +
		"CREATE INDEX `players_score` ON `players` (`score`);\n",
	v2 + "_rebuild.sql": "-- Disable the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = off;\n" +
		"-- Create \"new_players\" table\nCREATE TABLE `new_players` (`id` integer NOT NULL, `name` text NOT NULL, `score` integer NOT NULL DEFAULT 0, `note` text NULL, PRIMARY KEY (`id`));\n" +
		"-- Copy rows from old table \"players\" to new temporary table \"new_players\"\nINSERT INTO `new_players` (`id`, `name`, `score`, `note`) SELECT `id`, `name`, `score`, `note` FROM `players`;\n" +
		"-- Drop \"players\" table after copying rows\nDROP TABLE `players`;\n" +
		"-- Rename temporary table \"new_players\" to \"players\"\nALTER TABLE `new_players` RENAME TO `players`;\n" +
		"-- Create index \"players_score\" to table: \"players\"\nCREATE INDEX `players_score` ON `players` (`score`);\n" +
		"-- Enable back the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = on;\n",
	// Its reviewed down script, as diff writes one: the rebuild back.
	"down/" + v2 + "_rebuild.sql": "PRAGMA foreign_keys = off;\n" +
		"CREATE TABLE `new_players` (`id` integer NOT NULL, `name` text NOT NULL, `score` integer NULL, `note` text NULL, PRIMARY KEY (`id`));\n" +
		"INSERT INTO `new_players` (`id`, `name`, `score`, `note`) SELECT `id`, `name`, `score`, `note` FROM `players`;\n" +
		"DROP TABLE `players`;\n" +
		"ALTER TABLE `new_players` RENAME TO `players`;\n" +
		"CREATE INDEX `players_score` ON `players` (`score`);\n" +
		"PRAGMA foreign_keys = on;\n",
}

// rows is the size of the rebuilt table: 100k rows in the long mode; the
// short mode (inside `make test`, which must stay quick) rebuilds 20k.
func rows() int { return pick(20_000, 100_000) }

// long reports the long mode (make reliability).
func long() bool { return os.Getenv("STRUCTMIGRATE_RELIABILITY") == "long" }

// pick returns the short or the long figure.
func pick(short, long_ int) int {
	if long() {
		return long_
	}
	return short
}

// seed is the run's seed: STRUCTMIGRATE_RELIABILITY_SEED, else the clock.
func seed(t *testing.T) *rand.Rand {
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("STRUCTMIGRATE_RELIABILITY_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("STRUCTMIGRATE_RELIABILITY_SEED: %v", err)
		}
		s = n
	}
	t.Logf("seed %d (replay: STRUCTMIGRATE_RELIABILITY_SEED=%d)", s, s)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// project is a work directory with the migration directory, its atlas.sum
// and a database at v1 holding Rows rows (base), copied for each run.
type project struct {
	dir  string
	base string // the database at v1 with the rows
	at2  string // the same at v2
	hash string // digest of the rows
}

var (
	shared     project
	sharedOnce sync.Once
	sharedErr  string
)

// newProject returns the project, made once per test binary (the rows and
// the rebuild take seconds); tests work on copies of its databases.
func newProject(t *testing.T) *project {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reliability")
		if err != nil {
			sharedErr = err.Error()
			return
		}
		shared.dir = dir
		ok := t.Run("setup", func(t *testing.T) { makeProject(t, &shared) })
		if !ok {
			sharedErr = "project setup failed"
		}
	})
	if sharedErr != "" {
		t.Fatal(sharedErr)
	}
	return &shared
}

func makeProject(t *testing.T, p *project) {
	for _, d := range []string{"migrations/down", "tmp"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(p.dir, "migrations", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(p.dir, "atlas.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p.base = filepath.Join(p.dir, "base.db")
	p.mustRun(t, p.base, "hash")
	p.mustRun(t, p.base, "apply", "1")
	db := open(t, p.base)
	if _, err := db.Exec(fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO players SELECT i, printf('player-%%07d', i), i %% 1000, CASE WHEN i %% 3 THEN printf('note %%d %%s', i, hex(randomblob(8))) END FROM n`, rows())); err != nil {
		t.Fatal(err)
	}
	db.Close()
	p.hash = rowsHash(t, p.base)
	p.at2 = filepath.Join(p.dir, "at2.db")
	copyDB(t, p.base, p.at2)
	p.mustRun(t, p.at2, "apply")
	if h := rowsHash(t, p.at2); h != p.hash {
		t.Fatal("the rebuild changed rows")
	}
}

// result is a finished child.
type result struct {
	code           int
	stdout, stderr string
}

// command returns the CLI as a child process on db; the children never
// see $STORAGE_PATH (the Makefile exports it).
func (p *project) command(db string, args ...string) *exec.Cmd {
	self, _ := os.Executable()
	cmd := exec.Command(self, append([]string{"--db", db, "--dir", "migrations"}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(cleanEnv(), childEnv+"=cli", "TMPDIR="+p.tmp())
	return cmd
}

// tmp is the children's temporary directory: their own, so that the
// Atlas CLI's lock file, which apply also takes (internal/dblock), is not
// shared with other programs on the machine.
func (p *project) tmp() string { return filepath.Join(p.dir, "tmp") }

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STORAGE_PATH=") && !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, childEnv+"=") && !strings.HasPrefix(kv, fsizeEnv+"=") {
			env = append(env, kv)
		}
	}
	return env
}

func (p *project) run(t *testing.T, db string, args ...string) result {
	t.Helper()
	return wait(t, p.command(db, args...), nil)
}

// wait runs cmd to its end; start, if set, is called once it runs.
func wait(t *testing.T, cmd *exec.Cmd, start func(*execCmd)) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if start != nil {
		start(cmd)
	}
	err := cmd.Wait()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func (p *project) mustRun(t *testing.T, db string, args ...string) result {
	t.Helper()
	r := p.run(t, db, args...)
	if r.code != 0 {
		t.Fatalf("structmigrate %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// rowsHash digests every row in key order, values with their storage class.
func rowsHash(t *testing.T, path string) string {
	t.Helper()
	db := open(t, path)
	defer db.Close()
	rows, err := db.Query("SELECT id, typeof(name), name, typeof(score), quote(score), quote(note) FROM players ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var id int64
		var a, b, c, d, e string
		if err := rows.Scan(&id, &a, &b, &c, &d, &e); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\n", id, a, b, c, d, e)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d:%s", n, hex.EncodeToString(h.Sum(nil)))
}

func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, sfx := range []string{"", "-journal"} {
		os.Remove(to + sfx)
		in, err := os.Open(from + sfx)
		if os.IsNotExist(err) && sfx != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(to + sfx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

var currentRe = regexp.MustCompile(`(?m)^  -- Current Version: (\S+)`)

// verify checks a database after a fault: a read-only command reports it
// (hot journal or not), every revision is whole, the schema is the
// directory's at the recorded version, the rows are the base's, integrity
// is ok; then the next apply completes. It returns the version found.
func (p *project) verify(t *testing.T, db, what string) string {
	t.Helper()
	st := p.run(t, db, "status", "--skip-sync")
	if st.code != 0 && st.code != 2 {
		t.Fatalf("%s: status --skip-sync: exit %d\n%s%s", what, st.code, st.stdout, st.stderr)
	}
	m := currentRe.FindStringSubmatch(st.stdout)
	if m == nil || (m[1] != v1 && m[1] != v2) {
		t.Fatalf("%s: status reports no known version:\n%s", what, st.stdout)
	}
	version := m[1]
	h := open(t, db)
	var ok string
	if err := h.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check: %q %v", what, ok, err)
	}
	var bad int
	if err := h.QueryRow("SELECT count(*) FROM atlas_schema_revisions WHERE applied <> total OR coalesce(error, '') <> ''").Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%s: %d partial or failed revisions (%v)", what, bad, err)
	}
	var notnull, index, copies int
	if err := h.QueryRow("SELECT (SELECT \"notnull\" FROM pragma_table_info('players') WHERE name = 'score'), (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'players_score' AND tbl_name = 'players'), (SELECT count(*) FROM sqlite_master WHERE name = 'new_players')").Scan(&notnull, &index, &copies); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	h.Close()
	if want := map[string]int{v1: 0, v2: 1}[version]; notnull != want || index != 1 || copies != 0 {
		t.Fatalf("%s: at %s the schema is not the directory's: score notnull=%d (want %d), index %d, new_players %d", what, version, notnull, want, index, copies)
	}
	if got := rowsHash(t, db); got != p.hash {
		t.Fatalf("%s: rows changed: %s, want %s", what, got, p.hash)
	}
	p.mustRun(t, db, "apply")
	if st := p.run(t, db, "status", "--skip-sync"); st.code != 0 {
		t.Fatalf("%s: after the next apply, status: exit %d\n%s%s", what, st.code, st.stdout, st.stderr)
	}
	if got := rowsHash(t, db); got != p.hash {
		t.Fatalf("%s: the next apply changed rows", what)
	}
	return version
}

type execCmd = exec.Cmd

var execCommand = exec.Command
