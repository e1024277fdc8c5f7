package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// dryRun prints each pending file and runs it, under the same guard as a
// real apply, inside one transaction that is always rolled back: what it
// reports (data loss, failures) is measured on the real rows, not guessed.
//
// A `-- atlas:txmode none` file cannot run inside a transaction as apply
// runs it (outside any, foreign keys on, VACUUM allowed): when one is
// pending, the dry run copies the database (VACUUM INTO a temporary file)
// and applies the files to the copy exactly as apply does, each file
// committed there, then deletes the copy.
func (o Options) dryRun(ctx context.Context, pending []migrate.File) error {
	if slices.ContainsFunc(pending, func(f migrate.File) bool { return !runfile.InTx(f) }) {
		return o.dryRunCopy(ctx, pending)
	}
	// Unreviewed SQL runs here: it may not reach other files.
	if err := sqlitedb.Isolate(o.DB); err != nil {
		return err
	}
	tx, err := runfile.OpenTx(ctx, o.DB)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := revisions.New(tx).Init(ctx); err != nil {
		return err
	}
	done, err := o.dryFiles(pending, func(f migrate.File) error { return runGuarded(ctx, o, NewLogger(io.Discard), f, tx) })
	if done {
		fmt.Fprintln(o.Out, "-- dry run: the files ran in a transaction that was rolled back; nothing changed")
	}
	return err
}

// dryRunCopy runs the dry run on a temporary copy of the database.
func (o Options) dryRunCopy(ctx context.Context, pending []migrate.File) error {
	dir, err := os.MkdirTemp("", "structmigrate-dry-run-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "copy.db")
	if _, err := o.DB.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("dry run: copy the database to %s: %w", path, err)
	}
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		return err
	}
	defer db.Close()
	// Unreviewed SQL runs here: it may not reach other files.
	if err := sqlitedb.Isolate(db); err != nil {
		return err
	}
	c := o
	c.DB, c.reader = db, nil
	if err := revisions.New(db).Init(ctx); err != nil {
		return err
	}
	done, err := o.dryFiles(pending, func(f migrate.File) error { return runFile(ctx, c, NewLogger(io.Discard), f) })
	if done {
		fmt.Fprintln(o.Out, "-- dry run: the files ran, as apply runs them, on a copy of the database that was deleted (a txmode none file cannot run in a transaction); nothing changed")
	}
	return err
}

func (o Options) dryFiles(pending []migrate.File, run func(migrate.File) error) (done bool, err error) {
	return DryFiles(o.Out, pending, migdir.StmtDecls, run)
}

// DryFiles prints each file (split by scan, the dialect's scanner) and
// runs it; the first that fails or is refused gets the verdict, and the
// files after it are only printed. done reports whether every file ran.
// Both engines' dry runs print through it.
func DryFiles(out io.Writer, pending []migrate.File, scan func(migrate.File) ([]*migrate.Stmt, error), run func(migrate.File) error) (done bool, err error) {
	for i, f := range pending {
		if err := PrintDry(out, pending[i:i+1], scan); err != nil {
			return false, err
		}
		if err := run(f); err != nil {
			verdict := "would fail"
			if errors.As(err, new(*guard.LossError)) {
				verdict = "would be refused without --force"
			}
			fmt.Fprintf(out, "-- %s: %s\n", verdict, migdir.OneLine(err.Error(), 2000))
			if rest := pending[i+1:]; len(rest) > 0 {
				fmt.Fprintf(out, "-- not run: %s after it\n", Plural(len(rest), "file"))
				return false, PrintDry(out, rest, scan)
			}
			return false, nil
		}
	}
	return true, nil
}
