// Package rollback undoes applied migrations. For each version, newest first,
// it runs the reviewed down script when there is one, or else computes the
// plan from the live schema to the directory's state at the previous version.
// Everything runs in one transaction that commits only when the live schema
// equals the directory at the target version and no data was lost silently.
package rollback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// All is the --to value that undoes every applied version.
const All = "0"

// Options configure a rollback.
type Options struct {
	DB     *sql.DB // live database, one connection
	Dir    migdir.Dir
	Down   *migdir.Down // validated
	To     string       // target version; "" undoes the last one, All undoes all
	Steps  int          // undo this many versions, newest first (0: see To)
	DryRun bool         // run it, print it, roll it back
	Force  bool         // proceed even when data would be lost
	Out    io.Writer
	// Progress shows a long statement's progress (a terminal).
	Progress bool
	// LockTimeout bounds the wait for the migration lock and for a busy
	// database (0: dblock.DefaultWait).
	LockTimeout time.Duration
	// RestorePoint, when set, takes a restore point (a copy of the
	// database) before the rollback changes it; nil takes none.
	RestorePoint *restorepoint.Config
	// Rehash is the command that re-hashes the down scripts, for the
	// refusal's hint ("": structmigrate hash).
	Rehash string
}

// Result tells what was (or, in a dry run, would be) reverted.
type Result struct {
	Reverted []string // versions, newest first
	Target   string   // version the database is at afterwards ("" = none)
	Losses   []guard.Loss
}

// MismatchError reports a rollback whose result is not the directory's
// state at the target; the transaction was rolled back.
type MismatchError struct {
	Target string
	SQL    []string // what would still take the live schema to the target
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("rollback undone: the schema after it does not equal the migration directory at %s (still to do: %s); check the down scripts",
		OrNone(e.Target), strings.Join(e.SQL, "; "))
}

// Step is one version to undo (Select), shared with the PostgreSQL
// rollback (internal/engine).
type Step struct {
	Rev  *migrate.Revision
	Up   migrate.File
	Down migrate.File // nil: computed
	Prev string       // version before Rev ("" = none)
	// Reconcile: not a version's revert, but the computed step that removes
	// the drift (live schema → the directory at Rev, which stays applied).
	Reconcile bool
}

// Scripted reports whether the step runs its down script: a computed step
// undoes drift, a missing script, or a partially applied file (its down
// script assumes a complete one).
func (s Step) Scripted() bool { return s.Down != nil && s.Rev.Applied == s.Rev.Total && !s.Reconcile }

// Computed says what a computed step (not Scripted) does, for the log.
func (s Step) Computed() string {
	switch {
	case s.Reconcile:
		return fmt.Sprintf("removing the drift (computed, with --force: live schema → directory at %s)", s.Rev.Version)
	case s.Down != nil:
		return fmt.Sprintf("reverting version %s (computed, partially applied: its down script assumes a complete file: live schema → directory at %s)", s.Rev.Version, OrNone(s.Prev))
	}
	return fmt.Sprintf("reverting version %s (computed, no down script: live schema → directory at %s)", s.Rev.Version, OrNone(s.Prev))
}

// UnitName names a step in the guard's messages and its detail key.
func (s Step) UnitName() string {
	if s.Reconcile {
		return "drift at version " + s.Rev.Version
	}
	return "version " + s.Rev.Version
}

// Run performs the rollback.
func Run(ctx context.Context, o Options) (*Result, error) {
	// The guard needs its hooks on the connection (an app's own handle,
	// through the startup API, has none yet).
	if err := sqlitedb.Adopt(ctx, o.DB); err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(o.DB)
	if err != nil {
		return nil, err
	}
	if !o.DryRun {
		unlock, err := dblock.Take(ctx, o.DB, dblock.Options{Wait: o.LockTimeout, Out: o.Out})
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	revs, err := revisions.New(o.DB).ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	target, steps, err := o.Select(revs)
	if err != nil || len(steps) == 0 {
		return &Result{Target: target}, err
	}
	want, err := stateAt(ctx, o.Dir, target)
	if err != nil {
		return nil, err
	}
	live, err := inspect(ctx, drv)
	if err != nil {
		return nil, err
	}
	res := &Result{Target: target}
	for _, s := range steps {
		res.Reverted = append(res.Reverted, s.Rev.Version)
	}
	// The drift step (below) reverts no version.
	// Objects the migrations did not make (drift) are not the rollback's
	// to remove: refuse unless forced. Forced, a computed step first takes
	// the database to the directory's state at its version, so the down
	// scripts run on the schema they were written for.
	if last := steps[0].Rev; last.Applied == last.Total {
		drift, err := plan.Drift(ctx, o.Dir, last.Version, drv, live)
		if err != nil {
			return nil, err
		}
		if len(drift) > 0 {
			derr := &DriftError{Version: last.Version, SQL: drift}
			if !o.Force {
				return nil, derr
			}
			fmt.Fprintf(o.Out, "  -- proceeding with --force: %v\n", derr)
			steps = append([]Step{{Rev: last, Reconcile: true, Prev: last.Version}}, steps...)
		}
	}
	// The restore point comes after the refusals above, and before the
	// space check below, which then counts the room the point took.
	if !o.DryRun && o.RestorePoint != nil {
		taken, err := o.RestorePoint.Before(ctx, o.DB, revs[len(revs)-1].Version, o.Out)
		if err != nil {
			return nil, err
		}
		// Pruned after the rollback, or removed when it changed nothing.
		defer taken.End(o.Out)
	}
	// A rebuild that cannot fit is refused before it begins (issue 11,
	// item 8). Only the first version's down script runs on the state seen
	// now; a computed step's statements exist only inside the transaction.
	if s := steps[0]; !o.DryRun && s.Down != nil {
		if err := apply.CheckSpace(ctx, o.DB, filepath.Join(o.Down.Path(), s.Down.Name()), s.Down); err != nil {
			return nil, err
		}
	}
	// Every version runs under the data-loss guard, all in one transaction;
	// where digests differ the whole rollback runs again value by value.
	log := apply.NewLogger(o.Out)
	if o.Progress {
		log.Progress = apply.ProgressInterval
	}
	var detail map[string]map[string]bool // version → tables
	// The first version begins on committed state: its state before is
	// measured on a second connection, in parallel (see guard.Options.Reader).
	reader, err := apply.Reader(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	if reader != nil {
		defer reader.Close()
	}
	for {
		tx, err := sqlitedb.OpenTx(ctx, o.DB, nil)
		if err != nil {
			return nil, err
		}
		// The writer spills only while the guard's reader is not reading;
		// the wait for locks is back before the commit, or after a rollback.
		restore := func(schema.ExecQuerier) error { return nil }
		if reader != nil {
			if restore, err = guard.SpillWithoutWaiting(ctx, tx); err != nil {
				return nil, errors.Join(err, tx.Rollback())
			}
		}
		rollback := func() error { return errors.Join(tx.Rollback(), restore(o.DB)) }
		suspects, err := o.run(ctx, tx, log, steps, target, want, res, detail, reader)
		if err != nil {
			return nil, errors.Join(err, rollback())
		}
		if len(suspects) > 0 && detail == nil {
			if err := rollback(); err != nil {
				return nil, err
			}
			detail = suspects
			log.Rerun() // the first run printed the statements
			res.Losses = nil
			continue
		}
		if o.DryRun {
			log.Done("version")
			fmt.Fprintln(o.Out, "\nDry run: the transaction was rolled back; nothing changed.")
			return res, rollback()
		}
		if err := restore(tx); err != nil {
			return nil, errors.Join(err, rollback())
		}
		if err := tx.Commit(); err != nil {
			return nil, runfile.CommitError("rollback", err)
		}
		log.Done("version")
		return res, nil
	}
}

// run reverts the steps in tx; it returns the tables whose digests differ
// (per version) when not in a detail run.
func (o Options) run(ctx context.Context, tx schema.ExecQuerier, log *apply.Logger, steps []Step, target string, want *schema.Schema, res *Result, detail map[string]map[string]bool, reader *sql.DB) (map[string]map[string]bool, error) {
	drv, err := sqlitedb.Driver(tx)
	if err != nil {
		return nil, err
	}
	store := revisions.New(tx)
	suspects := map[string]map[string]bool{}
	n := len(steps)
	if n > 0 && steps[0].Reconcile {
		n--
	}
	log.Intro("Rolling back %s to %s:", apply.Plural(n, "version"), OrNone(target))
	for i, s := range steps {
		opts := guard.Options{DB: o.DB, Name: s.UnitName(), Detail: detail[s.UnitName()]}
		if i == 0 {
			opts.Reader = reader
		}
		unit, err := guard.Begin(ctx, tx, opts)
		if err != nil {
			return nil, err
		}
		defer unit.Close(ctx)
		if s.Scripted() {
			unit.Prefetch(ctx, s.Down)
		}
		if err := o.revert(ctx, log, &apply.Guarded{Driver: drv, Unit: unit}, s); err != nil {
			log.Error(err)
			return nil, err
		}
		r, err := unit.End(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: measuring what it changed: %w", s.UnitName(), migdir.ExplainWrite(err))
		}
		if err := o.Settle(s, unit, r, detail == nil, suspects, res); err != nil {
			return nil, err
		}
		if s.Reconcile {
			log.FileDone()
			continue
		}
		if err := store.DeleteRevision(ctx, s.Rev.Version); err != nil {
			return nil, err
		}
		log.FileDone()
	}
	if len(suspects) > 0 {
		return suspects, nil
	}
	// The result must be the directory's state at the target version.
	got, err := inspect(ctx, drv)
	if err != nil {
		return nil, err
	}
	changes, err := plan.Diff(drv, got, want)
	if err != nil {
		return nil, err
	}
	if len(changes) > 0 {
		return nil, mismatch(ctx, drv, target, changes)
	}
	log.Note("verified: the schema equals the migration directory at %s", OrNone(target))
	return nil, nil
}

// Settle decides on step s's measurement r: in a first run, tables whose
// digests differ are suspects (noted for the detail run, which names the
// losses); in the detail run, a table that still differs only there is
// reported as measured. Then Judge.
func (o Options) Settle(s Step, unit guard.Writers, r *guard.Result, first bool, suspects map[string]map[string]bool, res *Result) error {
	if len(r.Suspects) > 0 {
		if first {
			suspects[s.UnitName()] = r.Suspects
		} else {
			r.SettleSuspects(s.UnitName())
		}
	}
	return o.Judge(s, unit, r.Losses, res)
}

// Judge refuses what a step lost unless its down script declares it
// (guard.Undeclared) or --force; a dry run only reports. It reads o's Down,
// Force, DryRun and Out.
func (o Options) Judge(s Step, unit guard.Writers, losses []guard.Loss, res *Result) error {
	var f migrate.File
	var path string
	if s.Scripted() {
		f, path = s.Down, filepath.Join(o.Down.Path(), s.Down.Name())
	}
	open, declared, err := guard.Undeclared(f, path, unit, losses)
	if err != nil {
		return err
	}
	for _, l := range declared {
		fmt.Fprintf(o.Out, "  -- declared data loss (atlas:nolint %s): %s\n", l.Kind.Code(), l)
	}
	return o.refuse(res, open, path)
}

// RunScript runs step s's down script (in folder downDir) on drv
// statement by statement, split by scan (the engine's scanner); a failing
// statement is named by file and line.
func RunScript(ctx context.Context, log *apply.Logger, drv migrate.Driver, s Step, downDir string, scan func(migrate.File) ([]*migrate.Stmt, error)) error {
	path := filepath.Join(downDir, s.Down.Name())
	log.File("reverting version %s (%s)", s.Rev.Version, path)
	stmts, err := scan(s.Down)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, st := range stmts {
		log.Stmt(st.Text)
		if _, err := drv.ExecContext(ctx, st.Text); err != nil {
			return &migdir.StmtError{Op: "reverting", Path: path, Line: migdir.Line(s.Down.Bytes(), st.Pos), Stmt: st.Text, Err: err}
		}
	}
	return nil
}

// revert undoes one version inside the transaction.
func (o Options) revert(ctx context.Context, log *apply.Logger, drv migrate.Driver, s Step) error {
	if s.Scripted() {
		return RunScript(ctx, log, drv, s, o.Down.Path(), migdir.StmtDecls)
	}
	log.File("%s", s.Computed())
	cur, err := inspect(ctx, drv)
	if err != nil {
		return err
	}
	want, err := stateAt(ctx, o.Dir, s.Prev)
	if err != nil {
		return err
	}
	changes, err := plan.Diff(drv, cur, want)
	if err != nil || len(changes) == 0 {
		return err
	}
	// Case-only name differences are renames, not drop + add.
	if changes, err = plan.DetectRenames(drv, changes); err != nil {
		return err
	}
	p, err := plan.PlanChanges(ctx, drv, "down", changes)
	if err != nil {
		return fmt.Errorf("plan the rollback of %s: %w", s.Rev.Version, err)
	}
	// Views and triggers survive table rebuilds (Atlas OSS does not plan them).
	objs, err := objects.Read(ctx, drv)
	if err != nil {
		return err
	}
	if _, err := plan.Preserve(p, objs); err != nil {
		return fmt.Errorf("plan the rollback of %s: %w", s.Rev.Version, err)
	}
	plan.KeepSequences(p, cur)
	if err := plan.CheckPlan(p); err != nil {
		return fmt.Errorf("plan the rollback of %s: %w", s.Rev.Version, err)
	}
	for _, c := range p.Changes {
		log.Stmt(c.Cmd)
		if _, err := drv.ExecContext(ctx, c.Cmd); err != nil {
			return fmt.Errorf("computed rollback of %s: %q: %w", s.Rev.Version, migdir.OneLine(c.Cmd, 80), err)
		}
	}
	return nil
}

// Select picks the versions to undo, newest first, and the target version,
// from o's To and Steps; it reads o's Dir, Down (validated) and Out.
func (o Options) Select(revs []*migrate.Revision) (string, []Step, error) {
	if len(revs) == 0 {
		fmt.Fprintln(o.Out, "Nothing to roll back: no migration is applied.")
		return "", nil, nil
	}
	from := len(revs) - 1 // index of the oldest revision to undo
	switch {
	case o.Steps > 0 && o.To != "":
		return "", nil, fmt.Errorf("rollback: give a number of versions or --to, not both")
	case o.Steps > len(revs):
		return "", nil, &StepsError{Steps: o.Steps, Applied: len(revs)}
	case o.Steps > 0:
		from = len(revs) - o.Steps
	}
	switch o.To {
	case "":
	case All:
		from = 0
	default:
		i := indexOf(revs, o.To)
		if i == -1 {
			return "", nil, fmt.Errorf("--to %s: version is not applied (applied: %s; use --to %s to undo everything)", o.To, versions(revs), All)
		}
		if i == len(revs)-1 {
			fmt.Fprintf(o.Out, "Nothing to roll back: the database is at %s.\n", o.To)
			return o.To, nil, nil
		}
		from = i + 1
	}
	files, err := o.Dir.Files()
	if err != nil {
		return "", nil, err
	}
	byVersion := make(map[string]migrate.File, len(files))
	for _, f := range files {
		byVersion[f.Version()] = f
	}
	var steps []Step
	for i := len(revs) - 1; i >= from; i-- {
		r := revs[i]
		if r.Type.Has(migrate.RevisionTypeBaseline) {
			return "", nil, fmt.Errorf("cannot roll back past the baseline %s: the database's state before it is not in the migration directory", r.Version)
		}
		up, ok := byVersion[r.Version]
		if !ok {
			return "", nil, fmt.Errorf("applied version %s has no file in %s; cannot roll it back", r.Version, o.Dir.Path())
		}
		s := Step{Rev: r, Up: up}
		if d, ok := o.Down.Script(up.Name()); ok {
			s.Down = d
		}
		if i > 0 {
			s.Prev = revs[i-1].Version
		}
		steps = append(steps, s)
	}
	target := ""
	if from > 0 {
		target = revs[from-1].Version
	}
	return target, steps, nil
}

// refuse stops on losses unless forced; a dry run only reports them. down
// is the down script that ran, where a reviewed loss can be declared; ""
// for a computed rollback.
func (o Options) refuse(res *Result, losses []guard.Loss, down string) error {
	if len(losses) == 0 {
		return nil
	}
	res.Losses = append(res.Losses, losses...)
	if o.Force {
		for _, l := range losses {
			fmt.Fprintf(o.Out, "  -- data loss accepted with --force: %s\n", l)
		}
		return nil
	}
	hint := "review it with --dry-run, back the database up, then use --force"
	if down != "" {
		rehash := o.Rehash
		if rehash == "" {
			rehash = "structmigrate hash"
		}
		hint = "review it with --dry-run; if intended, declare it in " + down + " with -- atlas:nolint DS102 (rows, tables) or DS103 (values, columns) on the statement and run `" + rehash + "`, or back the database up and use --force"
	}
	err := &guard.LossError{Op: "rollback", Losses: losses, Hint: hint}
	if o.DryRun {
		fmt.Fprintf(o.Out, "  -- would be refused without --force: %v\n", err)
		return nil
	}
	return err
}

func stateAt(ctx context.Context, dir migdir.Dir, version string) (*schema.Schema, error) {
	if version == "" {
		return schema.New("main"), nil
	}
	return plan.State(ctx, dir, version)
}

func inspect(ctx context.Context, drv migrate.Driver) (*schema.Schema, error) {
	return objects.Inspect(ctx, drv, &schema.InspectOptions{Exclude: []string{revisions.Table}})
}

func mismatch(ctx context.Context, drv migrate.Driver, target string, changes []schema.Change) error {
	e := &MismatchError{Target: target}
	sql, err := plan.SQL(ctx, drv, changes)
	if err != nil {
		sql = []string{fmt.Sprintf("%d changes (%v)", len(changes), err)}
	}
	e.SQL = sql
	return e
}

// DriftError refuses to roll back a database that no longer matches the
// directory at its current version: a computed plan would also undo the
// drift, and a down script's result could not be verified.
type DriftError struct {
	Version string
	SQL     []string
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("the database has drifted from the migration directory at %s (to reconcile: %s); nothing was changed (fix the drift first, or use --force to roll back to the directory's state anyway)",
		e.Version, strings.Join(e.SQL, "; "))
}

// StepsError refuses to undo more versions than are applied (as Alembic's
// downgrade -N does): the count was likely meant for another database.
type StepsError struct{ Steps, Applied int }

func (e *StepsError) Error() string {
	return fmt.Sprintf("rollback %d: only %d applied; nothing was changed (N counts versions: for a version use --to VERSION; --to %s undoes everything)",
		e.Steps, e.Applied, All)
}

func indexOf(revs []*migrate.Revision, v string) int {
	for i, r := range revs {
		if r.Version == v {
			return i
		}
	}
	return -1
}

func versions(revs []*migrate.Revision) string {
	vs := make([]string, len(revs))
	for i, r := range revs {
		vs[i] = r.Version
	}
	return strings.Join(vs, ", ")
}

// OrNone names a version, or the empty database.
func OrNone(v string) string {
	if v == "" {
		return "none (empty database)"
	}
	return v
}
