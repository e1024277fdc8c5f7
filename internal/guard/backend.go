package guard

import (
	"context"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// backend is how a database engine measures a table for the comparison
// (compare.go, rows.go), which is shared: one loss rule for SQLite and
// PostgreSQL. SQLite measures with its native functions (sqlitedb),
// PostgreSQL with SQL aggregates (pg.go).
type backend interface {
	// digest measures t, keying rows by the columns key (nil: whole rows).
	digest(ctx context.Context, q Queryer, t *table, key []string) error
	// collectRows reads every value of cols of t, keyed by key.
	collectRows(ctx context.Context, q Queryer, t *table, key, cols []string) ([][]sqlitedb.Record, error)
	// defaultValue evaluates a column's DEFAULT expression.
	defaultValue(ctx context.Context, q Queryer, expr string) (*sqlitedb.Record, error)
}

type sqliteBackend struct{}

func (sqliteBackend) digest(ctx context.Context, q Queryer, t *table, key []string) error {
	return t.digest(ctx, q, key)
}

func (sqliteBackend) collectRows(ctx context.Context, q Queryer, t *table, key, cols []string) ([][]sqlitedb.Record, error) {
	return collectRows(ctx, q, t.Name, key, cols)
}

func (sqliteBackend) defaultValue(ctx context.Context, q Queryer, expr string) (*sqlitedb.Record, error) {
	return defaultValue(ctx, q, expr)
}

// engine returns u's backend: SQLite unless set.
func (u *Unit) engine() backend {
	if u.be == nil {
		return sqliteBackend{}
	}
	return u.be
}
