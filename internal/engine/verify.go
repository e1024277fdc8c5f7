package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
)

// verify runs, on dev, the directory, then up, then down, and refuses
// (plan.ReplayError, as on SQLite) a file that fails there or a down
// script that does not leave the directory's state (current). The dev
// database holds the rows the directory's files insert, so a file that
// would fail over seeded rows is caught before it is written. dev is left
// empty.
func verify(ctx context.Context, dev *dialect.Dev, dir migdir.Dir, current *schema.Schema, up, down migrate.File, downDir string) (err error) {
	restore, err := dev.Driver.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("dev database: %w", err)
	}
	defer func() {
		// Not ctx: an env's dev database must be left empty after a
		// cancel too (as lint's).
		if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
			err = errors.Join(err, fmt.Errorf("dev database: clean up: %w", rerr))
		}
	}()
	ex, err := migrate.NewExecutor(dev.Driver, dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return err
	}
	if err := ex.ExecuteN(ctx, 0); err != nil && !errors.Is(err, migrate.ErrNoPendingFiles) {
		return fmt.Errorf("replay %s on the dev database: %w", dir.Path(), err)
	}
	upPath, downPath := filepath.Join(dir.Path(), up.Name()), filepath.Join(downDir, down.Name())
	if err := runOn(ctx, dev.Driver, upPath, up, ""); err != nil {
		return err
	}
	if err := runOn(ctx, dev.Driver, downPath, down, up.Name()); err != nil {
		return err
	}
	after, err := inspectLive(ctx, dev.Driver)
	if err != nil {
		return err
	}
	left, err := changesSQL(ctx, dev.Driver, after, current)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return &plan.ReplayError{Path: downPath, Err: fmt.Errorf("does not undo %s: the schema it leaves differs from the directory's (still to do: %s)", up.Name(), strings.Join(left, "; "))}
	}
	return nil
}

// runOn executes f's statements on drv; after names the up file a down
// script runs after.
func runOn(ctx context.Context, drv migrate.Driver, path string, f migrate.File, after string) error {
	stmts, err := drv.(migrate.StmtScanner).ScanStmts(string(f.Bytes()))
	if err != nil {
		return &plan.ReplayError{Path: path, Err: err, After: after}
	}
	for _, st := range stmts {
		if _, err := drv.ExecContext(ctx, st.Text); err != nil {
			return &plan.ReplayError{Path: path, Line: migdir.Line(f.Bytes(), st.Pos), Stmt: st.Text, Err: err, After: after}
		}
	}
	return nil
}
