// Package diskspace refuses a table rebuild that cannot fit before it
// starts: a rebuild copies the table (and rebuilds its indexes) inside one
// transaction, so the database file grows by about their size until commit.
// Running out of room halfway costs the whole copy's time and leaves a hot
// journal; checking first costs one look at the file system.
package diskspace

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"

	"ariga.io/atlas/sql/schema"
)

// Free returns the bytes an unprivileged writer may still use on the file
// system that holds path (statfs f_bavail: root's reserve is not counted).
func Free(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// ShortError refuses a rebuild that needs more room than is free.
type ShortError struct {
	Path  string   // the database file
	Where string   // the migration file
	Table []string // the tables rebuilt
	Need  uint64   // bytes the copies need beyond the database's own free pages
	Free  uint64   // bytes free on the file system
}

func (e *ShortError) Error() string {
	names := make([]string, len(e.Table))
	for i, t := range e.Table {
		names[i] = strconv.Quote(t)
	}
	return fmt.Sprintf("%s: not enough disk space to rebuild %s: the copy needs about %s (the table and its indexes, less the database's free pages), the file system of %s has %s free; nothing was changed (free some space, or move the database)",
		e.Where, strings.Join(names, ", "), Size(e.Need), e.Path, Size(e.Free))
}

// TableBytes returns the bytes the b-trees of table and its indexes take,
// measured with SQLite's dbstat virtual table (reading every page of them).
func TableBytes(ctx context.Context, db schema.ExecQuerier, table string) (uint64, error) {
	return queryBytes(ctx, db, "SELECT coalesce(sum(s.pgsize), 0) FROM dbstat('main', 1) AS s JOIN sqlite_schema AS m ON m.name = s.name WHERE m.tbl_name = ? AND m.type IN ('table', 'index')", table)
}

// FreePages returns the bytes of the database's free pages, which a copy
// reuses before the file grows.
func FreePages(ctx context.Context, db schema.ExecQuerier) (uint64, error) {
	return queryBytes(ctx, db, "SELECT (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size)")
}

// Check returns a *ShortError when rebuilding tables of the database at
// path would not fit on its file system.
func Check(ctx context.Context, db schema.ExecQuerier, path, where string, tables []string) error {
	// The common case, without reading the tables' pages (dbstat scans
	// them): a copy of the whole database fits, so any table's does.
	free, freeErr := Free(path)
	if whole, err := fileBytes(ctx, db); freeErr == nil && err == nil && whole <= free {
		return nil
	}
	var need uint64
	for _, t := range tables {
		n, err := TableBytes(ctx, db, t)
		if err != nil {
			return fmt.Errorf("measure table %q: %w", t, err)
		}
		need += n
	}
	reuse, err := FreePages(ctx, db)
	if err != nil {
		return err
	}
	if reuse >= need {
		return nil
	}
	need -= reuse
	if freeErr != nil {
		return freeErr
	}
	if need > free {
		return &ShortError{Path: path, Where: where, Table: tables, Need: need, Free: free}
	}
	return nil
}

// Size formats n bytes for people (KB, MB, GB: powers of 1024).
func Size(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, []string{"KB", "MB", "GB", "TB"}[i])
}

// fileBytes is the database's size: page_count × page_size.
func fileBytes(ctx context.Context, db schema.ExecQuerier) (uint64, error) {
	return queryBytes(ctx, db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
}

// queryBytes runs a query of one number of bytes (no row: 0).
func queryBytes(ctx context.Context, db schema.ExecQuerier, query string, args ...any) (uint64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return uint64(n), rows.Err()
}

// units are the size suffixes ParseSize reads: powers of 1024, as
// Size prints them.
var units = []struct {
	suffix string
	shift  uint
}{{"TB", 40}, {"GB", 30}, {"MB", 20}, {"KB", 10}, {"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}, {"B", 0}}

// ParseSize reads a size such as "500MB", "2GB", "1.5G" or "1048576"
// (bytes); units are powers of 1024. Exponents and hex are refused.
func ParseSize(s string) (uint64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	shift := uint(0)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, shift = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.shift
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(t, "EXP") {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit, e.g. 500MB or 2GB", s)
	}
	n := f * float64(uint64(1)<<shift)
	if n >= math.MaxUint64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return uint64(n), nil
}
