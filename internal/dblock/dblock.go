// Package dblock is the migration lock: at most one run of apply, rollback
// or baseline per database at a time. It is an advisory lock (flock) on a
// file beside the database, so the operating system releases it when its
// holder ends however it ends (kill -9, Ctrl-C, a closed pipe): there is no
// stale lock to wait for, and the file's contents mean nothing. It also
// takes the Atlas CLI's own lock (see atlas.go), so the two tools exclude
// each other.
package dblock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// DefaultWait is how long Take waits for another run when Options.Wait is 0.
const DefaultWait = 30 * time.Second

// poll is how often a held lock is tried again.
const poll = 20 * time.Millisecond

// Options configure Take.
type Options struct {
	Wait time.Duration // how long to wait for another run (0: DefaultWait); also the busy timeout
	Out  io.Writer     // told once that Take is waiting; nil for silence
}

// HeldError is a lock another run kept for the whole wait.
type HeldError struct {
	Lock    string        // the lock file
	What    string        // what holds it
	Waited  time.Duration // how long Take waited
	Holders []Proc        // processes seen with the lock file open
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s (lock %s%s); waited %s (--lock-timeout)", e.What, e.Lock, procList("held by", e.Holders), e.Waited)
}

// Path returns the file of db's main database; "" for an in-memory or
// temporary one.
func Path(ctx context.Context, db *sql.DB) (string, error) {
	var file string
	err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
	return file, err
}

// Take waits up to o.Wait for the migration lock of db and returns its
// release. It sets db's busy timeout to the same wait, so that a writer
// outside the migration tools (the app) is waited for as long. An
// in-memory database is private to its process and needs no lock.
func Take(ctx context.Context, db *sql.DB, o Options) (release func(), err error) {
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	// The handle may be the app's (startup.Apply): its busy timeout is
	// given back on release.
	var prev int64
	if err := db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&prev); err != nil {
		return nil, err
	}
	// SQLite's busy timeout is an int of milliseconds: it ignores more.
	ms := min(o.Wait.Milliseconds(), math.MaxInt32)
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", ms)); err != nil {
		return nil, err
	}
	restore := func() { db.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", prev)) }
	path, err := Path(ctx, db)
	if err != nil || path == "" {
		if err != nil {
			restore()
			return nil, err
		}
		return restore, nil
	}
	w := &waiter{start: time.Now(), wait: o.Wait, out: o.Out}
	f, err := w.file(ctx, path+".lock", "another migration is running on "+path)
	if err != nil {
		restore()
		return nil, err
	}
	atlas, err := w.atlas(ctx)
	if err != nil {
		f.Close()
		restore()
		return nil, err
	}
	return func() {
		restore()
		atlas()
		f.Close() // releases the flock
	}, nil
}

// waiter shares one deadline between the locks Take takes.
type waiter struct {
	start  time.Time
	wait   time.Duration
	out    io.Writer
	told   bool
	notice string
}

// sleep waits one poll interval, saying once what it waits for; false when
// the wait is over.
func (w *waiter) sleep(ctx context.Context, what string) (bool, error) {
	if time.Since(w.start) >= w.wait {
		return false, nil
	}
	if !w.told {
		fmt.Fprintf(w.out, "-- waiting for the lock: %s\n", what)
		w.told = true
	}
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-time.After(poll):
		return true, nil
	}
}

// file takes an exclusive flock on path, creating it. The file is never
// removed: removing it would let a later run lock a new file while an
// earlier one still holds the old. A file replaced under a holder is
// detected and locked again.
func (w *waiter) file(ctx context.Context, path, what string) (*os.File, error) {
	for {
		f, err := openLockFile(path)
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		err = flock(f, lockEx|lockNB)
		if err == nil && samePath(f, path) {
			return f, nil
		}
		f.Close()
		if err != nil && !errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("migration lock %s: %w", path, err)
		}
		ok, cerr := w.sleep(ctx, what)
		if cerr != nil {
			return nil, cerr
		}
		if !ok {
			return nil, &HeldError{Lock: path, What: what, Waited: w.wait, Holders: lockHolders(path)}
		}
	}
}

// openLockFile opens path for locking, creating it; read-only is enough to
// flock a file another user created.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, os.ErrPermission) {
		f, err = os.Open(path)
	}
	return f, err
}

// samePath reports whether f is still the file at path.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// procList is ", <how> pid 1 (a), pid 2 (b)"; "" for none.
func procList(how string, ps []Proc) string {
	if len(ps) == 0 {
		return ""
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return ", " + how + " " + strings.Join(s, ", ")
}
