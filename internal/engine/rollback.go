package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/rollback"
	"github.com/structmigrate/structmigrate/internal/status"
)

// RollbackInput is a rollback of applied versions (internal/rollback's
// choices: N, --to, --steps, --dry-run, --force).
type RollbackInput struct {
	Target Target
	DB     *sql.DB // the target, opened (Open)
	Dir    migdir.Dir
	Down   *migdir.Down // validated against Dir
	To     string       // target version; "" undoes the last one, rollback.All every one
	Steps  int          // undo this many versions, newest first
	DryRun bool         // run it, print it, roll it back
	Force  bool         // proceed when data would be lost
	Out    io.Writer
	Wait   time.Duration // for the lock
	Rehash string        // the command that re-hashes the down scripts, for hints

	holder int64 // the session holding the lock for the run (lockHolder)
}

// Rollback undoes applied versions as SQLite's rollback does
// (internal/rollback, whose step selection and loss judgement it shares):
// newest first, each by its down script or, without one, by the plan from
// the live schema to the directory's state at the previous version
// (replayed on the dev database). Everything, the revisions rows too, runs
// in one transaction (DDL is transactional on PostgreSQL) under the Atlas
// CLI's apply lock and the data-loss guard; it commits only when the live
// schema then equals the directory at the target and no loss went
// undeclared. A dry run does all of it and rolls back.
func Rollback(ctx context.Context, in RollbackInput) (*rollback.Result, error) {
	d := in.Target.Dialect
	// A dry run locks too: it must see the revisions and the schema of
	// the same moment, and it holds DDL locks while it runs.
	holder, unlock, err := runLock(ctx, lockInput{in.Target, in.DB, in.Wait, in.Out}, "rollback")
	if err != nil {
		return nil, err
	}
	defer unlock()
	in.holder = holder
	revs, err := d.Revisions(in.DB).ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	if err := status.CheckHistory(in.Dir, revs); err != nil {
		return nil, err
	}
	o := rollback.Options{Dir: in.Dir, Down: in.Down, To: in.To, Steps: in.Steps, DryRun: in.DryRun, Force: in.Force, Out: in.Out, Rehash: in.Rehash}
	target, steps, err := o.Select(revs)
	if err != nil || len(steps) == 0 {
		return &rollback.Result{Target: target}, err
	}
	dev, err := in.Target.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	res, err := in.rollback(ctx, o, &replays{dev: dev, dir: in.Dir}, target, steps)
	return res, errors.Join(err, dev.Close())
}

func (in RollbackInput) rollback(ctx context.Context, o rollback.Options, states *replays, target string, steps []rollback.Step) (*rollback.Result, error) {
	want, err := states.at(ctx, target)
	if err != nil {
		return nil, err
	}
	drv, err := in.Target.Dialect.Driver(in.DB)
	if err != nil {
		return nil, err
	}
	res := &rollback.Result{Target: target}
	for _, s := range steps {
		res.Reverted = append(res.Reverted, s.Rev.Version)
	}
	// Drift is not the rollback's to remove: refused unless forced, and
	// forced, a computed step first takes the database to the directory at
	// its version, so the down scripts run on the schema they were written
	// for (as on SQLite).
	if last := steps[0].Rev; last.Applied == last.Total {
		at, err := states.at(ctx, last.Version)
		if err != nil {
			return nil, err
		}
		live, err := inspectLive(ctx, drv)
		if err != nil {
			return nil, err
		}
		drift, err := changesSQL(ctx, drv, live, at)
		if err != nil {
			return nil, err
		}
		if len(drift) > 0 {
			derr := &rollback.DriftError{Version: last.Version, SQL: drift}
			if !in.Force {
				return nil, derr
			}
			fmt.Fprintf(in.Out, "  -- proceeding with --force: %v\n", derr)
			steps = append([]rollback.Step{{Rev: last, Reconcile: true, Prev: last.Version}}, steps...)
		}
	}
	log := apply.NewLogger(in.Out)
	// Where digests differ the whole rollback runs again, value by value.
	var detail map[string]map[string]bool // step → tables
	for {
		tx, err := in.DB.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		suspects, err := in.run(ctx, o, tx, states, log, steps, target, want, res, detail)
		if err != nil {
			return nil, errors.Join(err, tx.Rollback())
		}
		if len(suspects) > 0 && detail == nil {
			if err := tx.Rollback(); err != nil {
				return nil, err
			}
			detail = suspects
			log.Rerun() // the first run printed the statements
			res.Losses = nil
			continue
		}
		if in.DryRun {
			log.Done("version")
			fmt.Fprintln(in.Out, "\nDry run: the transaction was rolled back; nothing changed.")
			return res, tx.Rollback()
		}
		if err := stillHeld(ctx, tx, in.holder, "rollback"); err != nil {
			return nil, errors.Join(err, tx.Rollback())
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("rollback not committed; the transaction was rolled back (%w)", err)
		}
		log.Done("version")
		return res, nil
	}
}

// run reverts the steps in tx, each measured by its own guard unit, and
// deletes their revisions rows; it returns the tables whose digests differ
// (per step) when not in a detail run, and refuses a result that is not
// the directory's state at the target.
func (in RollbackInput) run(ctx context.Context, o rollback.Options, tx *sql.Tx, states *replays, log *apply.Logger, steps []rollback.Step, target string, want *schema.Schema, res *rollback.Result, detail map[string]map[string]bool) (map[string]map[string]bool, error) {
	d := in.Target.Dialect
	drv, err := d.Driver(tx)
	if err != nil {
		return nil, err
	}
	store := d.Revisions(tx)
	suspects := map[string]map[string]bool{}
	n := len(steps)
	if steps[0].Reconcile {
		n--
	}
	log.Intro("Rolling back %s to %s:", apply.Plural(n, "version"), rollback.OrNone(target))
	for i, s := range steps {
		opts := guard.Options{Name: s.UnitName(), Detail: detail[s.UnitName()]}
		if i == 0 {
			// Only the first step begins on committed state.
			opts.Reader = spareReader(in.DB)
		}
		unit, err := guard.BeginPG(ctx, tx, opts)
		if err != nil {
			return nil, err
		}
		defer unit.Close()
		if err := in.revert(ctx, log, &guardedDriver{Driver: drv, unit: unit}, states, s); err != nil {
			log.Error(err)
			return nil, err
		}
		r, err := unit.End(ctx)
		if err != nil {
			return nil, err
		}
		if err := o.Settle(s, unit, r, detail == nil, suspects, res); err != nil {
			return nil, err
		}
		if !s.Reconcile {
			if err := store.DeleteRevision(ctx, s.Rev.Version); err != nil {
				return nil, err
			}
		}
		log.FileDone()
	}
	if len(suspects) > 0 {
		return suspects, nil
	}
	got, err := inspectLive(ctx, drv)
	if err != nil {
		return nil, err
	}
	left, err := changesSQL(ctx, drv, got, want)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, &rollback.MismatchError{Target: target, SQL: left}
	}
	log.Note("verified: the schema equals the migration directory at %s", rollback.OrNone(target))
	return nil, nil
}

// revert undoes one step on drv, the transaction's driver under the guard.
func (in RollbackInput) revert(ctx context.Context, log *apply.Logger, drv migrate.Driver, states *replays, s rollback.Step) error {
	if s.Scripted() {
		// The driver's scanner: dollar quotes, BEGIN ATOMIC bodies.
		scan := func(f migrate.File) ([]*migrate.Stmt, error) {
			return drv.(migrate.StmtScanner).ScanStmts(string(f.Bytes()))
		}
		return rollback.RunScript(ctx, log, drv, s, in.Down.Path(), scan)
	}
	log.File("%s", s.Computed())
	cur, err := inspectLive(ctx, drv)
	if err != nil {
		return err
	}
	want, err := states.at(ctx, s.Prev)
	if err != nil {
		return err
	}
	p, err := planChanges(ctx, drv, "down", cur, want)
	if err != nil || p == nil {
		return err
	}
	for _, c := range p.Changes {
		log.Stmt(c.Cmd)
		if _, err := drv.ExecContext(ctx, c.Cmd); err != nil {
			return fmt.Errorf("computed rollback of %s: %q: %w", s.Rev.Version, migdir.OneLine(c.Cmd, 80), err)
		}
	}
	return nil
}

// replays are the directory's states replayed on dev during one rollback,
// each replayed once: the target's is also the last computed step's, the
// drift check's the reconcile step's, and a detail run replays none again.
type replays struct {
	dev  *dialect.Dev
	dir  migdir.Dir
	done map[string]*schema.Schema
}

func (r *replays) at(ctx context.Context, version string) (*schema.Schema, error) {
	if s, ok := r.done[version]; ok {
		return s, nil
	}
	s, err := stateAt(ctx, r.dev, r.dir, version)
	if err != nil {
		return nil, err
	}
	if r.done == nil {
		r.done = map[string]*schema.Schema{}
	}
	r.done[version] = s
	return s, nil
}

// stateAt is the directory's state at version replayed on dev; "" is the
// empty schema.
func stateAt(ctx context.Context, dev *dialect.Dev, dir migdir.Dir, version string) (*schema.Schema, error) {
	if version == "" {
		return schema.New(""), nil
	}
	realm, err := replayRealm(ctx, dev, dir, version)
	if err != nil {
		return nil, fmt.Errorf("replay %s to %s on the dev database: %w", dir.Path(), version, err)
	}
	if len(realm.Schemas) != 1 {
		return nil, errors.New("replay: the directory's state is not one schema")
	}
	return realm.Schemas[0], nil
}

// inspectLive is the schema the url connects to (PostgreSQL's search
// path, e.g. public); the revisions table lives in a schema of its own.
func inspectLive(ctx context.Context, drv migrate.Driver) (*schema.Schema, error) {
	return drv.InspectSchema(ctx, "", nil)
}
