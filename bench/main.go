// Command bench measures the structmigrate CLI end to end, as a user runs
// it: synthetic migration histories and models generated under bench/out/
// (never committed), the binaries built from them, wall time and peak RSS of
// whole processes, and a 1M-row table rebuild compared with the sqlite3 C
// CLI. It writes docs/benchmarks.md. Run it with `make bench` from the
// repository root (which first runs the Go benchmarks into
// bench/out/gobench.txt).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const module = "github.com/structmigrate/structmigrate"

// Command labels shared by the measurements and the report.
const (
	diffNoChange  = "diff --check (no change)"
	diffOneChange = "diff --check (one change)"
	statusCmd     = "status (up to date)"
	schemaCmd     = "schema"
	repoScenario  = "repository binary"
)

type bench struct {
	root, out          string
	runs, bigRuns      int
	rows               int
	sqlite3            string // path of the sqlite3 CLI, "" when not installed
	doc, goBench       string
	start              time.Time
	results            []*measurement
	notes              []string // extra facts for the report, in order
	big                *bigResult
	historyApply       time.Duration // applying the 1000-file history once (for status)
	repoApply          time.Duration
	scenarios          []*scenario
	modernc, sqliteCLI string // SQLite versions
	floor              int64  // peak RSS of /bin/true through the launcher, KiB
	sqlexec            string // bench/sqlexec: the pure-Go engine alone
	moderncPragmas     string // their defaults relevant to a rebuild
	cliPragmas         string
	loadStart          string // /proc/loadavg when the program started
	baselineRev        string // the commit whose binary the guard's cost is measured against
	baseline           string // its binary, "" when not built
	onlyBig            bool   // only the 1M-row rebuild (a quick look at the guard's cost)
	onlyPostgres       bool   // only the PostgreSQL rows and their SQLite counterparts (printed)
}

func main() {
	b := &bench{start: time.Now(), loadStart: loadAvg()}
	flag.IntVar(&b.runs, "runs", 7, "timed runs per measurement (at least 5)")
	flag.IntVar(&b.bigRuns, "big-runs", 5, "timed runs for the 1M-row rebuild measurements (may be lower than -runs, at least 1)")
	flag.StringVar(&b.baselineRev, "baseline", "b575ecc", "commit to measure the 1M-row rebuild's apply and rollback against (before the measuring guard; \"\": skip)")
	flag.IntVar(&b.rows, "rows", 1_000_000, "rows in the table of the rebuild benchmark (the target is stated for 1,000,000)")
	flag.StringVar(&b.sqlite3, "sqlite3", "/usr/bin/sqlite3", "the sqlite3 C CLI to compare with (skipped when absent)")
	flag.StringVar(&b.doc, "doc", "docs/benchmarks.md", "report to write")
	flag.StringVar(&b.goBench, "gobench", "bench/out/gobench.txt", "output of `go test -bench` to include in the report")
	flag.BoolVar(&b.onlyBig, "only-big", false, "measure only the 1M-row rebuild (against -baseline, runs alternating); the report goes to bench/out/big.md unless -doc is given")
	flag.BoolVar(&b.onlyPostgres, "only-postgres", false, "measure only diff --check and apply on PostgreSQL and the same on SQLite (repository binary); print the rows, write no report")
	flag.Parse()
	if b.onlyBig && !flagSet("doc") {
		b.doc = "bench/out/big.md"
	}
	if b.runs < 5 {
		fmt.Fprintf(os.Stderr, "bench: -runs %d raised to 5 (the minimum)\n", b.runs)
		b.runs = 5
	}
	if b.bigRuns < 1 {
		b.bigRuns = 1
	}
	if err := b.main(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

func (b *bench) main() error {
	var err error
	if b.root, err = repoRoot(); err != nil {
		return err
	}
	b.out = filepath.Join(b.root, "bench", "out")
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(b.sqlite3); err != nil {
		b.notes = append(b.notes, fmt.Sprintf("The sqlite3 CLI (%s) is not installed: the comparison with it was skipped.", b.sqlite3))
		b.sqlite3 = ""
	}

	b.logf("build the launcher (bench/rusage) that measures every process")
	if err := b.goCmd("build", "-o", filepath.Join(b.out, "rusage"), "./bench/rusage"); err != nil {
		return err
	}
	launcher = filepath.Join(b.out, "rusage")
	if o := run(exec.Command("/bin/true")); o.err != nil || o.exit != 0 {
		return o.fail("launcher")
	} else {
		b.floor = o.rss
	}
	b.logf("build the engine floor (bench/sqlexec): the same SQL through the same pure-Go driver, nothing else")
	if err := b.goCmd("build", "-o", filepath.Join(b.out, "sqlexec"), "./bench/sqlexec"); err != nil {
		return err
	}
	b.sqlexec = filepath.Join(b.out, "sqlexec")
	b.logf("build the repository binary: go build -o bench/out/structmigrate .")
	if err := b.goCmd("build", "-o", filepath.Join(b.out, "structmigrate"), "."); err != nil {
		return err
	}
	if b.onlyPostgres {
		if err := b.postgres(); err != nil {
			return err
		}
		fmt.Print(b.rawTable())
		for _, n := range b.notes {
			fmt.Println(n)
		}
		return nil
	}
	if b.baselineRev != "" {
		b.logf("build the baseline binary at %s (before the measuring guard)", b.baselineRev)
		if err := b.buildBaseline(); err != nil {
			return err
		}
	}
	if !b.onlyBig {
		b.scenarios = []*scenario{
			historyScenario(b.out, 10), historyScenario(b.out, 100), historyScenario(b.out, 1000),
			tablesScenario(b.out, 1000),
		}
	}
	big := bigScenario(b.out)
	for _, s := range append(b.scenarios, big) {
		b.logf("generate and build %s", s.Name)
		if err := s.write(); err != nil {
			return err
		}
		if err := s.build(b); err != nil {
			return err
		}
	}
	for _, s := range b.scenarios {
		b.logf("hash and verify %s (schema output, diff --check: no change = 0, one change = 2)", s.Name)
		if err := s.prepare(b, "nochange"); err != nil {
			return err
		}
	}

	for _, s := range b.scenarios {
		for _, v := range []struct {
			variant, label string
			exit           int
		}{{"nochange", diffNoChange, 0}, {"onechange", diffOneChange, 2}} {
			bin := s.bin(v.variant)
			if _, err := b.measure(spec{
				scenario: s.Label, command: v.label, runs: b.runs, wantExit: v.exit, warmup: true,
				cmd: func() *exec.Cmd { return command(s.Dir, bin, s.flags("diff", "--check")...) },
			}); err != nil {
				return err
			}
		}
	}
	if !b.onlyBig {
		if err := b.others(); err != nil {
			return err
		}
		if err := b.postgres(); err != nil {
			return err
		}
	}
	if b.rows > 0 {
		if err := b.runBig(big); err != nil {
			return err
		}
	}
	if err := b.versions(); err != nil {
		return err
	}
	return b.report()
}

// others measures what is not the 1M-row rebuild and not diff --check.
func (b *bench) others() error {
	// Not a target: how much of the 1000-table diff is the desired state
	// (GORM's AutoMigrate in memory, then inspection), which schema prints.
	tables := b.scenarios[3]
	if _, err := b.measure(spec{
		scenario: tables.Label, command: schemaCmd, runs: b.runs, wantExit: 0, warmup: true,
		cmd: func() *exec.Cmd { return command(tables.Dir, tables.bin("nochange"), tables.flags("schema")...) },
	}); err != nil {
		return err
	}
	if err := b.statusHistory(b.scenarios[2]); err != nil {
		return err
	}
	return b.repoBinary()
}

func flagSet(name string) (set bool) {
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// statusHistory applies the whole history of s into a fresh database, then
// measures status on it.
func (b *bench) statusHistory(s *scenario) error {
	db := filepath.Join(s.Dir, "status.db")
	for _, suffix := range []string{"", "-journal"} {
		if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	b.logf("apply the %s history into %s", s.Label, db)
	o := b.cmd(s.Dir, s.bin("nochange"), s.flagsDB(db, "apply")...)
	if o.err != nil || o.exit != 0 {
		return o.fail("apply the history")
	}
	b.historyApply = o.wall
	b.notes = append(b.notes, fmt.Sprintf("Applying the %s history to an empty database (once, before measuring status): %s.", s.Label, ms(o.wall)))
	bin := s.bin("nochange")
	_, err := b.measure(spec{
		scenario: s.Label, command: statusCmd, runs: b.runs, wantExit: 0, warmup: true,
		cmd: func() *exec.Cmd { return command(s.Dir, bin, s.flagsDB(db, "status")...) },
	})
	return err
}

// repoBinary measures the committed program: a directory holding nothing,
// so it uses its embedded atlas.hcl and migrations.
func (b *bench) repoBinary() error {
	dir := filepath.Join(b.out, "repo")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bin, db := filepath.Join(b.out, "structmigrate"), filepath.Join(dir, "repo.db")
	b.logf("apply the repository's embedded migrations into %s", db)
	o := b.cmd(dir, bin, "--db", db, "apply")
	if o.err != nil || o.exit != 0 {
		return o.fail("apply the embedded migrations")
	}
	b.repoApply = o.wall
	for _, c := range []string{"status", "schema"} {
		label := statusCmd
		if c == "schema" {
			label = schemaCmd
		}
		if _, err := b.measure(spec{
			scenario: repoScenario, command: label, runs: b.runs, wantExit: 0, warmup: true,
			cmd: func() *exec.Cmd { return command(dir, bin, "--db", db, c) },
		}); err != nil {
			return err
		}
	}
	return nil
}

// loadAvg is the 1, 5 and 15 minute load averages: other work on the
// machine makes the figures noisy.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func command(dir, bin string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Dir = dir
	return c
}

// repoRoot is the working directory, which must be the module's root.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(wd, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("run from the repository root (make bench): %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if sc.Scan() && strings.TrimSpace(sc.Text()) == "module "+module {
		return wd, nil
	}
	return "", fmt.Errorf("run from the root of %s (make bench)", module)
}
