package apply

import (
	"context"
	"database/sql"
	"os"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// ReaderLimit is the largest database file measured with a second
// connection (guard.Options.Reader): while it reads, the writer keeps its
// changes in memory, so memory grows with what a file writes meanwhile.
const ReaderLimit = 512 << 20

// Reader opens a read-only second connection to db's file for the
// data-loss guard; nil (and no error) for an in-memory database or a file
// over ReaderLimit, which are measured on the writer's connection.
func Reader(ctx context.Context, db *sql.DB) (*sql.DB, error) {
	var seq int
	var name, file string
	if err := db.QueryRowContext(ctx, "SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'").Scan(&seq, &name, &file); err != nil {
		return nil, err
	}
	fi, err := os.Stat(file)
	if file == "" || err != nil || fi.Size() > ReaderLimit {
		return nil, nil
	}
	return sqlitedb.OpenFile(file, true)
}
