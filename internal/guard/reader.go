package guard

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// reader measures tables as they were when the unit began, on a second
// connection to the same file, while the unit's statements run on the
// first: the digests of the state before cost no time on the unit's path
// (this machine has a second core). The reader's read transaction holds
// SQLite's SHARED lock, so the committed file cannot change under it; the
// writer runs with cache_spill off (NoSpill), keeping its changes in memory
// until commit instead of waiting for that lock. The caller bounds the database
// size (memory) and uses a reader only for a unit that begins on committed
// state: a file in its own transaction, a rollback's first version.
type reader struct {
	tx    *sql.Tx
	work  chan func()
	done  chan struct{}
	mu    sync.Mutex
	err   error
	queue map[string]bool
}

func startReader(ctx context.Context, db *sql.DB) (*reader, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	// The first read takes the SHARED lock the transaction then holds.
	if err := exec(ctx, tx, "SELECT count(*) FROM sqlite_schema"); err != nil {
		tx.Rollback()
		return nil, err
	}
	r := &reader{tx: tx, work: make(chan func(), 64), done: make(chan struct{}), queue: map[string]bool{}}
	go func() {
		defer close(r.done)
		for f := range r.work {
			f()
		}
	}()
	return r, nil
}

// measure queues the measurement of table l once; fn runs on the reader's
// transaction.
func (r *reader) measure(l string, fn func(q Queryer) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queue[l] {
		return
	}
	r.queue[l] = true
	r.work <- func() {
		if err := fn(r.tx); err != nil {
			r.mu.Lock()
			if r.err == nil {
				r.err = err
			}
			r.mu.Unlock()
		}
	}
}

func (r *reader) queued(l string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queue[l]
}

// finish waits for the queued measurements and ends the read transaction.
func (r *reader) finish() error {
	close(r.work)
	<-r.done
	rerr := r.tx.Rollback()
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.err, rerr)
}

// NoSpill keeps db's changes in memory until commit (PRAGMA cache_spill
// off), as a unit with a Reader needs; SQLite reads the setting at BEGIN,
// so call it before the transaction, and the returned func after it.
func NoSpill(ctx context.Context, db *sql.DB) (restore func(), err error) {
	if _, err := db.ExecContext(ctx, "PRAGMA cache_spill = off"); err != nil {
		return nil, err
	}
	return func() { db.ExecContext(ctx, "PRAGMA cache_spill = on") }, nil
}
