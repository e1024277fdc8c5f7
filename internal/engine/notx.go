package engine

import (
	"context"
	"database/sql"
	"errors"

	"ariga.io/atlas/sql/migrate"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/guard"
)

// A `-- atlas:txmode none` file on PostgreSQL runs as the Atlas CLI runs
// it, statement by statement with its revision row written after each
// (partial progress), but each statement in a transaction of its own under
// the guard, committed only when it loses nothing undeclared: as SQLite's
// apply measures each statement of such a file. A statement PostgreSQL
// refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM:
// SQLSTATE 25001) runs bare after that refusal: such statements store no
// rows. The decision is PostgreSQL's error, not the statement's text.

// activeSQLTransaction is SQLSTATE 25001, PostgreSQL's refusal of a
// statement that cannot run inside a transaction block.
const activeSQLTransaction = "25001"

// fileNoTx runs f on a session of its own: its statements and revision
// writes in order on one connection, as a file's transaction would be.
func (in ApplyInput) fileNoTx(ctx context.Context, log *apply.Logger, f migrate.File, path string) error {
	d := in.Target.Dialect
	conn, err := in.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	drv, err := d.Driver(conn)
	if err != nil {
		return err
	}
	g := &stmtGuarded{Driver: drv, in: in, conn: conn, f: f, path: path, reader: spareReader(in.DB), log: log}
	return in.execute(ctx, log, g, d.Revisions(conn), f)
}

// stmtGuarded is the executor's driver for a txmode-none file.
type stmtGuarded struct {
	migrate.Driver
	in     ApplyInput
	conn   *sql.Conn
	f      migrate.File
	path   string
	reader *sql.DB
	log    *apply.Logger
}

// ScanStmts: see guardedDriver.ScanStmts.
func (g *stmtGuarded) ScanStmts(input string) ([]*migrate.Stmt, error) {
	return (&guardedDriver{Driver: g.Driver}).ScanStmts(input)
}

func (g *stmtGuarded) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	refused := false
	err := g.in.measured(ctx, g.conn, g.f, g.path, g.reader, g.log, func(tx *sql.Tx, unit *guard.PGUnit, _ *apply.Logger) error {
		return unit.Exec(ctx, q, func() error {
			var err error
			res, err = tx.ExecContext(ctx, q, args...)
			refused = isActiveTx(err)
			return err
		})
	})
	if refused {
		// The transaction was rolled back; nothing of it ran.
		return g.conn.ExecContext(ctx, q, args...)
	}
	return res, err
}

// execUnder runs a statement in tx under the guard's unit. ran is the
// statement's own error (PostgreSQL refused it); err is the unit's, which
// also refuses transaction control (guard.TxControlError) before running.
func execUnder(ctx context.Context, unit *guard.PGUnit, tx *sql.Tx, q string) (ran, err error) {
	err = unit.Exec(ctx, q, func() error {
		_, ran = tx.ExecContext(ctx, q)
		return ran
	})
	return ran, err
}

// isActiveTx reports whether err is PostgreSQL refusing a statement inside
// a transaction block.
func isActiveTx(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == activeSQLTransaction
}
