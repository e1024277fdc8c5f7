// Package dialect is where structmigrate decides by database engine. An
// env's url picks the dialect (Of); each dialect says which commands it
// supports (Check) and, for PostgreSQL, how to open the database, which
// Atlas driver and GORM dialector to use, where the dev database comes
// from, which lock excludes other runs and where revisions are stored
// (Dialect). SQLite, the default, is served by the packages written for
// it (sqlitedb, guard, dblock, revisions.Store) and is unchanged.
package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"gorm.io/gorm"
)

// Name names a dialect.
type Name string

// The dialects.
const (
	SQLite   Name = "sqlite"
	Postgres Name = "postgres"
)

// schemes maps a url scheme to its dialect. postgresql:// is libpq's and
// the Atlas CLI's alias of postgres://.
var schemes = map[string]Name{
	"sqlite":     SQLite,
	"postgres":   Postgres,
	"postgresql": Postgres,
}

// Of returns the dialect of an env url by its scheme, and false for a
// scheme structmigrate does not support.
func Of(url string) (Name, bool) {
	scheme, _, ok := strings.Cut(url, "://")
	if !ok {
		return "", false
	}
	n, ok := schemes[scheme]
	return n, ok
}

// supported lists the commands that run on each dialect other than
// SQLite (which runs every command). A command missing here refuses.
var supported = map[Name]map[string]bool{
	Postgres: {"diff": true, "apply": true, "rollback": true, "status": true, "lint": true, "baseline": true, "set": true, "hash": true},
}

// UnsupportedError refuses a command a dialect does not support yet.
type UnsupportedError struct {
	Dialect Name
	Command string
	Env     string
}

func (e *UnsupportedError) Error() string {
	var cmds []string
	for _, c := range []string{"diff", "apply", "rollback", "status", "lint", "baseline", "set", "hash"} {
		if supported[e.Dialect][c] {
			cmds = append(cmds, c)
		}
	}
	return fmt.Sprintf("%s is not supported on PostgreSQL yet (env %q; supported there: %s)", e.Command, e.Env, strings.Join(cmds, ", "))
}

// Check refuses a command that dialect n does not support.
func Check(n Name, command, env string) error {
	if n == SQLite || supported[n][command] {
		return nil
	}
	return &UnsupportedError{Dialect: n, Command: command, Env: env}
}

// Dialect is what the dialect-neutral commands (internal/engine) need
// from a database engine.
type Dialect interface {
	Name() Name
	// Open opens the database of url and checks that it answers.
	Open(ctx context.Context, url string) (*sql.DB, error)
	// Driver is Atlas's driver over a connection or a transaction.
	Driver(conn schema.ExecQuerier) (migrate.Driver, error)
	// Gorm is GORM's dialector over db, for the desired state.
	Gorm(db *sql.DB) gorm.Dialector
	// Dev returns an empty database to replay and diff on: the env's dev
	// url, or a temporary one next to target. Close drops what it made.
	Dev(ctx context.Context, target, dev string) (*Dev, error)
	// Lock takes the lock the Atlas CLI takes to apply, waiting up to
	// wait; it says on out that it waits.
	Lock(ctx context.Context, db *sql.DB, wait time.Duration, out io.Writer) (unlock func() error, err error)
	// Revisions is the atlas_schema_revisions store over conn.
	Revisions(conn schema.ExecQuerier) Revisions
}

// Revisions is a revisions store that can create its table.
type Revisions interface {
	migrate.RevisionReadWriter
	// Init creates the table (and its schema) as the Atlas CLI does, when
	// missing.
	Init(ctx context.Context) error
}

// Dev is an empty database for replays and diffs.
type Dev struct {
	DB     *sql.DB
	Driver migrate.Driver
	close  func() error
	once   sync.Once
	err    error
}

// Close closes the database and drops it when it was made for this run;
// a second call returns the first one's result.
func (d *Dev) Close() error {
	d.once.Do(func() { d.err = d.close() })
	return d.err
}

// OfDB tells the dialect of an open database by its database/sql driver's
// package: pgx's stdlib or lib/pq are PostgreSQL, anything else SQLite
// (whose packages check further).
func OfDB(db *sql.DB) Name {
	t := reflect.TypeOf(db.Driver())
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p := t.PkgPath(); strings.HasPrefix(p, "github.com/jackc/pgx/") || p == "github.com/lib/pq" {
		return Postgres
	}
	return SQLite
}

// For returns the Dialect of n; SQLite has none (its commands do not go
// through this interface).
func For(n Name) (Dialect, error) {
	if n == Postgres {
		return pg{}, nil
	}
	return nil, fmt.Errorf("dialect %q has no engine", n)
}
