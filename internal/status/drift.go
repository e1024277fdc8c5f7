package status

import (
	"context"
	"database/sql"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Drift kinds, each with its own exit code (see Report.ExitCode).
const (
	ExitPending       = 2 // files are pending
	ExitStructsDrift  = 3 // the structs need a migration that was not generated
	ExitDatabaseDrift = 4 // the live database differs from the directory at its version
	ExitReplay        = 5 // the directory does not replay: drift is unknown
)

// state replays dir up to version (all: ""). A file that fails to replay
// is part of the report (ReplayError), not an error of status: the
// versions and pending files are known without it; only drift is not.
func (r *Report) state(ctx context.Context, dir migdir.Dir, version string, exclude []string) (*schema.Schema, bool, error) {
	s, err := plan.State(ctx, dir, version)
	if err == nil {
		if err := plan.Exclude(s, exclude); err != nil {
			return nil, false, err
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, err
		}
		r.ReplayError = err.Error()
		return nil, false, nil
	}
	return s, true, nil
}

// drift fills StructsDrift (models given) and DatabaseDrift.
func (r *Report) drift(ctx context.Context, db *sql.DB, dir migdir.Dir, models []any, opts desired.Options, exclude []string, applied []*migrate.Revision, outOfOrder []migrate.File) error {
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return err
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return err
	}
	defer dev.Close()
	var head *schema.Schema // the directory's state with every file applied
	if models != nil {
		want, err := opts.Schema(ctx, models...)
		if err != nil {
			return err
		}
		if err := plan.CheckExclude(want, exclude); err != nil {
			return err
		}
		if head, _, err = r.state(ctx, dir, "", exclude); err != nil {
			return err
		}
		// Without the head state the structs cannot be compared; the
		// database still can be, with the directory at its version.
		if head != nil {
			changes, err := plan.Diff(dev.Driver, head, want)
			if err != nil {
				return err
			}
			if len(changes) > 0 {
				if r.StructsDrift, err = plan.SQL(ctx, dev.Driver, changes); err != nil {
					return ident.At(err, dir.Path()) // the models' names are checked
				}
			}
		}
	}
	// A partially applied file is reported as such (Count/Total), not as drift.
	if len(applied) == 0 || Partial(applied[len(applied)-1]) {
		return nil
	}
	live, err := objects.Inspect(ctx, drv, &schema.InspectOptions{Exclude: []string{revisions.Table}})
	if err != nil {
		return err
	}
	if err := plan.Exclude(live, exclude); err != nil {
		return err
	}
	current := applied[len(applied)-1].Version
	files, err := dir.Files()
	if err != nil {
		return err
	}
	if len(outOfOrder) > 0 {
		// The database holds the files applied, not the ones added out of
		// order before its version: compare with those alone.
		without, err := skipFiles(dir, files, outOfOrder)
		if err != nil {
			return err
		}
		return r.databaseDrift(ctx, without, current, exclude, dev.Driver, live)
	}
	// Up to date (the common case): the state at the current version is the
	// head already replayed above; replay again only when behind.
	if head == nil || len(files) == 0 || files[len(files)-1].Version() != current {
		return r.databaseDrift(ctx, dir, current, exclude, dev.Driver, live)
	}
	r.DatabaseDrift, err = plan.DriftSQL(ctx, dev.Driver, live, head, dir.Path())
	return err
}

// databaseDrift compares live with dir at version, without the excluded
// tables.
func (r *Report) databaseDrift(ctx context.Context, dir migdir.Dir, version string, exclude []string, drv migrate.Driver, live *schema.Schema) error {
	want, ok, err := r.state(ctx, dir, version, exclude)
	if err != nil || !ok {
		return err
	}
	r.DatabaseDrift, err = plan.DriftSQL(ctx, drv, live, want, dir.Path())
	return err
}

// ExitCode tells a health check where the database stands: 0 up to date,
// 2 pending files, 3 structs drift, 4 database drift, 5 the directory does
// not replay (drift unknown); the highest applies.
func (r *Report) ExitCode() int {
	switch {
	case r.ReplayError != "":
		return ExitReplay
	case len(r.DatabaseDrift) > 0:
		return ExitDatabaseDrift
	case len(r.StructsDrift) > 0:
		return ExitStructsDrift
	case r.Status != OK:
		return ExitPending
	}
	return 0
}

// skipFiles returns dir, already validated, without the files skip, as an
// in-memory directory re-hashed so that it validates.
func skipFiles(dir migdir.Dir, files, skip []migrate.File) (migdir.Dir, error) {
	drop := make(map[string]bool, len(skip))
	for _, f := range skip {
		drop[f.Name()] = true
	}
	m := &migrate.MemDir{}
	m.SetPath(dir.Path())
	for _, f := range files {
		if drop[f.Name()] {
			continue
		}
		if err := m.WriteFile(f.Name(), f.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := migdir.Hash(m); err != nil {
		return nil, err
	}
	return m, nil
}
