// Package plan computes the next migration: the migration directory replayed
// on an in-memory dev database (current state) diffed against the desired
// state, planned by Atlas's SQLite driver and written in the Atlas format.
package plan

import (
	"context"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// State replays dir on a fresh dev database, up to and including version
// (all files when version is empty), and returns the resulting schema.
func State(ctx context.Context, dir migdir.Dir, version string) (*schema.Schema, error) {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	ex, err := migrate.NewExecutor(dev.Driver, dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return nil, err
	}
	var opts []migrate.ReplayOption
	if version != "" {
		opts = append(opts, migrate.ReplayToVersion(version))
	}
	realm, err := ex.Replay(ctx, migrate.SchemaConn(dev.Driver, "", nil), opts...)
	if err != nil {
		return nil, replayError(dir, err)
	}
	if len(realm.Schemas) != 1 {
		return nil, fmt.Errorf("replaying the migration directory gave %d schemas, want 1", len(realm.Schemas))
	}
	return realm.Schemas[0], nil
}

// Diff returns the changes that take current to desired, using Atlas's
// normalised comparison (the same as `atlas migrate diff`).
func Diff(drv migrate.Driver, current, desired *schema.Schema) ([]schema.Change, error) {
	from, to := *current, *desired
	from.Name = to.Name // one schema in scope: never compare its name
	return drv.SchemaDiff(&from, &to, schema.DiffNormalized())
}

// Result is a generated migration.
type Result struct {
	Plan *migrate.Plan
	File migrate.File // formatted, not yet written
	// Down reverts File: the plan from the desired state back to the
	// directory's current one, computed now so a reviewer sees both.
	Down migrate.File
}

// Next computes the migration from dir's state to desired, as file
// <version>_<name>.sql. It returns a nil Result when the directory is
// already in sync.
func Next(ctx context.Context, dir migdir.Dir, desired *schema.Schema, version, name string) (*Result, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	current, err := State(ctx, dir, "")
	if err != nil {
		return nil, err
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	changes, err := Diff(dev.Driver, current, desired)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	up, p, err := format(ctx, dev.Driver, changes, version, name)
	if err != nil {
		return nil, err
	}
	reverse, err := Diff(dev.Driver, desired, current)
	if err != nil {
		return nil, err
	}
	down, _, err := format(ctx, dev.Driver, reverse, version, name)
	if err != nil {
		return nil, fmt.Errorf("plan the down script: %w", err)
	}
	return &Result{Plan: p, File: up, Down: down}, nil
}

// format plans changes and renders them as the file <version>_<name>.sql.
func format(ctx context.Context, drv migrate.Driver, changes []schema.Change, version, name string) (migrate.File, *migrate.Plan, error) {
	p, err := drv.PlanChanges(ctx, name, changes, unqualified)
	if err != nil {
		return nil, nil, err
	}
	p.Version = version
	files, err := migrate.DefaultFormatter.Format(p)
	if err != nil {
		return nil, nil, err
	}
	return files[0], p, nil
}

// SQL renders changes as the statements Atlas would plan for them, without
// the PRAGMA foreign_keys bracket, to show a difference to a person.
func SQL(ctx context.Context, drv migrate.Driver, changes []schema.Change) ([]string, error) {
	p, err := drv.PlanChanges(ctx, "show", changes, unqualified)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range p.Changes {
		if !strings.HasPrefix(c.Cmd, "PRAGMA foreign_keys") {
			out = append(out, c.Cmd)
		}
	}
	return out, nil
}

// Drift returns the statements that would take the live schema to the
// directory's state at version; none when they match.
func Drift(ctx context.Context, dir migdir.Dir, version string, drv migrate.Driver, live *schema.Schema) ([]string, error) {
	want := schema.New("main")
	if version != "" {
		var err error
		if want, err = State(ctx, dir, version); err != nil {
			return nil, err
		}
	}
	changes, err := Diff(drv, live, want)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	return SQL(ctx, drv, changes)
}

// unqualified plans statements without a schema prefix, as `atlas migrate
// diff` does for SQLite.
func unqualified(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) }

func replayError(dir migdir.Dir, err error) error {
	if se := migdir.AsStmtError(dir, "replaying", err); se != nil {
		return se
	}
	return err
}
