package guard

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// pgReader digests the tables as they were when the file began, on a
// second connection that imports the file transaction's snapshot
// (pg_export_snapshot), while the file runs. It takes every table's
// ACCESS SHARE lock before the file's first statement, so it never waits
// for the file: a statement that needs an exclusive lock (ALTER TABLE,
// TRUNCATE) waits for the reader instead, and DML runs alongside it.
type pgReader struct {
	cancel context.CancelFunc
	done   chan error
	err    error
	ended  bool
}

// pgConnWait bounds the wait for the reader's connection: a pool that has
// none to spare (the app's own, limited) measures on the file's
// transaction instead.
const pgConnWait = time.Second

// startPGReader starts the reader over ts on a connection from pool; nil
// when one cannot be had (the caller then digests on q).
func startPGReader(ctx context.Context, q Queryer, pool *sql.DB, ts []*table, detail map[string]bool) *pgReader {
	var id string
	rows, err := q.QueryContext(ctx, "SELECT pg_export_snapshot()")
	if err != nil {
		return nil
	}
	if rows.Next() {
		err = rows.Scan(&id)
	}
	if errors.Join(err, rows.Close()) != nil || id == "" {
		return nil
	}
	wait, cancelWait := context.WithTimeout(ctx, pgConnWait)
	conn, err := pool.Conn(wait)
	cancelWait()
	if err != nil {
		return nil
	}
	rctx, cancel := context.WithCancel(ctx)
	tx, err := conn.BeginTx(rctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		cancel()
		conn.Close()
		return nil
	}
	fail := func() *pgReader {
		tx.Rollback()
		conn.Close()
		cancel()
		return nil
	}
	if _, err := tx.ExecContext(rctx, "SET TRANSACTION SNAPSHOT '"+strings.ReplaceAll(id, "'", "''")+"'"); err != nil {
		return fail()
	}
	if _, err := pinRendering(rctx, tx); err != nil {
		return fail()
	}
	if len(ts) > 0 {
		names := make([]string, len(ts))
		for i, t := range ts {
			names[i] = t.from
		}
		if _, err := tx.ExecContext(rctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN ACCESS SHARE MODE"); err != nil {
			return fail()
		}
	}
	r := &pgReader{cancel: cancel, done: make(chan error, 1)}
	go func() {
		defer conn.Close()
		err := func() error {
			for _, t := range ts {
				if err := (pgBackend{}).digest(rctx, tx, t, t.Key); err != nil {
					return err
				}
				if detail[t.Name] && len(t.Cols) > 0 {
					var err error
					if t.Records, err = (pgBackend{}).collectRows(rctx, tx, t, t.Key, t.names()); err != nil {
						return err
					}
				}
			}
			return tx.Commit()
		}()
		if err != nil {
			tx.Rollback()
		}
		r.done <- err
	}()
	return r
}

// wait returns when the reader is done, with its error.
func (r *pgReader) wait() error {
	if !r.ended {
		r.err, r.ended = <-r.done, true
		r.cancel()
	}
	return r.err
}

// stop cancels a reader whose file failed, and waits for it.
func (r *pgReader) stop() {
	r.cancel()
	r.wait()
}
