package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/engine"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/status"
)

// engineRuns are the commands that run through internal/engine on a
// dialect other than SQLite; the others that dialect.Check lets through
// (hash) touch only the directory and run as on SQLite.
var engineRuns = map[string]func(c *cli.Context, e *Env) error{
	"diff":     engineDiff,
	"apply":    engineApply,
	"rollback": engineRollback,
	"status":   engineStatus,
	"baseline": engineBaseline,
	"set":      engineSet,
	"lint":     engineLint,
}

// byDialect wraps a command's action: SQLite runs it as always; another
// dialect runs the engine's version, or refuses a command it does not
// support yet, before anything is touched.
func (e *Env) byDialect(name string, sqlite cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if e.Project == nil || e.Project.Dialect == dialect.SQLite {
			return sqlite(c)
		}
		if name == "copy" {
			return fmt.Errorf("copy reads a SQLite database, and env %q is a %s one: name the SQLite env with --env (or its file with --db), the target with --to-env", e.Project.Name, e.Project.Dialect)
		}
		if err := dialect.Check(e.Project.Dialect, name, e.Project.Name); err != nil {
			return err
		}
		if len(e.Project.Exclude) > 0 {
			return fmt.Errorf("env %q: exclude is not supported on PostgreSQL yet", e.Project.Name)
		}
		run, ok := engineRuns[name]
		if !ok {
			return sqlite(c)
		}
		// An interrupt cancels the run, so that its temporary dev
		// database is still dropped and its transaction rolled back.
		ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
		defer stop()
		c.Context = ctx
		err := run(c, e)
		if err != nil && ctx.Err() != nil && c.Context.Err() != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
}

// target is the env's database for the engine.
func (e *Env) target() (engine.Target, error) {
	d, err := dialect.For(e.Project.Dialect)
	if err != nil {
		return engine.Target{}, err
	}
	return engine.Target{Dialect: d, URL: e.Project.URL, Dev: e.Project.Dev}, nil
}

// connect opens the env's database for the engine.
func (e *Env) connect(ctx context.Context) (engine.Target, *sql.DB, error) {
	t, err := e.target()
	if err != nil {
		return engine.Target{}, nil, err
	}
	db, err := engine.Open(ctx, t)
	return t, db, err
}

// unsupportedFlags refuses flags the engine does not implement yet.
func unsupportedFlags(c *cli.Context, e *Env, flags ...string) error {
	for _, f := range flags {
		if c.IsSet(f) {
			return fmt.Errorf("%s --%s is not supported on PostgreSQL yet (env %q)", c.Command.Name, f, e.Project.Name)
		}
	}
	return nil
}

// engineDir opens the env's directory on disk, to write.
func (e *Env) engineDir() (*migrate.LocalDir, error) { return migdir.Open(e.Dir, true) }

// engineReadDir opens the env's directory to read: on disk, or, when it is
// absent and --dir was not given, its copy in the binary's embedded
// directory (a directory migrations/X is the embedded folder X, e.g.
// migrations/postgres), so a deploy needs nothing but the binary.
func (e *Env) engineReadDir() (migdir.Dir, error) {
	_, err := os.Stat(e.Dir)
	if !errors.Is(err, os.ErrNotExist) {
		return migdir.Open(e.Dir, false)
	}
	sub, ok := strings.CutPrefix(filepath.ToSlash(filepath.Clean(e.Dir)), "migrations/")
	if !e.DirFlag && e.Program.Migrations != nil && ok && fs.ValidPath(sub) {
		if fsys, err := fs.Sub(e.Program.Migrations, sub); err == nil {
			if _, err := fs.Stat(fsys, "."); err == nil {
				return migdir.FromFS(fsys, e.Dir+" (embedded)")
			}
		}
	}
	return nil, fmt.Errorf("migration directory %s does not exist (env %q)", e.Dir, e.Project.Name)
}

// engineValidDir is engineReadDir, validated: a broken directory is
// refused before connecting.
func (e *Env) engineValidDir() (migdir.Dir, error) {
	dir, err := e.engineReadDir()
	if err != nil {
		return nil, err
	}
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	return dir, nil
}

func engineDiff(c *cli.Context, e *Env) error {
	if err := unsupportedFlags(c, e, "backfill", "interactive", "format"); err != nil {
		return err
	}
	if c.NArg() > 1 {
		return &ExitError{Code: ExitFailure, Msg: "diff takes one NAME, e.g. structmigrate diff add_nickname"}
	}
	if err := e.freshModels("diff"); err != nil {
		return err
	}
	name, check := c.Args().First(), c.Bool("check")
	if check && name == "" {
		name = "pending"
	}
	if name == "" {
		return &ExitError{Code: ExitFailure, Msg: "diff needs a NAME for the migration, e.g. structmigrate diff add_nickname"}
	}
	if err := migdir.CheckName(name); err != nil {
		return err
	}
	var dir migdir.Dir
	var err error
	if check {
		dir, err = e.engineReadDir()
	} else {
		dir, err = e.engineDir()
	}
	if err != nil {
		return err
	}
	if err := migdir.Validate(dir); err != nil {
		return err
	}
	// Writing a down script re-hashes down/: an edited one is refused first.
	if err := validateDown(dir); err != nil {
		return err
	}
	version, err := migdir.NextVersion(dir, time.Now())
	if err != nil {
		return err
	}
	t, err := e.target()
	if err != nil {
		return err
	}
	r, err := engine.Diff(c.Context, engine.DiffInput{
		Target: t, Dir: dir, Models: engine.Models{List: e.Models, Options: e.desired()},
		Name: name, Version: version, Check: check,
	})
	switch {
	case err != nil:
		return err
	case r == nil:
		fmt.Fprintf(e.Out, "The migration directory %s is in sync with the structs: no changes.\n", e.Dir)
		return nil
	case check:
		fmt.Fprintf(e.Out, "%s", r.File.Bytes())
		return &ExitError{Code: ExitPending, Msg: fmt.Sprintf(
			"the structs and %s are out of sync: a migration would be generated (run: structmigrate --env %s diff <name>)", e.Dir, e.Project.Name)}
	}
	fmt.Fprintf(e.Out, "Created %s:\n\n%s\nCreated %s (reverts it):\n\n%s",
		filepath.Join(e.Dir, r.File.Name()), r.File.Bytes(), filepath.Join(e.Dir, migdir.DownDirName, r.Down.Name()), r.Down.Bytes())
	return nil
}

func engineApply(c *cli.Context, e *Env) error {
	baseline := c.String("baseline")
	if baseline == "" {
		baseline = e.Project.Baseline
	}
	amount, err := applyAmount(c)
	if err != nil {
		return err
	}
	restorePointNote(c, e)
	dir, err := e.engineValidDir()
	if err != nil {
		return err
	}
	t, db, err := e.connect(c.Context)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = engine.Apply(c.Context, engine.ApplyInput{
		Target: t, DB: db, Dir: dir, Amount: amount, Out: e.Out, Operator: Operator,
		Wait: c.Duration(lockTimeoutFlag.Name), Force: c.Bool("force"), Baseline: baseline,
		DryRun: c.Bool("dry-run"),
	})
	var hn *migrate.HistoryNonLinearError
	if errors.As(err, &hn) {
		return fmt.Errorf("%w; nothing was applied: a file older than the database's version is never run, give it a version newer than the last applied one and re-hash", err)
	}
	return err
}

// restorePointNote says once that the restore-point flags (SQLite's: a
// point is a copy of the database file) do nothing on this dialect, so
// that none is ignored silently.
func restorePointNote(c *cli.Context, e *Env) {
	for _, f := range []string{noRestorePointFlag.Name, "restore-dir", "restore-keep", "restore-max-size"} {
		if c.IsSet(f) {
			fmt.Fprintf(e.Err, "Note: restore points are SQLite-only (a copy of the database file): --%s does nothing on env %q; take a backup with pg_dump first if you may need the data back.\n", f, e.Project.Name)
			return
		}
	}
}

func engineRollback(c *cli.Context, e *Env) error {
	steps, err := rollbackSteps(c)
	if err != nil {
		return err
	}
	restorePointNote(c, e)
	dir, err := e.engineValidDir()
	if err != nil {
		return err
	}
	// Refuse broken down scripts before connecting too.
	down, err := migdir.OpenValid(dir)
	if err != nil {
		return err
	}
	t, db, err := e.connect(c.Context)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = engine.Rollback(c.Context, engine.RollbackInput{
		Target: t, DB: db, Dir: dir, Down: down, To: c.String("to"), Steps: steps,
		DryRun: c.Bool("dry-run"), Force: c.Bool("force"), Out: e.Out, Wait: c.Duration(lockTimeoutFlag.Name),
		Rehash: fmt.Sprintf("structmigrate --env %s hash", e.Project.Name),
	})
	return err
}

func engineStatus(c *cli.Context, e *Env) error {
	o := statusOptions{Format: c.String("format"), SkipSync: c.Bool("skip-sync"), Verbose: c.Bool("verbose")}
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("status --format: want text or json, got %q", o.Format)
	}
	dir, err := e.engineReadDir()
	if err != nil {
		return err
	}
	t, db, err := e.connect(c.Context)
	if err != nil {
		return err
	}
	defer db.Close()
	in := engine.StatusInput{Target: t, DB: db, Dir: dir}
	if !o.SkipSync && e.Models != nil {
		in.Models = &engine.Models{List: e.Models, Options: e.desired()}
	}
	r, err := engine.Status(c.Context, in)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		enc := json.NewEncoder(e.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.Print(e.Out, status.PrintOptions{Verbose: o.Verbose})
	}
	if code := r.ExitCode(); code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

func engineBaseline(c *cli.Context, e *Env) error {
	o, err := baselineArgs(c)
	if err != nil {
		return err
	}
	dir, err := e.engineValidDir()
	if err != nil {
		return err
	}
	// Refuse a version without a file before connecting too.
	if _, err := apply.BaselineFile(dir, o.Version); err != nil {
		return err
	}
	t, db, err := e.connect(c.Context)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := engine.Baseline(c.Context, engine.BaselineInput{
		Target: t, DB: db, Dir: dir, Version: o.Version, DryRun: o.DryRun, Operator: Operator, Wait: o.Wait, Out: e.Out,
	}); err != nil {
		return err
	}
	printBaseline(e.Out, o)
	return nil
}

func engineSet(c *cli.Context, e *Env) error {
	o, err := setArgs(c)
	if err != nil {
		return err
	}
	dir, err := e.engineReadDir()
	if err != nil {
		return err
	}
	files, sums, err := setFiles(dir, o.Version)
	if err != nil {
		return err
	}
	t, db, err := e.connect(c.Context)
	if err != nil {
		return err
	}
	defer db.Close()
	version, ops, err := engine.Set(c.Context, engine.SetInput{
		Target: t, DB: db, Files: files, Sums: sums, Version: o.Version, Operator: Operator, Wait: o.Wait, Out: e.Out,
	})
	if err != nil {
		return err
	}
	printSet(e.Out, version, ops)
	return nil
}

// engineLint is lint on the engine's dev database: the same flags, report
// and exit codes as SQLite's (lintFlags, lintResult). No schema page: the
// diagram is the SQLite schema's (docs/schema.md).
func engineLint(c *cli.Context, e *Env) error {
	if c.NArg() > 0 {
		return &ExitError{Code: ExitFailure, Msg: "lint takes no arguments; use --base REF or --latest N"}
	}
	o := lintFlags(c, e)
	if err := o.check(); err != nil {
		return err
	}
	dir, err := e.engineReadDir()
	if err != nil {
		return err
	}
	t, err := e.target()
	if err != nil {
		return err
	}
	r, err := engine.Lint(c.Context, engine.LintInput{Target: t, Options: o.options(e, dir),
		SyncHint: fmt.Sprintf("run `structmigrate --env %s diff <name>` and commit the file it writes", e.Project.Name)})
	if err != nil {
		return err
	}
	return lintResult(e, r, o.Format)
}
