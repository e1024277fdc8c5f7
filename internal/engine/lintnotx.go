package engine

import (
	"context"
	"errors"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/guard"
)

// stmtFailed is a statement's own error in the replay (not the guard's).
type stmtFailed struct{ err error }

func (e *stmtFailed) Error() string { return e.err.Error() }

// stmt replays one statement of a `-- atlas:txmode none` file on the dev
// database as apply runs it (stmtGuarded): an old file's bare, a new
// file's in a transaction of its own under the guard, its losses reported;
// one PostgreSQL refuses in a transaction block (SQLSTATE 25001) bare
// after that refusal. Unlike apply, a loss does not stop the replay.
func (l *linter) stmt(ctx context.Context, f migrate.File, path string, st *migrate.Stmt, isNew bool) error {
	bare := func() error {
		if _, err := l.dev.DB.ExecContext(ctx, st.Text); err != nil {
			return &stmtFailed{err}
		}
		return nil
	}
	if !isNew {
		return bare()
	}
	var detail map[string]bool
	for {
		retry, refused, err := l.stmtOnce(ctx, f, path, st, detail)
		switch {
		case refused:
			return bare()
		case err != nil:
			return err
		case retry == nil:
			return nil
		}
		detail = retry // the digests changed: once more, value by value
	}
}

func (l *linter) stmtOnce(ctx context.Context, f migrate.File, path string, st *migrate.Stmt, detail map[string]bool) (retry map[string]bool, refused bool, err error) {
	tx, err := l.dev.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	done := false
	defer func() {
		if !done {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	unit, err := guard.BeginPG(ctx, tx, guard.Options{Name: path, Detail: detail})
	if err != nil {
		return nil, false, err
	}
	defer unit.Close()
	ran, err := execUnder(ctx, unit, tx, st.Text)
	switch {
	case isActiveTx(ran):
		return nil, true, nil
	case ran != nil:
		return nil, false, &stmtFailed{ran}
	case err != nil:
		return nil, false, err
	}
	res, err := unit.End(ctx)
	if err != nil {
		return nil, false, err
	}
	if len(res.Suspects) > 0 && detail == nil {
		return res.Suspects, false, nil
	}
	res.SettleSuspects(path)
	if len(res.Losses) > 0 {
		l.losses = append(l.losses, func() error { return l.r.AddLosses(f, path, unit, res.Losses) })
	}
	done = true
	if err := tx.Commit(); err != nil {
		return nil, false, &stmtFailed{err}
	}
	return nil, false, nil
}
