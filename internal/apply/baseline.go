package apply

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// BaselineMismatchError refuses to adopt a database whose schema is not the
// directory's state at the baseline version.
type BaselineMismatchError struct {
	Version string
	SQL     []string // what would make the database match
}

func (e *BaselineMismatchError) Error() string {
	return fmt.Sprintf("baseline refused: the database does not match the migration directory at %s (to make it match: %s); nothing was recorded",
		e.Version, strings.Join(e.SQL, "; "))
}

// HistoryExistsError refuses a baseline on a database that already has a
// migration history: there is nothing to adopt.
type HistoryExistsError struct{ Version string }

func (e *HistoryExistsError) Error() string {
	return fmt.Sprintf("the database already has a migration history (at %s); a baseline only adopts a database without one", e.Version)
}

// BaselineOptions configure the adoption of an existing database.
type BaselineOptions struct {
	DB       *sql.DB
	Dir      migdir.Dir
	Version  string
	DryRun   bool
	Operator string
	// LockTimeout bounds the wait for the migration lock (0: dblock.DefaultWait).
	LockTimeout time.Duration
}

// Baseline adopts a database made without migrations (e.g. by GORM's
// AutoMigrate): it checks that the live schema equals the directory's state
// at Version and only then records Version as the baseline revision (type 1,
// as the Atlas CLI writes it), so the files after it are pending.
func Baseline(ctx context.Context, o BaselineOptions) error {
	if !o.DryRun {
		unlock, err := dblock.Take(ctx, o.DB, dblock.Options{Wait: o.LockTimeout})
		if err != nil {
			return err
		}
		defer unlock()
	}
	return adopt(ctx, o)
}

// adopt is Baseline under a lock the caller holds.
func adopt(ctx context.Context, o BaselineOptions) error {
	if err := migdir.Validate(o.Dir); err != nil {
		return err
	}
	f, err := BaselineFile(o.Dir, o.Version)
	if err != nil {
		return err
	}
	store := revisions.New(o.DB)
	revs, err := store.ReadRevisions(ctx)
	if err != nil {
		return err
	}
	if len(revs) > 0 {
		return &HistoryExistsError{Version: revs[len(revs)-1].Version}
	}
	drv, err := sqlitedb.Driver(o.DB)
	if err != nil {
		return err
	}
	live, err := objects.Inspect(ctx, drv, &schema.InspectOptions{Exclude: []string{revisions.Table}})
	if err != nil {
		return err
	}
	diff, err := plan.Drift(ctx, o.Dir, o.Version, drv, live)
	if err != nil {
		return err
	}
	if len(diff) > 0 {
		return &BaselineMismatchError{Version: o.Version, SQL: diff}
	}
	if o.DryRun {
		return nil
	}
	tx, err := o.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	txs := revisions.New(tx)
	if err := txs.Init(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := txs.WriteRevision(ctx, BaselineRevision(f, o.Operator)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// BaselineRevision is the row the Atlas CLI's `migrate apply --baseline`
// writes (Executor.Pending): the file's version and description, type
// baseline, no hash, nothing applied.
func BaselineRevision(f migrate.File, operator string) *migrate.Revision {
	return &migrate.Revision{
		Version: f.Version(), Description: f.Desc(), Type: migrate.RevisionTypeBaseline,
		ExecutedAt: time.Now(), OperatorVersion: operator,
	}
}

// BaselineFile is the file of a baseline version, or an error listing the
// directory's versions.
func BaselineFile(dir migdir.Dir, version string) (migrate.File, error) {
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	vs := make([]string, len(files))
	for i, f := range files {
		if f.Version() == version {
			return f, nil
		}
		vs[i] = f.Version()
	}
	return nil, fmt.Errorf("baseline version %q is not a file in %s (versions: %s)", version, dir.Path(), strings.Join(vs, ", "))
}
