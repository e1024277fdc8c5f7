package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// The glebarez driver exposes neither sqlite3_limit, an authorizer nor
// native functions, but the modernc library under it has all three. Every
// connection this project opens goes through connector, which installs on
// the raw SQLite handle:
//   - the guard's digest functions (digest.go),
//   - an authorizer that records which tables a statement writes, and that
//     on isolated (dev) databases denies ATTACH/DETACH,
//   - on isolated databases SQLITE_LIMIT_ATTACHED = 0, which also stops
//     VACUUM INTO (it attaches its output file).

// glebarez's conn keeps the SQLite handle in its first field, `db uintptr`;
// handleOf checks that layout before reading it, so a driver upgrade that
// changes it fails loudly instead of reading garbage.
func handleOf(dc driver.Conn) (uintptr, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0, fmt.Errorf("sqlitedb: unexpected driver connection %T", dc)
	}
	t := v.Elem().Type()
	if t.NumField() == 0 || t.Field(0).Name != "db" || t.Field(0).Type.Kind() != reflect.Uintptr || t.Field(0).Offset != 0 {
		return 0, fmt.Errorf("sqlitedb: driver connection %T has no leading db handle; the glebarez driver changed", dc)
	}
	return *(*uintptr)(v.UnsafePointer()), nil
}

// connState is what the hooks know about one SQLite handle.
type connState struct {
	handle   uintptr
	mu       sync.Mutex
	isolated bool
	record   *[]Write // non-nil while Writes compiles a statement
}

var states sync.Map // handle (uintptr) → *connState

// connector opens glebarez connections and installs the hooks.
type connector struct {
	dsn      string
	isolated bool
	drv      driver.Driver
	mu       sync.Mutex
	handle   uintptr // of the newest connection (pools here hold one)
}

func (c *connector) Driver() driver.Driver { return c.drv }

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	h, err := handleOf(dc)
	if err == nil {
		err = install(h, c.isolated)
	}
	if err != nil {
		dc.Close()
		return nil, err
	}
	c.mu.Lock()
	c.handle = h
	c.mu.Unlock()
	return dc, nil
}

var (
	connectors sync.Map // *sql.DB → *connector
	glebarez   driver.Driver
	glebOnce   sync.Once
)

func openConnector(dsn string, isolated bool) (*sql.DB, error) {
	glebOnce.Do(func() {
		if db, err := sql.Open(DriverName, ""); err == nil {
			glebarez = db.Driver()
			db.Close()
		}
	})
	if glebarez == nil {
		return nil, fmt.Errorf("sqlitedb: driver %q not registered", DriverName)
	}
	c := &connector{dsn: dsn, isolated: isolated, drv: glebarez}
	db := sql.OpenDB(c)
	connectors.Store(db, c)
	return db, nil
}

// adopted maps handles opened elsewhere (an app's own *sql.DB given to
// the startup API) to the SQLite handle Adopt hooked.
var adopted sync.Map // *sql.DB → uintptr

// Adopt installs the hooks on the connection of a database handle that this
// package did not open (the app's own pool of one connection, see startup);
// for handles it opened it does nothing.
func Adopt(ctx context.Context, db *sql.DB) error {
	if _, ok := connectors.Load(db); ok {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("sqlitedb: unexpected driver connection %T", dc)
		}
		h, err := handleOf(c)
		if err != nil {
			return err
		}
		if _, ok := states.Load(h); !ok {
			if err := install(h, false); err != nil {
				return err
			}
		}
		adopted.Store(db, h)
		return nil
	})
}

// Isolate denies ATTACH (and so VACUUM INTO) on db from now on, as on dev
// databases: for a dry run, which executes unreviewed files on the real
// database inside a transaction it rolls back.
func Isolate(db *sql.DB) error {
	s := stateOf(db)
	if s == nil {
		return fmt.Errorf("sqlitedb: database not opened by this package")
	}
	s.mu.Lock()
	s.isolated = true
	h := s.handle
	s.mu.Unlock()
	tls := libc.NewTLS()
	defer tls.Close()
	sqlite3.Xsqlite3_limit(tls, h, sqlite3.SQLITE_LIMIT_ATTACHED, 0)
	return nil
}

func stateOf(db *sql.DB) *connState {
	var h uintptr
	if v, ok := connectors.Load(db); ok {
		c := v.(*connector)
		c.mu.Lock()
		h = c.handle
		c.mu.Unlock()
	} else if v, ok := adopted.Load(db); ok {
		h = v.(uintptr)
	} else {
		return nil
	}
	s, ok := states.Load(h)
	if !ok {
		return nil
	}
	return s.(*connState)
}

// cfunc turns a Go function into the pointer the transpiled C calls, as
// the glebarez and modernc drivers do for their own callbacks.
func cfunc[T any](f T) uintptr { return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f})) }

var authPtr = cfunc(authorize)

func install(h uintptr, isolated bool) error {
	tls := libc.NewTLS()
	defer tls.Close()
	states.Store(h, &connState{handle: h, isolated: isolated})
	if isolated {
		sqlite3.Xsqlite3_limit(tls, h, sqlite3.SQLITE_LIMIT_ATTACHED, 0)
	}
	if rc := sqlite3.Xsqlite3_set_authorizer(tls, h, authPtr, h); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlitedb: install authorizer: code %d", rc)
	}
	return registerDigest(tls, h)
}

// Write is one write a statement's compiled program may make: Action is
// "create", "insert", "update", "delete", "drop" or "alter"; Column is set
// for updates.
// Trigger programs count: they are compiled with the statement.
type Write struct {
	Action, Table, Column string
}

func authorize(_ *libc.TLS, h uintptr, action int32, z1, z2, _, _ uintptr) int32 {
	v, ok := states.Load(h)
	if !ok {
		return sqlite3.SQLITE_OK
	}
	s := v.(*connState)
	s.mu.Lock()
	rec, isolated := s.record, s.isolated
	s.mu.Unlock()
	switch action {
	case sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH:
		if isolated {
			return sqlite3.SQLITE_DENY
		}
	}
	if rec == nil {
		return sqlite3.SQLITE_OK
	}
	var w Write
	switch action {
	case sqlite3.SQLITE_INSERT:
		w = Write{Action: "insert", Table: libc.GoString(z1)}
	case sqlite3.SQLITE_UPDATE:
		w = Write{Action: "update", Table: libc.GoString(z1), Column: libc.GoString(z2)}
	case sqlite3.SQLITE_DELETE:
		w = Write{Action: "delete", Table: libc.GoString(z1)}
	case sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_DROP_VTABLE:
		w = Write{Action: "drop", Table: libc.GoString(z1)}
	case sqlite3.SQLITE_ALTER_TABLE:
		w = Write{Action: "alter", Table: libc.GoString(z2)}
	case sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_CREATE_TEMP_TABLE:
		w = Write{Action: "create", Table: libc.GoString(z1)}
	default:
		return sqlite3.SQLITE_OK
	}
	*rec = append(*rec, w)
	return sqlite3.SQLITE_OK
}

// Writes compiles stmt (EXPLAIN, so nothing runs) on q, a transaction or
// connection of db, and returns the writes SQLite's authorizer saw: the
// engine's own answer to "which tables may this statement change",
// including through triggers. db must come from this package.
func Writes(ctx context.Context, db *sql.DB, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, stmt string) ([]Write, error) {
	s := stateOf(db)
	if s == nil {
		return nil, fmt.Errorf("sqlitedb: database not opened by this package")
	}
	var ws []Write
	s.mu.Lock()
	s.record = &ws
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.record = nil
		s.mu.Unlock()
	}()
	rows, err := q.QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return ws, rows.Err()
}
