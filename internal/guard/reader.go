package guard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// reader measures tables as they were when the unit began, on a second
// connection to the same file, while the unit's statements run on the
// first: the digests of the state before cost no time on the unit's path
// (this machine has a second core). The reader's read transaction holds
// SQLite's SHARED lock, so the committed file cannot change under it: the
// writer cannot spill its changes to the file (that needs EXCLUSIVE) and
// keeps them in memory meanwhile (see SpillWithoutWaiting). So the reader
// holds its snapshot only while it has work: once its queue is drained and
// no one pins it, it ends its transaction for good, the writer may spill
// again, and what is measured later is measured on the writer (a table the
// unit has not changed yet reads there as it was). It is started once per
// unit, for a unit that begins on committed state: its snapshot is then the
// state before as long as the writer has not spilled, and once the writer
// has, the reader cannot start (the writer holds EXCLUSIVE until commit).
type reader struct {
	tx     *sql.Tx
	mu     sync.Mutex
	wake   *sync.Cond
	jobs   []func(Queryer) error
	pins   int
	closed bool // the snapshot is released: queue nothing more
	queue  map[string]bool
	err    error
	done   chan struct{}
}

// startReader begins the read transaction and returns the reader pinned
// once (unpin when the first measurements are queued).
func startReader(ctx context.Context, db *sql.DB) (*reader, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	// The first read takes the SHARED lock the transaction then holds, or
	// fails at once where the writer holds the file.
	if err := exec(ctx, tx, "PRAGMA busy_timeout = 0"); err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := exec(ctx, tx, "SELECT count(*) FROM sqlite_schema"); err != nil {
		tx.Rollback()
		return nil, err
	}
	r := &reader{tx: tx, pins: 1, done: make(chan struct{}), queue: map[string]bool{}}
	r.wake = sync.NewCond(&r.mu)
	go r.loop()
	return r, nil
}

func (r *reader) loop() {
	defer close(r.done)
	for {
		r.mu.Lock()
		for len(r.jobs) == 0 && r.pins > 0 {
			r.wake.Wait()
		}
		if len(r.jobs) == 0 {
			r.closed = true
			r.mu.Unlock()
			r.fail(r.tx.Rollback())
			return
		}
		f := r.jobs[0]
		r.jobs = r.jobs[1:]
		r.mu.Unlock()
		r.fail(f(r.tx))
	}
}

func (r *reader) fail(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// measure queues the measurement of table l once (fn runs on the reader's
// transaction); false when the reader has released its snapshot, and the
// caller must measure l itself.
func (r *reader) measure(l string, fn func(q Queryer) error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queue[l] {
		return true
	}
	if r.closed {
		return false
	}
	r.queue[l] = true
	r.jobs = append(r.jobs, fn)
	r.wake.Signal()
	return true
}

// pin keeps the snapshot until unpin, so that measurements queued in the
// meantime still run on it; false when it is released already.
func (r *reader) pin() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.pins++
	return true
}

func (r *reader) unpin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pins--
	r.wake.Signal()
}

func (r *reader) queued(l string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queue[l]
}

// finish waits for the queued measurements and the end of the read
// transaction; every pin must be released.
func (r *reader) finish() error {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// SpillWithoutWaiting lets the transaction on q (the writer's) spill its
// changes to the database file only while no one else reads the file:
// SQLite spills a full page cache before commit, which needs the EXCLUSIVE
// lock; with busy_timeout 0 an attempt while a reader (the guard's, or the
// app's) holds SHARED fails at once and the page cache grows instead
// (SQLite ignores SQLITE_BUSY from a spill). Without it the writer would
// wait in the busy handler for the guard's reader at every page it needs.
// Call it after BEGIN (which must wait for other writers), and restore the
// wait before COMMIT (which must wait for readers), or on the same
// connection after a rollback: it outlives the transaction.
func SpillWithoutWaiting(ctx context.Context, q Queryer) (restore func(Queryer) error, err error) {
	rows, err := q.QueryContext(ctx, "PRAGMA busy_timeout")
	if err != nil {
		return nil, err
	}
	var ms int64
	if rows.Next() {
		err = rows.Scan(&ms)
	}
	if err = errors.Join(err, rows.Close()); err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx) // an interrupted run rolls back on this connection
	return func(q Queryer) error {
		_, err := q.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", ms))
		return err
	}, nil
}
