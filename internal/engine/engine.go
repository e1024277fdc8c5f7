// Package engine runs diff, apply, status, lint, baseline and set over a
// dialect.Dialect: the Atlas library's planner and executor with the
// dialect's driver, dev database, lock and revisions store. PostgreSQL
// goes through it; SQLite keeps its own packages (plan, apply, guard,
// status), which add what this one does not have yet: rename detection,
// down scripts.
package engine

import (
	"context"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
)

// Target is an env's database: its dialect, url and dev url ("": a
// temporary database on the url's server).
type Target struct {
	Dialect dialect.Dialect
	URL     string
	Dev     string
}

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
		if rerr := restore(ctx); rerr != nil {
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
// directory's state to the models'. It returns nil when they agree;
// unless Check, it writes the file and atlas.sum.
func Diff(ctx context.Context, in DiffInput) (migrate.File, error) {
	dev, err := in.Target.Dialect.Dev(ctx, in.Target.URL, in.Target.Dev)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	f, err := diff(ctx, in, dev)
	return f, errors.Join(err, dev.Close())
}

func diff(ctx context.Context, in DiffInput, dev *dialect.Dev) (migrate.File, error) {
	want, err := Desired(ctx, in.Target, dev, in.Models)
	if err != nil {
		return nil, err
	}
	pl := planner(dev, in.Dir, !in.Check)
	plan, err := pl.PlanSchema(ctx, in.Name, migrate.Realm(schema.NewRealm(want)))
	if errors.Is(err, migrate.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	plan.Version = in.Version
	files, err := migrate.DefaultFormatter.Format(plan)
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("diff: the plan formats as %d files, want 1", len(files))
	}
	if !in.Check {
		if err := pl.WritePlan(plan); err != nil {
			return nil, err
		}
	}
	return files[0], nil
}
