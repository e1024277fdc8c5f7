package sqlitedb

import (
	"database/sql"
	"fmt"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// InTransaction reports whether db's connection is inside a transaction.
// SQLite ends a transaction by itself when a statement fails with a full
// disk, an I/O error or RAISE(ROLLBACK): what the caller runs next on its
// "transaction" then commits on its own, so a writer that must stay inside
// the file's transaction checks first.
func InTransaction(db *sql.DB) (bool, error) {
	s := stateOf(db)
	if s == nil {
		return false, fmt.Errorf("sqlitedb: database not opened by this package")
	}
	tls := libc.NewTLS()
	defer tls.Close()
	return sqlite3.Xsqlite3_get_autocommit(tls, s.handle) == 0, nil
}
