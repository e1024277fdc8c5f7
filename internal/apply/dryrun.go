package apply

import (
	"context"
	"errors"
	"fmt"
	"io"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// dryRun prints each pending file and runs it, under the same guard as a
// real apply, inside one transaction that is always rolled back: what it
// reports (data loss, failures) is measured on the real rows, not guessed.
func (o Options) dryRun(ctx context.Context, pending []migrate.File) error {
	// Unreviewed SQL runs here: it may not reach other files.
	if err := sqlitedb.Isolate(o.DB); err != nil {
		return err
	}
	tx, err := sqlite.OpenTx(ctx, o.DB, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := revisions.New(tx).Init(ctx); err != nil {
		return err
	}
	quiet := NewLogger(io.Discard)
	for i, f := range pending {
		if err := printDry(o.Out, pending[i:i+1]); err != nil {
			return err
		}
		if err := runGuarded(ctx, o, quiet, f, tx); err != nil {
			verdict := "would fail"
			if errors.As(err, new(*guard.LossError)) {
				verdict = "would be refused without --force"
			}
			fmt.Fprintf(o.Out, "-- %s: %s\n", verdict, migdir.OneLine(err.Error(), 2000))
			if rest := pending[i+1:]; len(rest) > 0 {
				fmt.Fprintf(o.Out, "-- not run: %s after it\n", Plural(len(rest), "file"))
				return printDry(o.Out, rest)
			}
			return nil
		}
	}
	fmt.Fprintln(o.Out, "-- dry run: the files ran in a transaction that was rolled back; nothing changed")
	return nil
}
