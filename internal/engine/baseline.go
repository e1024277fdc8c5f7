package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/migdir"
)

// BaselineInput is the adoption of an existing database (e.g. one GORM's
// AutoMigrate made) at Version.
type BaselineInput struct {
	Target   Target
	DB       *sql.DB // the target, opened (Open)
	Dir      migdir.Dir
	Version  string
	DryRun   bool // verify only: no lock, nothing recorded
	Operator string
	Wait     time.Duration // for the lock
	Out      io.Writer     // where the lock says it waits
}

// Baseline adopts the target as SQLite's apply.Baseline does: under the
// apply lock, a database without history whose connected schema equals the
// directory's state at Version (replayed on the dev database) gets the row
// the Atlas CLI's `migrate apply --baseline` writes, so the files after
// Version are pending. On a mismatch it returns an
// *apply.BaselineMismatchError with the SQL that would make the database
// match, and records nothing.
func Baseline(ctx context.Context, in BaselineInput) error {
	if err := migdir.Validate(in.Dir); err != nil {
		return err
	}
	f, err := apply.BaselineFile(in.Dir, in.Version)
	if err != nil {
		return err
	}
	if !in.DryRun {
		unlock, err := in.Target.Dialect.Lock(ctx, in.DB, in.Wait, in.Out)
		if err != nil {
			return err
		}
		defer unlock()
	}
	return in.adopt(ctx, f)
}

// adopt is Baseline under the lock the caller holds (or, dry, none).
func (in BaselineInput) adopt(ctx context.Context, f migrate.File) error {
	d := in.Target.Dialect
	revs, err := d.Revisions(in.DB).ReadRevisions(ctx)
	if err != nil {
		return err
	}
	if len(revs) > 0 {
		return &apply.HistoryExistsError{Version: revs[len(revs)-1].Version}
	}
	diff, err := in.mismatch(ctx)
	if err != nil {
		return err
	}
	if len(diff) > 0 {
		return &apply.BaselineMismatchError{Version: in.Version, SQL: diff}
	}
	if in.DryRun {
		return nil
	}
	// The table (and its schema) and the row commit together: a failure
	// leaves the database as it was.
	tx, err := in.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	store := d.Revisions(tx)
	if err := store.Init(ctx); err != nil {
		return errors.Join(fmt.Errorf("create the revisions table: %w", err), tx.Rollback())
	}
	if err := store.WriteRevision(ctx, apply.BaselineRevision(f, in.Operator)); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// mismatch is the SQL that takes the live schema (the connected one, as
// status inspects it) to the directory's state at Version; none when they
// are equal.
func (in BaselineInput) mismatch(ctx context.Context) ([]string, error) {
	live, err := in.Target.Dialect.Driver(in.DB)
	if err != nil {
		return nil, err
	}
	got, err := live.InspectSchema(ctx, "", nil)
	if err != nil {
		return nil, err
	}
	dev, err := in.Target.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	want, err := replayAt(ctx, dev, in.Dir, in.Version)
	if err != nil {
		return nil, err
	}
	diff, err := changesSQL(ctx, dev.Driver, got, want)
	if err != nil {
		return nil, err
	}
	return diff, dev.Close()
}
