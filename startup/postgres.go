package startup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/engine"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/migrations"
)

// lockWait is how long Apply waits for another run's lock.
const lockWait = 30 * time.Second

// runPostgres is run on PostgreSQL (the app's pool is used as it is:
// every file runs in a transaction of its own connection). The directory
// is the embedded migrations/postgres unless WithMigrations says
// otherwise. Apply takes the Atlas CLI's advisory lock, so replicas
// starting together apply each file once: one migrates, the others wait
// and then find nothing pending. Not yet on PostgreSQL: the drift checks
// (they need a dev database; the report has none), WithBaseline,
// WithDesired and WithExclude, which are refused.
func runPostgres(ctx context.Context, db *sql.DB, write bool, o options) (*Report, error) {
	switch {
	case o.baseline != "":
		return nil, errors.New("startup: WithBaseline is not supported on PostgreSQL yet")
	case o.hook != nil:
		return nil, errors.New("startup: WithDesired is not supported on PostgreSQL yet")
	case len(o.exclude) > 0:
		return nil, errors.New("startup: WithExclude is not supported on PostgreSQL yet")
	}
	fsys, label := o.fsys, o.label
	if !o.fsysSet {
		sub, err := fs.Sub(migrations.FS, "postgres")
		if err != nil {
			return nil, fmt.Errorf("startup: %w", err)
		}
		fsys, label = sub, "migrations/postgres (embedded)"
	}
	dir, err := migdir.FromFS(fsys, label)
	if err != nil {
		return nil, fmt.Errorf("startup: %w", err)
	}
	d, err := dialect.For(dialect.Postgres)
	if err != nil {
		return nil, err
	}
	t := engine.Target{Dialect: d}
	if write {
		if _, err := engine.Apply(ctx, engine.ApplyInput{Target: t, DB: db, Dir: dir, Out: o.log, Operator: operator, Wait: lockWait}); err != nil {
			return nil, fmt.Errorf("startup: apply: %w", err)
		}
	}
	st, err := engine.Versions(ctx, t, db, dir)
	if err != nil {
		return nil, fmt.Errorf("startup: %w", err)
	}
	r := &Report{Pending: st.Pending, Error: st.Error}
	if len(st.Applied) > 0 {
		r.Current = st.Current
	}
	return r, nil
}
