package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// The migration lock is a session lock on a connection of its own: if
// that session ends mid-run (pg_terminate_backend, a crashed backend) the
// lock is gone and another run may take it and apply the same file. So a
// run notes which session holds the lock once it took it, and checks in
// each transaction, before committing it, that this session still does.

// LostLockError refuses to commit the transaction of a run that lost the
// lock.
type LostLockError struct{ Where string }

func (e *LostLockError) Error() string {
	return fmt.Sprintf("%s: the migration lock (advisory lock %d) was lost mid-run (its session ended); %s was rolled back", e.Where, dialect.LockKey(dialect.ApplyLock), e.what())
}

func (e *LostLockError) what() string {
	if e.Where == "rollback" {
		return "it"
	}
	return "the file"
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lockHolder returns the pid of the session holding the migration lock
// (0: none). pg_advisory_lock(bigint) files its key as classid (the high
// 32 bits), objid (the low 32 bits) and objsubid 1.
func lockHolder(ctx context.Context, q rowQuerier) (int64, error) {
	key := dialect.LockKey(dialect.ApplyLock)
	var pid int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(pid), 0) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, key>>32, key&0xffffffff).Scan(&pid)
	if err != nil {
		return 0, fmt.Errorf("check the migration lock: %w", err)
	}
	return pid, nil
}

// stillHeld returns a LostLockError (where: the file) unless the session
// holder still holds the lock.
func stillHeld(ctx context.Context, q rowQuerier, holder int64, where string) error {
	pid, err := lockHolder(ctx, q)
	if err != nil {
		return err
	}
	if pid != holder || pid == 0 {
		return &LostLockError{Where: where}
	}
	return nil
}

// runLock takes the migration lock for a run of op (apply, rollback) and
// notes the session that holds it, for stillHeld. The lock holds one
// connection for the whole run and each transaction needs another.
func runLock(ctx context.Context, in lockInput, op string) (holder int64, unlock func() error, err error) {
	if in.db.Stats().MaxOpenConnections == 1 {
		return 0, nil, fmt.Errorf("%s needs two connections (the lock holds one for the run); the pool is limited to one (db.SetMaxOpenConns(1))", op)
	}
	unlock, err = in.t.Dialect.Lock(ctx, in.db, in.wait, in.out)
	if err != nil {
		return 0, nil, err
	}
	if holder, err = lockHolder(ctx, in.db); err != nil {
		return 0, nil, errors.Join(err, unlock())
	}
	return holder, unlock, nil
}

type lockInput struct {
	t    Target
	db   *sql.DB
	wait time.Duration
	out  io.Writer
}
