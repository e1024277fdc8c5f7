package reliability

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// TestKill kills apply and rollback of the rebuild with SIGKILL at random
// moments over one and a half times the fastest uninterrupted run (past
// its end too: a run under load is slower, and kills must reach the commit).
func TestKill(t *testing.T) {
	p := newProject(t)
	rng := seed(t)
	for _, op := range []struct {
		name, from string
		args       []string
	}{
		{"apply", p.base, []string{"apply"}},
		{"rollback", p.at2, []string{"rollback"}},
	} {
		db := filepath.Join(p.dir, op.name+".db")
		// The window: the fastest of three uninterrupted runs (the first
		// pays for cold caches), start-up included.
		full := time.Hour
		for range 3 {
			copyDB(t, op.from, db)
			start := time.Now()
			p.mustRun(t, db, op.args...)
			full = min(full, time.Since(start))
		}
		kills := pick(4, 100)
		versions := map[string]int{}
		killed, hot := 0, 0
		for i := range kills {
			copyDB(t, op.from, db)
			delay := time.Duration(rng.Int64N(int64(full) * 3 / 2))
			r := wait(t, p.command(db, op.args...), func(c *execCmd) {
				time.Sleep(delay)
				c.Process.Signal(syscall.SIGKILL)
			})
			if r.code == -1 {
				killed++
			}
			what := fmt.Sprintf("%s #%d killed after %v (exit %d)", op.name, i, delay.Round(time.Millisecond), r.code)
			if hasJournal(db) {
				// Every read-only command on each crash image in the long
				// mode; on the first in the short one (TestHotJournal too).
				if hot++; hot == 1 || long() {
					p.readOnlyAll(t, db, what)
				}
			}
			versions[p.verify(t, db, what)]++
		}
		t.Logf("%s: uninterrupted %v; %d runs, %d killed before they ended, %d left a journal; recorded version after the kill: %s %d, %s %d; failures: 0",
			op.name, full.Round(time.Millisecond), kills, killed, hot, v1, versions[v1], v2, versions[v2])
	}
}

// hasJournal reports a rollback journal beside db with something in it.
func hasJournal(db string) bool {
	fi, err := os.Stat(db + "-journal")
	return err == nil && fi.Size() > 0
}

// readOnlyAll runs every read-only command on a fresh copy of the crash
// image db (the first to open it rolls the journal back): each reports a
// version instead of failing (issue 11, item 7).
func (p *project) readOnlyAll(t *testing.T, db, what string) {
	t.Helper()
	img := db + ".img"
	copyDB(t, db, img)
	for _, args := range [][]string{
		{"status"}, {"status", "--format", "json"}, {"status", "--skip-sync"}, {"apply", "--dry-run"},
	} {
		c := db + ".ro"
		copyDB(t, img, c)
		r := p.run(t, c, args...)
		if r.code != 0 && r.code != 2 || !strings.Contains(r.stdout, "20260101") && !strings.Contains(r.stdout, "No migration files") {
			t.Fatalf("%s: %s on the crash image: exit %d\n%s%s", what, strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

// TestHotJournal: a writer killed in the middle of a transaction that
// spilled into the file (a real crash image), then every read-only command.
func TestHotJournal(t *testing.T) {
	t0 := time.Now()
	p := newProject(t)
	t.Logf("setup %v", time.Since(t0))
	db := filepath.Join(p.dir, "hot.db")
	for i := range pick(1, 20) {
		copyDB(t, p.at2, db)
		self, _ := os.Executable()
		cmd := execCommand(self, db)
		cmd.Env = append(cleanEnv(), childEnv+"=hotwriter")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if line != "ready\n" {
			t.Fatalf("hot writer: %q", line)
		}
		if !hasJournal(db) {
			t.Fatal("the killed writer left no journal")
		}
		what := fmt.Sprintf("hot journal #%d", i)
		t0 := time.Now()
		p.readOnlyAll(t, db, what)
		t.Logf("read-only commands %v", time.Since(t0))
		if v := p.verify(t, db, what); v != v2 {
			t.Fatalf("%s: version %s after a crashed write at %s", what, v, v2)
		}
	}
}

// hotWriter (a child) changes every row of db in a transaction with a tiny
// page cache, so SQLite journals pages and overwrites them in the file
// before commit, says "ready" and waits for its SIGKILL.
func hotWriter(path string) int {
	db, err := sqlitedb.OpenFile(path, false)
	if err == nil {
		_, err = db.Exec("PRAGMA cache_size = 8")
	}
	if err == nil {
		_, err = db.Exec("BEGIN; UPDATE players SET name = 'crashed', note = NULL")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
	return 0
}
