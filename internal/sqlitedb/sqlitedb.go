// Package sqlitedb opens SQLite databases (files and in-memory dev databases)
// through the pure-Go glebarez driver and wraps them in Atlas drivers.
package sqlitedb

import (
	"database/sql"
	"fmt"
	"net/url"
	"sync/atomic"

	"ariga.io/atlas/sql/migrate"
	_ "github.com/glebarez/go-sqlite" // registers the "sqlite" database/sql driver
)

// DriverName is the database/sql driver name registered by glebarez/go-sqlite.
const DriverName = "sqlite"

// FileDSN returns the DSN of the SQLite file at path, with foreign keys on
// and a busy timeout (which the migration lock sets to --lock-timeout).
// readOnly opens it with mode=ro so that read-only commands never create or
// change the file.
func FileDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		// BEGIN IMMEDIATE takes the write lock first, where the busy
		// timeout applies; a deferred transaction that reads, then writes
		// while another process writes gets SQLITE_BUSY at once.
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// OpenFile opens the SQLite file at path with a single connection.
// One connection matters: PRAGMA foreign_keys is per connection, and Atlas's
// OpenTx runs the PRAGMA on the pool before BEGIN on the same one.
func OpenFile(path string, readOnly bool) (*sql.DB, error) {
	if readOnly {
		return openReadOnly(path)
	}
	return open(FileDSN(path, readOnly), false)
}

// OpenImmutable opens the SQLite file at path read-only as a file nothing
// else writes (immutable=1): no lock is taken and no journal or WAL beside
// it is read or rolled back, so what is read is exactly the file's bytes
// (a restore point, checked before it is copied). It never changes the
// file.
func OpenImmutable(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	return open("file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode(), false)
}

var memSeq atomic.Int64

// OpenMemory opens a fresh, private in-memory database. Shared cache keeps it
// alive across the pool's reconnects; the unique name keeps it private. It
// disappears when closed. It is isolated: SQL run on it (the replay of
// unreviewed migration files) cannot reach any file — no ATTACH, no VACUUM
// INTO.
func OpenMemory(prefix string) (*sql.DB, error) {
	return open(fmt.Sprintf("file:%s_%d?mode=memory&cache=shared&_pragma=foreign_keys(1)", prefix, memSeq.Add(1)), true)
}

func open(dsn string, isolated bool) (*sql.DB, error) {
	db, err := openConnector(dsn, isolated)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Dev is an in-memory dev database with its Atlas driver, used to replay a
// migration directory or to compute a desired state. It never touches disk.
type Dev struct {
	DB     *sql.DB
	Driver migrate.Driver
}

// OpenDev opens a fresh in-memory dev database.
func OpenDev() (*Dev, error) {
	db, err := OpenMemory("dev")
	if err != nil {
		return nil, err
	}
	drv, err := Driver(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Dev{DB: db, Driver: drv}, nil
}

// Close releases the dev database.
func (d *Dev) Close() error { return d.DB.Close() }
