package guard

import (
	"context"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Values reads every value of column col of table, keyed by key (nil:
// unkeyed), as the guard compares them.
func Values(ctx context.Context, q Queryer, table string, key []string, col string) ([]sqlitedb.Record, error) {
	return collect(ctx, q, table, key, col)
}

// Kept reports whether apply accepts after in place of before: the same
// value, or an exact conversion (same text, or the same number). The
// measured type-change table in docs/changes-types.md is rendered with it.
func Kept(before, after sqlitedb.Record) bool { return kept(before, after) }

// Default evaluates a column's DEFAULT expression as the guard does when it
// judges a dropped column: its values equal to it (by Kept) are not a loss.
func Default(ctx context.Context, q Queryer, expr string) (sqlitedb.Record, error) {
	r, err := defaultValue(ctx, q, expr)
	if err != nil {
		return sqlitedb.Record{}, err
	}
	return *r, nil
}
