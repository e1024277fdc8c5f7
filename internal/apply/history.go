package apply

import (
	"context"
	"database/sql"
	"errors"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// ErrTxEnded refuses to record a revision after SQLite ended the file's
// transaction on its own (a full disk, an I/O error, RAISE(ROLLBACK)):
// the row would commit alone and claim statements that were rolled back.
var ErrTxEnded = errors.New("SQLite rolled back the file's transaction; nothing was recorded")

// txHistory is the revisions store of a file that runs in one transaction.
// Such a file is applied whole or not at all, so its history is too:
//   - a failed run records nothing (as the Atlas CLI): the Executor's row
//     with the error would be rolled back with the file anyway, or, when
//     SQLite already ended the transaction, commit alone as a partial
//     application (issue 11, item 5);
//   - a partial row left by an earlier version of this tool (applied=2/7
//     with an error) is not true, so the file starts again from its first
//     statement instead of "resuming" after statements that never stayed.
type txHistory struct {
	*revisions.Store
	db *sql.DB // the connection the transaction runs on
}

func (h txHistory) WriteRevision(ctx context.Context, r *migrate.Revision) error {
	if r.Error != "" {
		return nil
	}
	if h.db != nil {
		if in, err := sqlitedb.InTransaction(h.db); err == nil && !in {
			return ErrTxEnded
		}
	}
	return h.Store.WriteRevision(ctx, r)
}

func (h txHistory) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	r, err := h.Store.ReadRevision(ctx, version)
	if err == nil && r.Error != "" && r.Applied < r.Total {
		// A fresh revision: the Executor fills in the file's hash and
		// statement count, and the upsert overwrites the false row.
		return nil, migrate.ErrRevisionNotExist
	}
	return r, err
}
