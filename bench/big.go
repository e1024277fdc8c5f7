package main

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/glebarez/go-sqlite" // the "sqlite" driver structmigrate itself uses
)

// bigResult is what the report says about the 1M-row rebuild.
type bigResult struct {
	populate        time.Duration
	dbSize          int64
	upName          string // file 2
	up, down        string // its SQL and its down script
	applyFlags      []string
	rollbackFlags   []string
	applyRefusal    string // what apply said without --force, if it refused
	rollbackRefusal string
	applyLog        string // our apply's output of the last timed run
	rollbackLog     string
	sqliteUpTimer   string // one untimed sqlite3 run with .timer on
	sqliteDownTimer string
	apply, rollback *measurement
	// The restore point apply takes by default, measured on its own:
	// point taken vs --no-restore-point, runs alternating.
	applyPoint, applyNoPoint *measurement
	pointSize                int64        // bytes of the point of the 1M-row database
	pointLog                 string       // apply's "Restore point:" line
	addColumn                *measurement // file 3: ALTER TABLE … ADD COLUMN (nullable), from version 2
	sqlUp, sqlDown           *measurement
	goUp, goDown             *measurement // the same wrapped SQL through the pure-Go engine alone
	baseUp, baseDown         *measurement // the baseline commit's binary (-baseline)
	sqliteSkipped            bool
	rows                     int
	wrappedUp, wrapDn        string // the scripts sqlite3 ran
}

const populateSQL = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
INSERT INTO big (id, name, score, note)
SELECT n, printf('player-%07d', n), (n * 7919) % 100003, printf('note for row %d', n) FROM seq`

// runBig builds the 1M-row database at version 1, lets the bench binary
// write file 2 (score becomes NOT NULL DEFAULT 0: a table rebuild, and so
// is its down script), and measures our apply and rollback of it against
// the sqlite3 CLI running the same SQL.
func (b *bench) runBig(s *scenario) error {
	r := &bigResult{rows: b.rows, sqliteSkipped: b.sqlite3 == ""}
	b.big = r
	b.logf("hash and verify big (schema output, diff --check)")
	if err := s.prepare(b, "withnote"); err != nil {
		return err
	}
	withNote, noNote := s.bin("withnote"), s.bin("nonote")
	db := filepath.Join(s.Dir, "big.db")
	b.logf("big: apply 1, then insert %d rows", b.rows)
	if o := b.cmd(s.Dir, withNote, s.flagsDB(db, "apply", "1")...); o.err != nil || o.exit != 0 {
		return o.fail("big: apply 1")
	}
	start := time.Now()
	if err := populate(db, b.rows); err != nil {
		return fmt.Errorf("big: populate: %w", err)
	}
	r.populate = time.Since(start)
	if err := verifyBig(db, []string{"id", "name", "score", "note"}, b.rows); err != nil {
		return err
	}
	pristine := filepath.Join(s.Dir, "big-v1.db")
	if err := os.Rename(db, pristine); err != nil {
		return err
	}
	if fi, err := os.Stat(pristine); err == nil {
		r.dbSize = fi.Size()
	}
	b.logf("big: %d rows in %s (%s); diff require_score", b.rows, ms(r.populate), mib(r.dbSize/1024))

	if o := b.cmd(s.Dir, noNote, s.flags("diff", "require_score")...); o.err != nil || o.exit != 0 {
		return o.fail("big: diff require_score")
	}
	if o := b.cmd(s.Dir, noNote, s.flags("diff", "--check")...); o.err != nil || o.exit != 0 {
		return o.fail("big: diff --check after require_score")
	}
	files, err := filepath.Glob(filepath.Join(s.Dir, "migrations", "*.sql"))
	if err != nil || len(files) != 2 {
		return fmt.Errorf("big: want 2 migration files after diff, have %v (%v)", files, err)
	}
	slices.Sort(files)
	r.upName = filepath.Base(files[1])
	up, err := os.ReadFile(files[1])
	if err != nil {
		return err
	}
	down, err := os.ReadFile(filepath.Join(s.Dir, "migrations", "down", r.upName))
	if err != nil {
		return err
	}
	r.up, r.down = string(up), string(down)

	work := filepath.Join(s.Dir, "work.db")
	v2 := filepath.Join(s.Dir, "big-v2.db")
	noNoteCols := []string{"id", "name", "score", "note"} // same columns, score NOT NULL
	withNoteCols := []string{"id", "name", "score", "note"}

	// Our apply: find out whether it needs --force (it refuses to drop a
	// column holding values unless reviewed), then keep a copy at version 2.
	var err2 error
	r.applyFlags, r.applyRefusal, err2 = b.probe(pristine, work, noNote, s, "apply")
	if err2 != nil {
		return err2
	}
	if err := verifyBig(work, noNoteCols, b.rows); err != nil {
		return fmt.Errorf("big: after our apply: %w", err)
	}
	if err := copyDB(work, v2); err != nil {
		return err
	}
	// Ours runs with --no-restore-point where it is compared with the
	// baseline binary (which takes none) and sqlite3; the point's own cost
	// is measured below.
	ourUp := spec{
		scenario: s.Label, command: "apply file 2 (ours)", runs: b.bigRuns, wantExit: 0,
		setup: func() error { return copyDB(pristine, work) },
		cmd: func() *exec.Cmd {
			return command(s.Dir, noNote, s.flagsDB(work, append([]string{"apply", "--no-restore-point"}, r.applyFlags...)...)...)
		},
		check: func(outcome) error { return verifyBig(work, noNoteCols, b.rows) },
	}
	if b.baseline != "" {
		baseUp := ourUp
		baseUp.command = "apply file 2 (baseline " + b.baselineRev + ")"
		baseUp.cmd = func() *exec.Cmd {
			return command(s.Dir, b.baseline, s.flagsDB(work, append([]string{"apply"}, r.applyFlags...)...)...)
		}
		r.apply, r.baseUp, err = b.measurePair(ourUp, baseUp)
	} else {
		r.apply, err = b.measure(ourUp)
	}
	if err != nil {
		return err
	}
	r.applyLog = r.apply.Last.stdout + r.apply.Last.stderr
	if err := b.measurePoint(r, ourUp, work, noNote, s); err != nil {
		return err
	}

	if !r.sqliteSkipped {
		r.wrappedUp = wrap(r.up)
		upFile := filepath.Join(s.Dir, "sqlite3-up.sql")
		if err := os.WriteFile(upFile, []byte(r.wrappedUp), 0o644); err != nil {
			return err
		}
		r.sqlUp, err = b.measure(spec{
			scenario: s.Label, command: "sqlite3 CLI: file 2", runs: b.bigRuns, wantExit: 0,
			setup: func() error { return copyDB(pristine, work) },
			cmd:   func() *exec.Cmd { return b.sqliteCmd(work, r.wrappedUp) },
			check: func(outcome) error { return verifyBig(work, noNoteCols, b.rows) },
		})
		if err != nil {
			return err
		}
		if r.sqliteUpTimer, err = b.sqliteTimer(pristine, work, r.wrappedUp); err != nil {
			return err
		}
	}

	r.rollbackFlags, r.rollbackRefusal, err = b.probe(v2, work, noNote, s, "rollback")
	if err != nil {
		return err
	}
	if err := verifyBig(work, withNoteCols, b.rows); err != nil {
		return fmt.Errorf("big: after our rollback: %w", err)
	}
	upScript := filepath.Join(s.Dir, "engine-up.sql")
	if err := os.WriteFile(upScript, []byte(wrap(r.up)), 0o644); err != nil {
		return err
	}
	r.goUp, err = b.measure(spec{
		scenario: s.Label, command: "pure-Go engine alone: file 2", runs: b.bigRuns, wantExit: 0,
		setup: func() error { return copyDB(pristine, work) },
		cmd:   func() *exec.Cmd { return exec.Command(b.sqlexec, work, upScript) },
		check: func(outcome) error { return verifyBig(work, noNoteCols, b.rows) },
	})
	if err != nil {
		return err
	}
	downScript := filepath.Join(s.Dir, "engine-down.sql")
	if err := os.WriteFile(downScript, []byte(wrap(r.down)), 0o644); err != nil {
		return err
	}
	r.goDown, err = b.measure(spec{
		scenario: s.Label, command: "pure-Go engine alone: down script", runs: b.bigRuns, wantExit: 0,
		setup: func() error { return copyDB(v2, work) },
		cmd:   func() *exec.Cmd { return exec.Command(b.sqlexec, work, downScript) },
		check: func(outcome) error { return verifyBig(work, withNoteCols, b.rows) },
	})
	if err != nil {
		return err
	}
	ourDown := spec{
		scenario: s.Label, command: "rollback file 2 (ours)", runs: b.bigRuns, wantExit: 0,
		setup: func() error { return copyDB(v2, work) },
		cmd: func() *exec.Cmd {
			return command(s.Dir, noNote, s.flagsDB(work, append([]string{"rollback", "--no-restore-point"}, r.rollbackFlags...)...)...)
		},
		check: func(outcome) error { return verifyBig(work, withNoteCols, b.rows) },
	}
	if b.baseline != "" {
		baseDown := ourDown
		baseDown.command = "rollback file 2 (baseline " + b.baselineRev + ")"
		baseDown.cmd = func() *exec.Cmd {
			return command(s.Dir, b.baseline, s.flagsDB(work, append([]string{"rollback"}, r.rollbackFlags...)...)...)
		}
		r.rollback, r.baseDown, err = b.measurePair(ourDown, baseDown)
	} else {
		r.rollback, err = b.measure(ourDown)
	}
	if err != nil {
		return err
	}
	r.rollbackLog = r.rollback.Last.stdout + r.rollback.Last.stderr

	if !r.sqliteSkipped {
		r.wrapDn = wrap(r.down)
		downFile := filepath.Join(s.Dir, "sqlite3-down.sql")
		if err := os.WriteFile(downFile, []byte(r.wrapDn), 0o644); err != nil {
			return err
		}
		r.sqlDown, err = b.measure(spec{
			scenario: s.Label, command: "sqlite3 CLI: down script", runs: b.bigRuns, wantExit: 0,
			setup: func() error { return copyDB(v2, work) },
			cmd:   func() *exec.Cmd { return b.sqliteCmd(work, r.wrapDn) },
			check: func(outcome) error { return verifyBig(work, withNoteCols, b.rows) },
		})
		if err != nil {
			return err
		}
		if r.sqliteDownTimer, err = b.sqliteTimer(v2, work, r.wrapDn); err != nil {
			return err
		}
	}
	return b.runAddColumn(s, v2, work, noNote, noNoteCols)
}

// measurePoint measures the restore point apply takes before file 2 by
// default (VACUUM INTO a copy of the 1M-row database, synced): apply as it
// runs by default against apply --no-restore-point, runs alternating.
func (b *bench) measurePoint(r *bigResult, noPoint spec, work, bin string, s *scenario) error {
	points := work + ".restore-points"
	withPoint := noPoint
	withPoint.command = "apply file 2 (ours, restore point taken: the default)"
	withPoint.setup = func() error {
		if err := os.RemoveAll(points); err != nil {
			return err
		}
		return noPoint.setup()
	}
	withPoint.cmd = func() *exec.Cmd {
		return command(s.Dir, bin, s.flagsDB(work, append([]string{"apply"}, r.applyFlags...)...)...)
	}
	withPoint.check = func(o outcome) error {
		if !strings.HasPrefix(o.stdout, "Restore point: ") {
			return fmt.Errorf("apply took no restore point:\n%s", o.stdout)
		}
		return verifyBig(work, []string{"id", "name", "score", "note"}, b.rows)
	}
	noPoint.command = "apply file 2 (ours, --no-restore-point; paired with the point)"
	var err error
	if r.applyPoint, r.applyNoPoint, err = b.measurePair(withPoint, noPoint); err != nil {
		return err
	}
	r.pointLog = firstLine(r.applyPoint.Last.stdout)
	ps, _ := filepath.Glob(filepath.Join(points, "*.restore"))
	if len(ps) == 1 {
		if fi, err := os.Stat(ps[0]); err == nil {
			r.pointSize = fi.Size()
		}
	}
	return os.RemoveAll(points)
}

// runAddColumn adds a hand-written file 3 that adds a nullable column to the
// 1M-row table and measures its apply (--no-restore-point): the data-loss
// guard leaves an ALTER TABLE that only adds columns unmeasured, so it
// stays constant-time; the restore point taken by default is not.
func (b *bench) runAddColumn(s *scenario, v2, work, bin string, cols []string) error {
	name := filepath.Join(s.Dir, "migrations", "20991231235959_add_extra.sql")
	if err := os.WriteFile(name, []byte("ALTER TABLE `big` ADD COLUMN `extra` text NULL;\n"), 0o644); err != nil {
		return err
	}
	if o := b.cmd(s.Dir, bin, s.flags("hash")...); o.err != nil || o.exit != 0 {
		return o.fail("big: hash after adding file 3")
	}
	var err error
	b.big.addColumn, err = b.measure(spec{
		scenario: s.Label, command: "apply file 3: ADD COLUMN (nullable)", runs: b.bigRuns, wantExit: 0,
		setup: func() error { return copyDB(v2, work) },
		// Without the restore point, whose copy of the whole database
		// (measured above) would be most of this run's time.
		cmd:   func() *exec.Cmd { return command(s.Dir, bin, s.flagsDB(work, "apply", "--no-restore-point")...) },
		check: func(outcome) error { return verifyBig(work, append(slices.Clone(cols), "extra"), b.rows) },
	})
	return err
}

// probe runs `cmd` once (untimed) on a fresh copy of src, without --force;
// if it refuses, it runs again with --force and reports the refusal. The
// result stays in work.
func (b *bench) probe(src, work, bin string, s *scenario, cmd string) (flags []string, refusal string, err error) {
	if err := copyDB(src, work); err != nil {
		return nil, "", err
	}
	o := b.cmd(s.Dir, bin, s.flagsDB(work, cmd)...)
	if o.err == nil && o.exit == 0 {
		return nil, "", nil
	}
	refusal = firstLine(o.stderr)
	b.logf("big: %s without --force: exit %d: %s", cmd, o.exit, refusal)
	if err := copyDB(src, work); err != nil {
		return nil, "", err
	}
	if o := b.cmd(s.Dir, bin, s.flagsDB(work, cmd, "--force")...); o.err != nil || o.exit != 0 {
		return nil, "", o.fail("big: " + cmd + " --force")
	}
	return []string{"--force"}, refusal, nil
}

// wrap is how the sqlite3 CLI runs a file: foreign keys off, one transaction.
func wrap(script string) string {
	return "PRAGMA foreign_keys=off;\nBEGIN;\n" + strings.TrimRight(script, "\n") + "\nCOMMIT;\n"
}

func (b *bench) sqliteCmd(db, script string) *exec.Cmd {
	c := exec.Command(b.sqlite3, "-bail", db)
	c.Stdin = strings.NewReader(script)
	return c
}

// sqliteTimer runs the script once more with `.timer on` (untimed) to show
// where sqlite3 spends its time.
func (b *bench) sqliteTimer(src, work, script string) (string, error) {
	if err := copyDB(src, work); err != nil {
		return "", err
	}
	c := exec.Command(b.sqlite3, "-bail", "-echo", work)
	c.Stdin = strings.NewReader(".timer on\n" + script)
	out, err := c.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("sqlite3 .timer run: %w\n%s", err, out)
	}
	return string(out), nil
}

func populate(path string, rows int) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(populateSQL, rows)
	return err
}

// verifyBig checks the table's columns, row count and index.
func verifyBig(path string, cols []string, rows int) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	got, err := db.Query("SELECT name FROM pragma_table_info('big') ORDER BY cid")
	if err != nil {
		return err
	}
	var names []string
	for got.Next() {
		var n string
		if err := got.Scan(&n); err != nil {
			got.Close()
			return err
		}
		names = append(names, n)
	}
	got.Close()
	if !slices.Equal(names, cols) {
		return fmt.Errorf("%s: table big has columns %v, want %v", path, names, cols)
	}
	var n, idx int
	if err := db.QueryRow("SELECT count(*) FROM big").Scan(&n); err != nil {
		return err
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_big_score'").Scan(&idx); err != nil {
		return err
	}
	if n != rows || idx != 1 {
		return fmt.Errorf("%s: %d rows (want %d), index idx_big_score present: %v", path, n, rows, idx == 1)
	}
	return nil
}

// versions reads the SQLite versions: the pure-Go one structmigrate links
// and the C CLI's.
func (b *bench) versions() error {
	db, err := sql.Open("sqlite", "file:versions?mode=memory")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow("select sqlite_version()").Scan(&b.modernc); err != nil {
		return err
	}
	var sd, sy, cs string
	for q, v := range map[string]*string{"PRAGMA secure_delete": &sd, "PRAGMA synchronous": &sy, "PRAGMA cache_size": &cs} {
		if err := db.QueryRow(q).Scan(v); err != nil {
			return err
		}
	}
	b.moderncPragmas = pragmaLine(sd, sy, cs)
	if b.sqlite3 != "" {
		out, err := exec.Command(b.sqlite3, "--version").Output()
		if err != nil {
			return err
		}
		b.sqliteCLI = strings.TrimSpace(string(out))
		out, err = exec.Command(b.sqlite3, ":memory:", "PRAGMA secure_delete; PRAGMA synchronous; PRAGMA cache_size;").Output()
		if f := strings.Fields(string(out)); err == nil && len(f) == 3 {
			b.cliPragmas = pragmaLine(f[0], f[1], f[2])
		}
	}
	return nil
}

// pragmaLine describes the defaults that matter for a table rebuild.
func pragmaLine(secureDelete, synchronous, cacheSize string) string {
	return fmt.Sprintf("secure_delete=%s, synchronous=%s, cache_size=%s", secureDelete, synchronous, cacheSize)
}
