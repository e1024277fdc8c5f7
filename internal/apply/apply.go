// Package apply runs pending migration files against a live SQLite database,
// one transaction per file, recording revisions the way the Atlas CLI does.
package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Options configure a run.
type Options struct {
	DB     *sql.DB // the live database, with one connection
	Dir    migdir.Dir
	Amount int  // apply at most this many files; 0 means all
	DryRun bool // print the SQL, change nothing
	Force  bool // apply even when a file drops data without the reviewed-loss excuse
	// Baseline adopts a database without history first (see Baseline); it
	// is ignored once the database has revisions, as in the Atlas CLI.
	Baseline string
	Out      io.Writer
	Operator string // written to operator_version
	Progress bool   // show a long statement's progress (a terminal)
	// LockTimeout bounds the wait for the migration lock and for a busy
	// database (0: dblock.DefaultWait).
	LockTimeout time.Duration
	// RestorePoint, when set, takes a restore point (a copy of the
	// database) before the first change; nil takes none and says nothing.
	RestorePoint *restorepoint.Config

	reader *sql.DB // see Reader
}

// Result tells what ran.
type Result struct {
	Applied []migrate.File
	Point   *restorepoint.Point // the restore point taken first; nil for none
}

// NotCleanError refuses a database that holds tables but no revisions:
// applying the history over it would fail or duplicate objects.
type NotCleanError struct{ Err error }

// Atlas's text ends "baseline version or allow-dirty is required", naming
// CLI flags; structmigrate has no --allow-dirty, so it says what to run.
func (e *NotCleanError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "sql/migrate: ")
	var nc *migrate.NotCleanError
	if errors.As(e.Err, &nc) {
		msg = "connected database is not clean: " + nc.Reason
	}
	return msg + " (the database has tables but no migration history; adopt it with `structmigrate baseline VERSION` or `apply --baseline VERSION`)"
}

func (e *NotCleanError) Unwrap() error { return e.Err }

// Pending validates the directory and returns the files not yet applied,
// following the Atlas Executor's rules (baseline, linear history).
func Pending(ctx context.Context, db *sql.DB, dir migdir.Dir) ([]migrate.File, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	ex, err := migrate.NewExecutor(drv, dir, revisions.New(db))
	if err != nil {
		return nil, err
	}
	files, err := ex.Pending(ctx)
	var nc *migrate.NotCleanError
	switch {
	case errors.Is(err, migrate.ErrNoPendingFiles):
		return nil, nil
	case errors.As(err, &nc):
		return nil, &NotCleanError{Err: err}
	}
	return files, err
}

// Run applies the pending files.
func Run(ctx context.Context, o Options) (res *Result, err error) {
	o.Dir = migdir.Cached(o.Dir)
	// The guard needs its hooks on the connection (an app's own handle,
	// through the startup API, has none yet).
	if err := sqlitedb.Adopt(ctx, o.DB); err != nil {
		return nil, err
	}
	if !o.DryRun {
		unlock, err := dblock.Take(ctx, o.DB, dblock.Options{Wait: o.LockTimeout, Out: o.Out})
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	// The point is taken once, after the lock and before the first change:
	// recording a baseline, or the first file.
	taken := false
	var taking *restorepoint.Taken
	// At the end, the point is pruned after, or removed when the database
	// did not change (a refused or failed run).
	defer func() {
		if p := taking.End(o.Out); res != nil {
			res.Point = p
		}
	}()
	point := func() error {
		if taken || o.DryRun || o.RestorePoint == nil {
			return nil
		}
		taken = true
		version, err := restorepoint.Version(ctx, o.DB)
		if err != nil {
			return err
		}
		taking, err = o.RestorePoint.Before(ctx, o.DB, version, o.Out)
		return err
	}
	if o.Baseline != "" {
		if revs, err := revisions.New(o.DB).ReadRevisions(ctx); err != nil {
			return nil, err
		} else if len(revs) == 0 {
			if err := point(); err != nil {
				return nil, err
			}
		}
		adopted, err := o.baseline(ctx)
		if err != nil {
			return nil, err
		}
		if adopted && o.DryRun {
			// Nothing was recorded: show what would run after the baseline.
			return &Result{}, o.dryAfter(o.Baseline)
		}
	}
	pending, err := Pending(ctx, o.DB, o.Dir)
	if err != nil {
		return nil, err
	}
	if len(pending) == 0 {
		fmt.Fprintln(o.Out, "No migration files to execute")
		return &Result{}, nil // a baseline may have been recorded
	}
	if o.Amount > 0 && o.Amount < len(pending) {
		pending = pending[:o.Amount]
	}
	// A generated backfill nobody confirmed runs nowhere, not even dry.
	if err := unconfirmed(o, pending); err != nil {
		if !o.DryRun {
			return nil, err
		}
		fmt.Fprintf(o.Out, "-- would be refused: %v\n", err)
		return &Result{}, printDry(o.Out, pending)
	}
	if o.DryRun {
		return &Result{}, o.dryRun(ctx, pending)
	}
	if err := point(); err != nil {
		return nil, err
	}
	if o.reader, err = Reader(ctx, o.DB); err != nil {
		return nil, err
	}
	if o.reader != nil {
		defer o.reader.Close()
	}
	store := revisions.New(o.DB)
	if err := store.Init(ctx); err != nil {
		return nil, fmt.Errorf("create %s: %w", revisions.Table, err)
	}
	revs, err := store.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	log := NewLogger(o.Out)
	if o.Progress {
		log.Progress = ProgressInterval
	}
	to := pending[len(pending)-1].Version()
	if len(revs) == 0 {
		log.Intro("Migrating to version %s (%s in total):", to, Plural(len(pending), "migration"))
	} else {
		log.Intro("Migrating to version %s from %s (%s in total):", to, revs[len(revs)-1].Version, Plural(len(pending), "migration"))
	}
	res = &Result{}
	for _, f := range pending {
		if err := checkSpace(ctx, o, f); err != nil {
			return res, err
		}
		if err := runFile(ctx, o, log, f); err != nil {
			return res, err
		}
		log.FileDone()
		res.Applied = append(res.Applied, f)
	}
	log.Done("migration")
	return res, nil
}

// runFile executes one file in its own transaction under the data-loss
// guard, unless the file opts out with the CLI's `-- atlas:txmode none`
// directive: then each statement that may change stored data is measured
// in a savepoint of its own.
func runFile(ctx context.Context, o Options, log *Logger, f migrate.File) error {
	if !runfile.InTx(f) {
		drv, err := sqlitedb.Driver(o.DB)
		if err != nil {
			return err
		}
		return execute(ctx, o, log, &stmtGuarded{Driver: drv, o: o, f: f}, revisions.New(o.DB), f)
	}
	return runGuarded(ctx, o, log, f, nil)
}

func execute(ctx context.Context, o Options, log *Logger, drv migrate.Driver, rrw migrate.RevisionReadWriter, f migrate.File) error {
	ex, err := migrate.NewExecutor(drv, o.Dir, rrw, migrate.WithOperatorVersion(o.Operator), migrate.WithLogger(log))
	if err != nil {
		return err
	}
	if err := ex.Execute(ctx, f); err != nil {
		if se := migdir.AsStmtError(o.Dir, "applying", err); se != nil {
			return se
		}
		return fmt.Errorf("%s: %w", f.Name(), migdir.ExplainWrite(err))
	}
	return nil
}

func printDry(w io.Writer, files []migrate.File) error { return PrintDry(w, files, migdir.StmtDecls) }

// PrintDry prints files as a dry run shows them, each split into its
// statements by scan (the dialect's scanner), on either engine.
func PrintDry(w io.Writer, files []migrate.File, scan func(migrate.File) ([]*migrate.Stmt, error)) error {
	for _, f := range files {
		stmts, err := scan(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		fmt.Fprintf(w, "-- %s (%d statements, dry run: not applied)\n", f.Name(), len(stmts))
		for _, s := range stmts {
			fmt.Fprintf(w, "%s\n", strings.TrimSpace(s.Text))
		}
	}
	return nil
}

// baseline records o.Baseline on a database without history; it reports
// whether it did (or, in a dry run, would).
func (o Options) baseline(ctx context.Context) (bool, error) {
	revs, err := revisions.New(o.DB).ReadRevisions(ctx)
	if err != nil || len(revs) > 0 {
		return false, err // a history exists: the baseline has done its job
	}
	if err := adopt(ctx, BaselineOptions{DB: o.DB, Dir: o.Dir, Version: o.Baseline, DryRun: o.DryRun, Operator: o.Operator}); err != nil {
		return false, err
	}
	PrintBaseline(o.Out, o.Baseline, o.DryRun)
	return true, nil
}

// PrintBaseline says that apply recorded (or, dry, would record) a
// baseline, on either engine.
func PrintBaseline(w io.Writer, version string, dryRun bool) {
	verb := "Recorded"
	if dryRun {
		verb = "Would record"
	}
	fmt.Fprintf(w, "%s baseline %s: the database matches the migration directory at that version.\n", verb, version)
}

// dryAfter prints the files after version, for a dry run with a baseline.
func (o Options) dryAfter(version string) error {
	files, err := o.Dir.Files()
	if err != nil {
		return err
	}
	var after []migrate.File
	for _, f := range files {
		if f.Version() > version {
			after = append(after, f)
		}
	}
	if o.Amount > 0 && o.Amount < len(after) {
		after = after[:o.Amount]
	}
	if len(after) == 0 {
		fmt.Fprintln(o.Out, "No migration files to execute")
		return nil
	}
	return printDry(o.Out, after)
}
