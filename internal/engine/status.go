package engine

import (
	"context"
	"database/sql"
	"errors"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/status"
)

// StatusInput is a status check of the target; Models nil skips the
// structs check.
type StatusInput struct {
	Target Target
	DB     *sql.DB
	Dir    migdir.Dir
	Models *Models
	// OnDesiredError, when set, is given the *DesiredError of models whose
	// desired state cannot be built, and Status goes on without the structs
	// drift (the database drift still computed, on the same dev database);
	// unset, Status fails with it.
	OnDesiredError func(*DesiredError)
}

// Status reports the target's versions and pending files as the Atlas
// CLI's `migrate status` does, and the drift: the statements a migration
// generated from the structs would hold (StructsDrift), and those that
// would take the live schema to the directory's state at the database's
// version (DatabaseDrift). It changes nothing on the target.
func Status(ctx context.Context, in StatusInput) (*status.Report, error) {
	r, err := Versions(ctx, in.Target, in.DB, in.Dir)
	if err != nil || len(r.OutOfOrder) > 0 {
		// Out of order: the state at the database's version is not the
		// directory's prefix.
		return r, err
	}
	drv, err := in.Target.Dialect.Driver(in.DB)
	if err != nil {
		return nil, err
	}
	dev, err := in.Target.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	if err := drift(ctx, in, r, drv, dev); err != nil {
		return nil, err
	}
	return r, dev.Close()
}

// Versions is the report without drift: versions, pending files and
// errors, from the revisions alone (no dev database).
func Versions(ctx context.Context, t Target, db *sql.DB, dir migdir.Dir) (*status.Report, error) {
	d := t.Dialect
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	drv, err := d.Driver(db)
	if err != nil {
		return nil, err
	}
	store := d.Revisions(db)
	revs, err := store.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	if err := status.CheckHistory(dir, revs); err != nil {
		return nil, err
	}
	r, err := status.Versions(ctx, drv, store, dir)
	var nc *migrate.NotCleanError
	if errors.As(err, &nc) {
		return nil, &NotCleanError{Reason: nc.Reason}
	}
	if err != nil {
		return nil, err
	}
	r.Driver = string(d.Name()) // the Atlas CLI's name too: "postgres"
	return r, nil
}

func drift(ctx context.Context, in StatusInput, r *status.Report, live migrate.Driver, dev *dialect.Dev) error {
	if in.Models != nil {
		want, err := Desired(ctx, in.Target, dev, *in.Models)
		switch {
		case err == nil:
			head, ok, err := replay(ctx, r, dev, in.Dir, "")
			if err != nil || !ok {
				return err
			}
			if r.StructsDrift, err = changesSQL(ctx, dev.Driver, head, want); err != nil {
				return err
			}
		case ctx.Err() != nil:
			return err
		case in.OnDesiredError == nil:
			return &DesiredError{Err: err}
		default:
			in.OnDesiredError(&DesiredError{Err: err})
		}
	}
	at := ""
	if len(r.Applied) == 0 {
		return nil // nothing applied: the database was checked clean by Versions
	}
	at = r.Applied[len(r.Applied)-1].Version
	want, ok, err := replay(ctx, r, dev, in.Dir, at)
	if err != nil || !ok {
		return err
	}
	got, err := live.InspectSchema(ctx, "", nil)
	if err != nil {
		return err
	}
	r.DatabaseDrift, err = changesSQL(ctx, dev.Driver, got, want)
	return err
}

// replay returns dir's state at version ("": all files) on dev. A file that
// does not replay is the report's ReplayError, not an error of status.
func replay(ctx context.Context, r *status.Report, dev *dialect.Dev, dir migdir.Dir, version string) (*schema.Schema, bool, error) {
	s, err := replayAt(ctx, dev, dir, version)
	var re *ReplayError
	if errors.As(err, &re) {
		r.ReplayError = re.Err.Error()
		return nil, false, nil
	}
	return s, err == nil, err
}

// DesiredError is models whose desired state could not be built on the
// empty dev database (e.g. a column of a type that only a migration file
// creates): the structs drift is unknown.
type DesiredError struct{ Err error }

func (e *DesiredError) Error() string { return e.Err.Error() }

func (e *DesiredError) Unwrap() error { return e.Err }

// ReplayError is a directory that does not replay on the dev database.
type ReplayError struct{ Err error }

func (e *ReplayError) Error() string {
	return "the migration directory does not replay on the dev database: " + e.Err.Error()
}

func (e *ReplayError) Unwrap() error { return e.Err }

// replayAt returns dir's state at version ("": all files), replayed on
// dev in its connected schema; a file that fails is a *ReplayError.
func replayAt(ctx context.Context, dev *dialect.Dev, dir migdir.Dir, version string) (*schema.Schema, error) {
	realm, err := replayRealm(ctx, dev, dir, version)
	switch {
	case err != nil && ctx.Err() == nil:
		return nil, &ReplayError{Err: err}
	case err != nil:
		// The ctx ended: Atlas's clean-up failed on it too and joined
		// that failure, the same ctx error, on a line of its own.
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
			err = j.Unwrap()[0]
		}
		return nil, err
	case len(realm.Schemas) != 1:
		return nil, errors.New("replay: the directory's state is not one schema")
	}
	return realm.Schemas[0], nil
}

// replayRealm replays dir up to version ("": all files) on dev, which it
// leaves as it found it (empty), and returns the state.
func replayRealm(ctx context.Context, dev *dialect.Dev, dir migdir.Dir, version string) (*schema.Realm, error) {
	ex, err := migrate.NewExecutor(dev.Driver, dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return nil, err
	}
	var opts []migrate.ReplayOption
	if version != "" {
		opts = append(opts, migrate.ReplayToVersion(version))
	}
	return ex.Replay(ctx, migrate.SchemaConn(dev.Driver, "", nil), opts...)
}

// planChanges plans, unqualified, what takes from to to with drv; nil when
// they agree. Planning reads no state: any driver of the dialect plans
// the same.
func planChanges(ctx context.Context, drv migrate.Driver, name string, from, to *schema.Schema) (*migrate.Plan, error) {
	f, t := *from, *to
	f.Name = t.Name // compare contents, not the schemas' names
	changes, err := drv.SchemaDiff(&f, &t, schema.DiffNormalized())
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	if err := ident.CheckChangesPG(changes); err != nil {
		return nil, err
	}
	return drv.PlanChanges(ctx, name, changes, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
}

// changesSQL is the SQL that takes from to to (none when they agree),
// with the enum labels Atlas's diff does not compare (enumDrift).
func changesSQL(ctx context.Context, drv migrate.Driver, from, to *schema.Schema) ([]string, error) {
	plan, err := planChanges(ctx, drv, "drift", from, to)
	if err != nil {
		return nil, err
	}
	var out []string
	if plan != nil {
		for _, c := range plan.Changes {
			out = append(out, c.Cmd)
		}
	}
	return append(out, enumDrift(from, to)...), nil
}
