package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/revisions"
)

// SetInput is a `set` of the target's revisions table.
type SetInput struct {
	Target Target
	DB     *sql.DB // the target, opened (Open)
	// Files and Sums are the directory's, validated, with Version among
	// them (the CLI reads them before it connects).
	Files    []migrate.File
	Sums     migrate.HashFile
	Version  string // "": the directory's last file, on a database with history
	Operator string
	Wait     time.Duration // for the lock
	Out      io.Writer     // where the lock says it waits
}

// Set edits the revisions table as the Atlas CLI's `migrate set` does, by
// the same decisions as on SQLite (revisions.Set), under the apply lock
// and in one transaction; no migration SQL runs. It returns the version
// set and the rows changed.
func Set(ctx context.Context, in SetInput) (string, []revisions.SetOp, error) {
	d := in.Target.Dialect
	unlock, err := d.Lock(ctx, in.DB, in.Wait, in.Out)
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	tx, err := in.DB.BeginTx(ctx, nil)
	if err != nil {
		return "", nil, err
	}
	version, ops, err := set(ctx, in, d.Revisions(tx))
	if err != nil {
		return "", nil, errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return "", nil, fmt.Errorf("set: not committed, the revisions table is as it was (%w)", err)
	}
	return version, ops, nil
}

func set(ctx context.Context, in SetInput, store dialect.Revisions) (string, []revisions.SetOp, error) {
	version := in.Version
	if version == "" {
		revs, err := store.ReadRevisions(ctx)
		if err != nil {
			return "", nil, err
		}
		if version, err = revisions.SetLast(revs, in.Files); err != nil {
			return "", nil, err
		}
	}
	if err := store.Init(ctx); err != nil {
		return "", nil, fmt.Errorf("create the revisions table: %w", err)
	}
	ops, err := revisions.Set(ctx, store, in.Files, in.Sums, version, in.Operator)
	return version, ops, err
}
