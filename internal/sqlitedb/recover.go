package sqlitedb

import (
	"database/sql"
	"errors"
	"fmt"
)

// codeReadonlyRollback is SQLITE_READONLY_ROLLBACK: a read-only connection
// found a hot journal (a write that crashed, ran out of disk or hit an I/O
// error left it) and may not roll it back.
const codeReadonlyRollback = 776

// HotJournalError is a database whose hot journal could not be rolled back.
type HotJournalError struct {
	Path string
	Err  error
}

func (e *HotJournalError) Error() string {
	return fmt.Sprintf("%s has a hot journal (%s-journal, left by a write that crashed or failed) and reading it needs write access once, to roll that write back: %v", e.Path, e.Path, e.Err)
}

func (e *HotJournalError) Unwrap() error { return e.Err }

// openReadOnly opens path read-only. A database with a hot journal cannot
// be read that way (SQLite answers "attempt to write a readonly database
// (776)"): it is opened for writing once, which makes SQLite roll the
// interrupted write back, as any writer would on its next open, and then
// read-only again. Read-only commands thus report on the committed state
// instead of failing on a healthy database (issue 11, item 7).
func openReadOnly(path string) (*sql.DB, error) {
	db, err := open(FileDSN(path, true), false)
	if err == nil {
		if err = probe(db); err == nil {
			return db, nil
		}
		db.Close()
	}
	if !isCode(err, codeReadonlyRollback) {
		return nil, err
	}
	rw, rerr := open(FileDSN(path, false), false)
	if rerr == nil {
		rerr = probe(rw)
		rw.Close()
	}
	if rerr != nil {
		return nil, &HotJournalError{Path: path, Err: rerr}
	}
	return open(FileDSN(path, true), false)
}

// probe reads the schema, which is where SQLite checks for a hot journal.
func probe(db *sql.DB) error {
	var n int
	return db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n)
}

func isCode(err error, code int) bool {
	var c interface{ Code() int }
	return errors.As(err, &c) && c.Code() == code
}
