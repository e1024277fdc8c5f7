// Package engine runs diff (with its down script), apply, rollback,
// status, lint, baseline and set over a dialect.Dialect: the Atlas library's
// planner and executor with the dialect's driver, dev database, lock and
// revisions store, under the data-loss guard (guard.PGUnit). PostgreSQL
// goes through it; SQLite keeps its own packages (plan, apply, rollback,
// guard, status), which add what this one does not have yet, e.g. rename
// detection.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
)

// Target is an env's database: its dialect, url and dev url ("": a
// temporary database on the url's server).
type Target struct {
	Dialect dialect.Dialect
	URL     string
	Dev     string
	// DevBeside, when set, is the pool whose server the dev database is
	// made on (dialect.DevBeside): the start-up API has a pool, no url.
	DevBeside *sql.DB
}

// openDev opens the dev database: the env's dev url, or a temporary one
// on the target's server. Its failure is a *DevError.
func (t Target) openDev(ctx context.Context) (*dialect.Dev, error) {
	var (
		dev *dialect.Dev
		err error
	)
	if t.DevBeside != nil && t.Dev == "" {
		dev, err = dialect.DevBeside(ctx, t.DevBeside)
	} else {
		dev, err = t.Dialect.Dev(ctx, t.URL, t.Dev)
	}
	if err != nil && ctx.Err() == nil {
		return nil, &DevError{Err: err}
	}
	return dev, err
}

// DevError is a dev database that could not be had (e.g. the role may
// not create a temporary one).
type DevError struct{ Err error }

func (e *DevError) Error() string { return e.Err.Error() }

func (e *DevError) Unwrap() error { return e.Err }

// Models are the structs and how their desired state is built.
type Models struct {
	List    []any
	Options desired.Options
}

// Desired is the schema GORM's AutoMigrate creates for the models on the
// dev database, as the dialect's Atlas driver inspects it (the connected
// schema, e.g. PostgreSQL's public). The dev database is left empty.
func Desired(ctx context.Context, t Target, dev *dialect.Dev, m Models) (_ *schema.Schema, err error) {
	restore, err := dev.Driver.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("dev database: %w", err)
	}
	defer func() {
		// Not ctx: an env's dev database must be left empty after a
		// cancel too (as lint's).
		if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
			err = errors.Join(err, fmt.Errorf("dev database: clean up: %w", rerr))
		}
	}()
	if err := m.Options.AutoMigrate(ctx, t.Dialect.Gorm(dev.DB), m.List...); err != nil {
		return nil, err
	}
	s, err := dev.Driver.InspectSchema(ctx, "", nil)
	if err != nil {
		return nil, fmt.Errorf("desired: inspect: %w", err)
	}
	return s, nil
}

// planner plans from dir's replay on dev, unqualified (the files run in
// whatever schema the url connects to, as SQLite's files do).
func planner(dev *dialect.Dev, dir migrate.Dir, sum bool) *migrate.Planner {
	return migrate.NewPlanner(dev.Driver, dir,
		migrate.PlanWithSchemaQualifier(""),
		migrate.PlanWithDiffOptions(schema.DiffNormalized()),
		migrate.PlanWithChecksum(sum))
}

// DiffInput is a diff of the models against the directory.
type DiffInput struct {
	Target  Target
	Dir     migdir.Dir
	Models  Models
	Name    string
	Version string // the new file's version (migdir.NextVersion)
	Check   bool   // write nothing
}

// Diff plans the next migration file: the statements that take the
// directory's state to the models'; and its down script, the plan from
// the models' state back to the directory's, computed as SQLite's are
// (plan.Next): both run on the dev database after the replayed directory,
// and the down script must bring it back to the directory's state. It
// returns nil when they agree; unless Check, it writes the file and
// atlas.sum, and the down script and down/atlas.sum.
func Diff(ctx context.Context, in DiffInput) (*plan.Result, error) {
	dev, err := in.Target.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	r, err := diff(ctx, in, dev)
	return r, errors.Join(err, dev.Close())
}

func diff(ctx context.Context, in DiffInput, dev *dialect.Dev) (*plan.Result, error) {
	want, err := Desired(ctx, in.Target, dev, in.Models)
	if err != nil {
		return nil, err
	}
	// Before Atlas writes the names into SQL (the replay below runs it).
	if err := ident.CheckSchemaPG(want); err != nil {
		return nil, ident.At(err, "models")
	}
	if err := checkSerials(want); err != nil {
		return nil, ident.At(err, "models")
	}
	pl := planner(dev, in.Dir, !in.Check)
	p, err := pl.PlanSchema(ctx, in.Name, migrate.Realm(schema.NewRealm(want)))
	if errors.Is(err, migrate.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.Version = in.Version
	up, err := format(p)
	if err != nil {
		return nil, err
	}
	if in.Check {
		return &plan.Result{Plan: p, File: up}, nil
	}
	realm, err := replayRealm(ctx, dev, in.Dir, "")
	if err != nil {
		return nil, err
	}
	if len(realm.Schemas) != 1 {
		return nil, errors.New("replay: the directory's state is not one schema")
	}
	current := realm.Schemas[0]
	if err := ident.CheckSchemaPG(current); err != nil {
		return nil, ident.At(err, in.Dir.Path())
	}
	dp, err := planChanges(ctx, dev.Driver, in.Name, want, current)
	if err != nil {
		return nil, fmt.Errorf("plan the down script: %w", err)
	}
	if dp == nil {
		dp = &migrate.Plan{Name: in.Name, Reversible: true, Transactional: true}
	}
	dp.Version = in.Version
	down, err := format(dp)
	if err != nil {
		return nil, err
	}
	// Refuse, before anything is written, a file that fails on the
	// directory's own state (its seed rows) or a down script that does not
	// undo it.
	if err := verify(ctx, dev, in.Dir, current, up, down, filepath.Join(in.Dir.Path(), migdir.DownDirName)); err != nil {
		return nil, err
	}
	downs, err := migdir.OpenDown(in.Dir, true)
	if err != nil {
		return nil, err
	}
	if _, err := migdir.WriteFile(downs.Dir, down.Name(), down.Bytes()); err != nil {
		return nil, err
	}
	if err := pl.WritePlan(p); err != nil {
		return nil, err
	}
	return &plan.Result{Plan: p, File: up, Down: down}, nil
}

// format renders p as one file in the Atlas format.
func format(p *migrate.Plan) (migrate.File, error) {
	files, err := migrate.DefaultFormatter.Format(p)
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("diff: the plan formats as %d files, want 1", len(files))
	}
	return files[0], nil
}
