package startup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/engine"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/status"
	"github.com/structmigrate/structmigrate/migrations"
)

// lockWait is how long Apply waits for another run's lock.
const lockWait = 30 * time.Second

// runPostgres is run on PostgreSQL (the app's pool is used as it is:
// every file runs in a transaction of its own connection). The directory
// is the embedded migrations/postgres unless WithMigrations says
// otherwise. Apply takes the Atlas CLI's advisory lock, so replicas
// starting together apply each file once: one migrates, the others wait
// and then find nothing pending. The drift is computed as `structmigrate
// status` computes it, on a temporary database made beside the app's
// (driftPostgres); WithBaseline verifies the schema there too. Not yet on
// PostgreSQL: WithDesired and WithExclude, which are refused.
func runPostgres(ctx context.Context, db *sql.DB, write bool, o options) (*Report, error) {
	switch {
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
	t := engine.Target{Dialect: d, DevBeside: db}
	if write {
		in := engine.ApplyInput{Target: t, DB: db, Dir: dir, Out: o.log, Operator: operator, Wait: lockWait, Baseline: o.baseline}
		if _, err := engine.Apply(ctx, in); err != nil {
			return nil, oneLine(fmt.Errorf("startup: apply: %w", err))
		}
	}
	st, unknown, err := driftPostgres(ctx, t, db, dir, o)
	if err != nil {
		return nil, oneLine(fmt.Errorf("startup: %w", err))
	}
	r := &Report{Pending: st.Pending, StructsDrift: st.StructsDrift, DatabaseDrift: st.DatabaseDrift, DriftUnknown: unknown, Error: st.Error}
	if len(st.Applied) > 0 {
		r.Current = st.Current
	}
	return r, nil
}

// driftPostgres is the status with the drift, computed on a temporary
// database that the app's pool makes on its server and drops
// (Target.DevBeside). Where it cannot be made (the app's role lacks
// CREATEDB) the status has no drift and unknown says why: the versions
// are still reported, and start-up goes on. So it does where the models'
// desired state cannot be built there (the structs drift is unknown, the
// database drift still computed).
func driftPostgres(ctx context.Context, t engine.Target, db *sql.DB, dir migdir.Dir, o options) (*status.Report, string, error) {
	in := engine.StatusInput{Target: t, DB: db, Dir: dir}
	if o.models != nil {
		in.Models = &engine.Models{List: o.models, Options: desired.Options{Gorm: o.gorm}}
	}
	var unknown []string
	in.OnDesiredError = func(de *engine.DesiredError) {
		unknown = append(unknown, "structs drift unknown: the models' desired state fails on an empty database: "+de.Error())
	}
	st, err := engine.Status(ctx, in)
	var ve *engine.DevError
	if errors.As(err, &ve) {
		st, err := engine.Versions(ctx, t, db, dir)
		return st, "no dev database to replay the directory on: " + ve.Error(), err
	}
	if err != nil {
		return nil, "", err
	}
	if u := replayUnknown(st.ReplayError); u != "" {
		unknown = append(unknown, u)
	}
	return st, strings.Join(unknown, "; "), nil
}

// lineError is an error whose message is one line: a query that a ctx
// ended gets pgx's error and the ctx's own joined on a second line.
type lineError struct{ err error }

func (e lineError) Error() string { return strings.ReplaceAll(e.err.Error(), "\n", "; ") }

func (e lineError) Unwrap() error { return e.err }

func oneLine(err error) error {
	if !strings.Contains(err.Error(), "\n") {
		return err
	}
	return lineError{err}
}
