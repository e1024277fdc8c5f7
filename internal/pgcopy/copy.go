// Package pgcopy copies the rows of a SQLite database into a PostgreSQL
// database that the same structs' history has migrated to the same
// version: in one PostgreSQL transaction, tables in foreign-key order,
// each value converted as GORM would have stored it on PostgreSQL, and,
// before that transaction commits, verified: per table the row count and,
// per column, a digest of every value's canonical text on both sides.
package pgcopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/structmigrate/structmigrate/internal/ident"

	"github.com/jackc/pgx/v5"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// revisionsTable is skipped: the target has its own history.
const revisionsTable = "atlas_schema_revisions"

// Input is what Copy needs.
type Input struct {
	Source    *sql.DB // the SQLite database, read only
	SourceURL string  // for messages
	TargetURL string  // postgres://…
	Out       io.Writer
}

// Table is what was copied into one table.
type Table struct {
	Name    string
	Rows    int // rows in the source (and, after the copy, in the target)
	Present int // of those, rows the target already held, equal (its own data migrations)
	Changed int // rows the target held with other values, replaced by the source's
	Columns int
}

// Copy copies every row and prints a summary. Any error leaves the
// target as it was.
func Copy(ctx context.Context, in Input) ([]Table, error) {
	src, err := in.Source.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer src.Rollback()
	conn, err := pgx.Connect(ctx, in.TargetURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", dialect.Redact(in.TargetURL), err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background())
	// The lock apply takes (and the Atlas CLI): no migration runs meanwhile.
	var locked bool
	if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", dialect.LockKey(dialect.ApplyLock)).Scan(&locked); err != nil {
		return nil, err
	}
	if !locked {
		return nil, errors.New("another migration run holds the target's migration lock (advisory lock " + dialect.ApplyLock + "); nothing was copied")
	}
	sv, err := sourceVersion(ctx, src)
	if err != nil {
		return nil, err
	}
	tv, err := targetVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	if sv != tv {
		return nil, fmt.Errorf("the source is at migration version %s and the target at %s: apply the target's history up to the same version first; nothing was copied", sv, tv)
	}
	tables, err := targetTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := sameTables(ctx, src, tables); err != nil {
		return nil, err
	}
	// No other session writes the tables until the copy commits (reads go
	// on): a row committed after the target's rows are read below would be
	// deleted with them, silently.
	if len(tables) > 0 {
		qs := make([]string, len(tables))
		for i, t := range tables {
			qs[i] = ident.QuotePG(t.Name)
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(qs, ", ")+" IN EXCLUSIVE MODE"); err != nil {
			return nil, fmt.Errorf("lock the target's tables: %w; nothing was copied", err)
		}
	}
	// The rows the target holds already (its own data migrations, e.g. a
	// seed) are read, then deleted, referrers first; the source's rows
	// replace them, and a row the source lacks refuses the copy.
	existing := make([]map[string][]string, len(tables))
	for i, t := range tables {
		if existing[i], _, err = targetRows(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		if len(existing[i]) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM "+ident.QuotePG(tables[i].Name)); err != nil {
				return nil, fmt.Errorf("table %s: %w; nothing was copied", tables[i].Name, err)
			}
		}
	}
	var done []Table
	sums := make([][]digest, len(tables))
	for i, t := range tables {
		r, s, err := copyTable(ctx, src, tx, t, existing[i])
		if err != nil {
			return nil, err
		}
		if err := resetSequences(ctx, tx, t); err != nil {
			return nil, err
		}
		done = append(done, r)
		sums[i] = s
	}
	// Verify, inside the transaction, once every table is copied.
	for i, t := range tables {
		if err := verifyTable(ctx, src, tx, t, done[i], sums[i]); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	fmt.Fprintf(in.Out, "Copied %s (version %s) to %s in one transaction:\n", in.SourceURL, sv, dialect.Redact(in.TargetURL))
	for _, t := range done {
		fmt.Fprintf(in.Out, "  %-24s %8d rows (%d were there already, %d of them with other values), %d columns verified\n", t.Name, t.Rows, t.Present+t.Changed, t.Changed, t.Columns)
	}
	fmt.Fprintln(in.Out, "Verified: each table's row count and every column's values match.")
	return done, nil
}

// latest is the newest applied version of a revisions table, refusing a
// partly applied file.
func latest(row interface{ Scan(...any) error }, side string) (string, error) {
	var v string
	var applied, total int
	switch err := row.Scan(&v, &applied, &total); {
	case errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows):
		return "", fmt.Errorf("the %s has no migrations applied; nothing was copied", side)
	case err != nil:
		return "", fmt.Errorf("read the %s's migration version: %w; nothing was copied", side, err)
	case applied != total:
		return "", fmt.Errorf("the %s's version %s is partly applied (%d of %d statements); nothing was copied", side, v, applied, total)
	}
	return v, nil
}

const latestSQL = "SELECT version, applied, total FROM %s ORDER BY version DESC LIMIT 1"

func sourceVersion(ctx context.Context, src *sql.Tx) (string, error) {
	var n int
	if err := src.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", revisionsTable).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("the source has no migrations applied (no atlas_schema_revisions table); nothing was copied")
	}
	return latest(src.QueryRowContext(ctx, fmt.Sprintf(latestSQL, revisionsTable)), "source")
}

func targetVersion(ctx context.Context, tx pgx.Tx) (string, error) {
	var ok bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass('atlas_schema_revisions.atlas_schema_revisions') IS NOT NULL").Scan(&ok); err != nil {
		return "", err
	}
	if !ok {
		return "", errors.New("the target has no migrations applied (no atlas_schema_revisions table): apply its history first; nothing was copied")
	}
	return latest(tx.QueryRow(ctx, fmt.Sprintf(latestSQL, "atlas_schema_revisions.atlas_schema_revisions")), "target")
}

// quote quotes an identifier (the same on both sides).

// digest is an order-independent sum of row hashes: the two sides read
// rows in different orders (their collations differ).
type digest [2]uint64

func (d *digest) add(key, val string) {
	h := sha256.Sum256([]byte(key + "\x00" + val))
	d[0] += binary.LittleEndian.Uint64(h[0:8])
	d[1] += binary.LittleEndian.Uint64(h[8:16])
}

// sortedKeys is for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
