package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"slices"
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
//   - on isolated databases SQLITE_LIMIT_ATTACHED = 1: VACUUM attaches
//     one database for its copy (the authorizer lets only its nameless
//     temporary one through, so VACUUM INTO a file is denied).

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
	record   *[]Write  // non-nil while Writes compiles a statement
	reads    *[]string // non-nil while Access compiles a statement
	denyTx   bool      // while a migration's own statement runs (RunFileStmt)
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
	sqlite3.Xsqlite3_limit(tls, h, sqlite3.SQLITE_LIMIT_ATTACHED, 1)
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
		sqlite3.Xsqlite3_limit(tls, h, sqlite3.SQLITE_LIMIT_ATTACHED, 1)
	}
	if rc := sqlite3.Xsqlite3_set_authorizer(tls, h, authPtr, h); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlitedb: install authorizer: code %d", rc)
	}
	return registerDigest(tls, h)
}

// Write is one write a statement's compiled program may make: Action is
// "create", "insert", "update", "delete", "drop" or "alter"; Column is set
// for updates. Action "transaction" is a transaction control statement
// (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE; Table holds its verb).
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
	rec, reads, isolated, denyTx := s.record, s.reads, s.isolated, s.denyTx
	s.mu.Unlock()
	switch action {
	case sqlite3.SQLITE_ATTACH:
		// VACUUM's own copy is ATTACH '' (a temporary file SQLite names
		// and deletes); any other file, or a computed name, is denied.
		if isolated && (z1 == 0 || libc.GoString(z1) != "") {
			return sqlite3.SQLITE_DENY
		}
	case sqlite3.SQLITE_DETACH:
		if isolated {
			return sqlite3.SQLITE_DENY
		}
	case sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT:
		// A file that commits or rolls back would end the transaction
		// the guard measures in (or a dry run's).
		if denyTx {
			return sqlite3.SQLITE_DENY
		}
	}
	if rec == nil {
		return sqlite3.SQLITE_OK
	}
	var w Write
	switch action {
	case sqlite3.SQLITE_READ:
		if t := libc.GoString(z1); reads != nil && !slices.Contains(*reads, t) {
			*reads = append(*reads, t)
		}
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT:
		w = Write{Action: "transaction", Table: libc.GoString(z1)}
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

// Writes compiles every SQL statement of text (a migration statement may
// hold several, see atlas:delimiter) on db's connection, running none, and
// returns the writes SQLite's authorizer saw: the engine's own answer to
// "which tables may this statement change", including through triggers.
// A later statement that needs what an earlier one makes does not compile
// yet: the error says so, and the caller must assume any table may change.
// db must come from this package, and its connection must be idle (a
// transaction between two statements).
func Writes(db *sql.DB, text string) ([]Write, error) {
	ws, _, err := Access(db, text)
	return ws, err
}

// Access is Writes, and also the tables the statements read (columns of
// them that a SELECT, a WHERE or a trigger reads): what a statement
// copies a table's rows from.
func Access(db *sql.DB, text string) (writes []Write, reads []string, err error) {
	s := stateOf(db)
	if s == nil {
		return nil, nil, fmt.Errorf("sqlitedb: database not opened by this package")
	}
	s.mu.Lock()
	s.record, s.reads = &writes, &reads
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.record, s.reads = nil, nil
		s.mu.Unlock()
	}()
	if err := compile(s.handle, text); err != nil {
		return nil, nil, err
	}
	return writes, reads, nil
}

// compile prepares and finalizes each statement of text in turn, never
// stepping one: database/sql's drivers execute all but the last statement
// of a multi-statement query, even under EXPLAIN.
func compile(h uintptr, text string) error {
	tls := libc.NewTLS()
	defer tls.Close()
	z, err := libc.CString(text)
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, z)
	out := tls.Alloc(int(2 * ptrSize))
	defer tls.Free(int(2 * ptrSize))
	stmt, tail := out, out+ptrSize
	for cur := z; *(*byte)(cmem(cur)) != 0; {
		if rc := sqlite3.Xsqlite3_prepare_v2(tls, h, cur, -1, stmt, tail); rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("%s", libc.GoString(sqlite3.Xsqlite3_errmsg(tls, h)))
		}
		if p := *(*uintptr)(cmem(stmt)); p != 0 {
			sqlite3.Xsqlite3_finalize(tls, p)
		}
		next := *(*uintptr)(cmem(tail))
		if next == 0 || next == cur {
			break
		}
		cur = next
	}
	return nil
}

// DenyTxControl makes transaction control statements (BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT, RELEASE) fail on db until the returned function is
// called: around a migration's own statements, which must not end the
// transaction they are measured (or dry-run) in.
func DenyTxControl(db *sql.DB) (restore func()) {
	s := stateOf(db)
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	old := s.denyTx
	s.denyTx = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.denyTx = old
		s.mu.Unlock()
	}
}
