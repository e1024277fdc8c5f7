// Package plan computes the next migration: the migration directory replayed
// on an in-memory dev database (current state) diffed against the desired
// state, planned by Atlas's SQLite driver and written in the Atlas format.
package plan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/gormddl"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// State replays dir on a fresh dev database, up to and including version
// (all files when version is empty), and returns the resulting schema.
func State(ctx context.Context, dir migdir.Dir, version string) (*schema.Schema, error) {
	s, _, err := Replay(ctx, dir, version)
	return s, err
}

// Replay is State that also returns the views and triggers the files made
// (Atlas does not inspect them). It runs the statements one after another
// on one connection — what Atlas's Executor.Replay does, without re-hashing
// the whole directory for every file (quadratic on long histories).
func Replay(ctx context.Context, dir migdir.Dir, version string) (*schema.Schema, []objects.Object, error) {
	dev, err := replay(ctx, dir, version)
	if err != nil {
		return nil, nil, err
	}
	defer dev.Close()
	return inspect(ctx, dev)
}

// replay runs dir's files up to version on a fresh dev database and returns
// it open, holding the rows the files insert.
func replay(ctx context.Context, dir migdir.Dir, version string) (*sqlitedb.Dev, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	if version != "" {
		i := slices.IndexFunc(files, func(f migrate.File) bool { return f.Version() == version })
		if i == -1 {
			return nil, fmt.Errorf("migration version %q is not in %s", version, dir.Path())
		}
		files = files[:i+1]
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		// As apply runs it (runfile): what replays here is what a database
		// that applied the directory holds.
		if err := runfile.Replay(ctx, dev.DB, f, filepath.Join(dir.Path(), f.Name()), "replaying", nil); err != nil {
			dev.Close()
			return nil, err
		}
	}
	return dev, nil
}

// inspect returns dev's schema (its views and triggers attached) and its
// views and triggers.
func inspect(ctx context.Context, dev *sqlitedb.Dev) (*schema.Schema, []objects.Object, error) {
	s, err := objects.Inspect(ctx, dev.Driver, nil)
	if err != nil {
		return nil, nil, err
	}
	return s, objects.Of(s), nil
}

// Diff returns the changes that take current to desired: the tables with
// Atlas's normalised comparison (the same as `atlas migrate diff`), then
// the views and triggers (objects.Diff; Atlas's SQLite driver has none).
func Diff(drv migrate.Driver, current, desired *schema.Schema) ([]schema.Change, error) {
	normalizeInlineUniques(current)
	normalizeInlineUniques(desired)
	// Declared types compare as written, as GORM's AutoMigrate compares them.
	gormddl.Compare(current)
	gormddl.Compare(desired)
	from, to := *current, *desired
	from.Name = to.Name // one schema in scope: never compare its name
	changes, err := drv.SchemaDiff(&from, &to, schema.DiffNormalized())
	if err != nil {
		return nil, err
	}
	return append(changes, objects.Diff(current, desired)...), nil
}

// Result is a generated migration.
type Result struct {
	Plan *migrate.Plan
	File migrate.File // formatted, not yet written
	// Down reverts File: the plan from the desired state back to the
	// directory's current one, computed now so a reviewer sees both.
	Down migrate.File
}

// Input is what Next needs besides the directory.
type Input struct {
	Desired       *schema.Schema
	Version, Name string           // the file is <Version>_<Name>.sql
	Renames       *desired.Renames // renames stated in the structs; may be nil
	Ask           Asker            // asks about possible renames; nil never asks
	Backfill      bool             // write a reviewed backfill for NOT NULL columns without default
	// Exclude lists glob patterns of tables (TABLE.COLUMN: columns) no model
	// owns, e.g. an audit table: they are left out of the comparison.
	Exclude []string
}

// Next computes the migration from dir's state to the desired one, and its
// down script. It returns a nil Result when the directory is in sync.
func Next(ctx context.Context, dir migdir.Dir, in Input) (*Result, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	// desired.Schema refuses these names and says which struct has them.
	if err := ident.CheckSchema(in.Desired); err != nil {
		return nil, ident.At(err, "models")
	}
	if err := CheckExclude(in.Desired, in.Exclude); err != nil {
		return nil, err
	}
	dev, err := replay(ctx, dir, "")
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	current, objs, err := inspect(ctx, dev)
	if err != nil {
		return nil, err
	}
	if err := Exclude(current, in.Exclude); err != nil {
		return nil, err
	}
	changes, err := Diff(dev.Driver, current, in.Desired)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	changes, done, err := renames(dev.Driver, changes, in.Renames, in.Ask)
	if err != nil {
		return nil, err
	}
	up, p, err := build(ctx, dev.Driver, current, changes, in.Version, in.Name, in.Backfill, false, objs)
	if err != nil {
		// The desired names are checked above: a refused one is the directory's.
		return nil, ident.At(err, dir.Path())
	}
	reverse, err := Diff(dev.Driver, in.Desired, current)
	if err != nil {
		return nil, err
	}
	if reverse, _, err = renames(dev.Driver, reverse, inverse(done), nil); err != nil {
		return nil, err
	}
	// The down script is not refused for NOT NULL: it returns to a state
	// the directory already had; if NULLs were written since, its table
	// copy fails inside the rollback's transaction and nothing changes.
	// The down script runs on the desired state: its views and triggers,
	// or, when the structs declare none, the directory's, which the up
	// file leaves alone.
	downObjs := objs
	if objects.Known(in.Desired) {
		downObjs = objects.Of(in.Desired)
	}
	down, _, err := build(ctx, dev.Driver, in.Desired, reverse, in.Version, in.Name, false, true, downObjs)
	if err != nil {
		return nil, fmt.Errorf("plan the down script: %w", ident.At(err, dir.Path()))
	}
	// Refuse, before anything is written, a file the directory's own
	// replay would reject.
	if err := verify(ctx, dev, dir, current, up, down, in.Exclude); err != nil {
		return nil, err
	}
	return &Result{Plan: p, File: up, Down: down}, nil
}

// build plans changes and renders the file <version>_<name>.sql. An up
// file refuses NOT NULL columns without default added to existing tables
// (or, with backfill, splits them and tightened columns around a reviewed
// UPDATE). A down script re-adds a dropped NOT NULL column without default
// filled with its zero value: SQLite refuses ADD COLUMN … NOT NULL without a
// default, and the dropped values cannot come back anyway. Views and
// triggers, and AUTOINCREMENT counters (from is the schema the plan starts
// at), are kept across table rebuilds. A table copy moves values as
// Atlas writes it (`col`, or IFNULL(`col`, default)), never with CAST:
// SQLite then applies the new column's affinity, which converts only values
// it can represent, where CAST(x AS datetime) would turn '1986-10-16…' into
// 1986.
func build(ctx context.Context, drv migrate.Driver, from *schema.Schema, changes []schema.Change, version, name string, backfill, down bool, objs []objects.Object) (migrate.File, *migrate.Plan, error) {
	var (
		p   *migrate.Plan
		err error
	)
	changes, objChanges := objects.Split(changes)
	nn := notNulls(changes)
	added := slices.DeleteFunc(slices.Clone(nn), func(n notNull) bool { return n.tighten })
	switch {
	case len(changes) == 0: // views and triggers only
		p = &migrate.Plan{Name: name, Reversible: true, Transactional: true}
	case down && len(added) > 0:
		p, err = planBackfill(ctx, drv, changes, added, name, false)
	case down:
		p, err = gormddl.Plan(ctx, drv, name, changes, unqualified)
	case len(added) > 0 && !backfill:
		return nil, nil, &NotNullError{Table: added[0].mt.T.Name, Column: added[0].col.Name}
	case len(nn) > 0 && backfill:
		p, err = planBackfill(ctx, drv, changes, nn, name, true)
	default:
		p, err = PlanChanges(ctx, drv, name, changes)
	}
	if err != nil {
		return nil, nil, err
	}
	Splice(p, objChanges)
	// Views and triggers survive table rebuilds (Atlas OSS does not plan them).
	if _, err := Preserve(p, objs); err != nil {
		return nil, nil, err
	}
	KeepSequences(p, from)
	if err := CheckPlan(p); err != nil {
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
	p, err := PlanChanges(ctx, drv, "show", changes)
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
	return DriftSQL(ctx, drv, live, want, dir.Path())
}

// DriftSQL returns the statements that would take the live schema to want,
// the state of the directory at dirPath; none when they match. A name they
// would need and Atlas cannot write is refused, saying which side has it.
func DriftSQL(ctx context.Context, drv migrate.Driver, live, want *schema.Schema, dirPath string) ([]string, error) {
	changes, err := Diff(drv, live, want)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	sql, err := SQL(ctx, drv, changes)
	var ne *ident.NameError
	if errors.As(err, &ne) {
		where := dirPath
		if _, ok := live.Table(ne.InTable()); ok {
			where = "the live database"
		}
		return nil, ident.At(err, where)
	}
	return sql, err
}

// unqualified plans statements without a schema prefix, as `atlas migrate
// diff` does for SQLite.
func unqualified(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) }
