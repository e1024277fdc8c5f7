// Package revisions stores applied migrations in the atlas_schema_revisions
// table, byte-compatible with the Atlas CLI: same DDL, same column values,
// same upsert semantics, so either tool can read what the other wrote.
package revisions

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
)

// Table is the revisions table name used by the Atlas CLI.
const Table = "atlas_schema_revisions"

// DDL is the exact statement the Atlas CLI v0.38 runs on SQLite. Creating the
// table with the same text keeps the CLI's own schema migration a no-op.
const DDL = "CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, `description` text NOT NULL, `type` integer NOT NULL DEFAULT (2), `applied` integer NOT NULL DEFAULT (0), `total` integer NOT NULL DEFAULT (0), `executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, `partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`))"

// TimeLayout is how executed_at is stored (mattn's and glebarez's layout).
const TimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// cloudIdentifier is a row the official binary adds when reporting to Atlas
// Cloud; it is not a migration.
const cloudIdentifier = ".atlas_cloud_identifier"

// Store implements migrate.RevisionReadWriter over a connection or a
// transaction. Inside a transaction it must be given the *sql.Tx: the
// database has one connection, so going around the tx would deadlock.
type Store struct {
	db schema.ExecQuerier
}

var _ migrate.RevisionReadWriter = (*Store)(nil)

// New returns a store over db (a *sql.DB, *sql.Tx or Atlas tx).
func New(db schema.ExecQuerier) *Store { return &Store{db: db} }

// Ident identifies the table for Atlas's clean-database check.
func (*Store) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: Table, Schema: "main"}
}

// Exists reports whether the revisions table is present.
func (s *Store) Exists(ctx context.Context) (bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", Table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// Init creates the table with the CLI's DDL when it is missing.
func (s *Store) Init(ctx context.Context) error {
	ok, err := s.Exists(ctx)
	if err != nil || ok {
		return err
	}
	_, err = s.db.ExecContext(ctx, DDL)
	return err
}

const columns = "`version`, `description`, `type`, `applied`, `total`, `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, `operator_version`"

// ReadRevisions returns every revision by ascending version. A database
// without the table has no revisions (read-only commands never create it).
func (s *Store) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	if ok, err := s.Exists(ctx); err != nil || !ok {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+" FROM `atlas_schema_revisions` WHERE `version` != ? ORDER BY `version`", cloudIdentifier)
	if err != nil {
		return nil, err
	}
	return all(rows, scan)
}

// ReadRevision returns one revision or migrate.ErrRevisionNotExist.
func (s *Store) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+" FROM `atlas_schema_revisions` WHERE `version` = ?", version)
	if err != nil {
		return nil, err
	}
	return first(rows, scan)
}

// WriteRevision upserts r. Like ent's UpdateNewValues in the CLI, a rewrite
// leaves version, description and executed_at as first written.
func (s *Store) WriteRevision(ctx context.Context, r *migrate.Revision) error {
	partial := []byte("null")
	if r.PartialHashes != nil {
		b, err := json.Marshal(r.PartialHashes)
		if err != nil {
			return err
		}
		partial = b
	}
	_, err := s.db.ExecContext(ctx, "INSERT INTO `atlas_schema_revisions` ("+columns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "+
		"ON CONFLICT (`version`) DO UPDATE SET `type` = excluded.`type`, `applied` = excluded.`applied`, `total` = excluded.`total`, "+
		"`execution_time` = excluded.`execution_time`, `error` = excluded.`error`, `error_stmt` = excluded.`error_stmt`, "+
		"`hash` = excluded.`hash`, `partial_hashes` = excluded.`partial_hashes`, `operator_version` = excluded.`operator_version`",
		r.Version, r.Description, int64(r.Type), r.Applied, r.Total, r.ExecutedAt.Format(TimeLayout),
		int64(r.ExecutionTime), r.Error, r.ErrorStmt, r.Hash, partial, r.OperatorVersion)
	return err
}

// DeleteRevision removes the row of version.
func (s *Store) DeleteRevision(ctx context.Context, version string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM `atlas_schema_revisions` WHERE `version` = ?", version)
	return err
}

func scan(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		r                migrate.Revision
		typ, dur         int64
		executed         any
		errText, errStmt sql.NullString
		partial          []byte
	)
	if err := rows.Scan(&r.Version, &r.Description, &typ, &r.Applied, &r.Total, &executed, &dur,
		&errText, &errStmt, &r.Hash, &partial, &r.OperatorVersion); err != nil {
		return nil, fmt.Errorf("revisions: scan: %w", err)
	}
	r.Type, r.ExecutionTime = migrate.RevisionType(typ), time.Duration(dur)
	r.Error, r.ErrorStmt = errText.String, errStmt.String
	t, err := parseTime(executed)
	if err != nil {
		return nil, fmt.Errorf("revisions: version %s: %w", r.Version, err)
	}
	r.ExecutedAt = t
	if len(partial) > 0 && string(partial) != "null" {
		if err := json.Unmarshal(partial, &r.PartialHashes); err != nil {
			return nil, fmt.Errorf("revisions: version %s: partial_hashes: %w", r.Version, err)
		}
	}
	return &r, nil
}

// parseTime accepts what the drivers hand back for the datetime column:
// glebarez parses it into time.Time, other writers may leave text.
func parseTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case string:
		return parseTimeText(v)
	case []byte:
		return parseTimeText(string(v))
	case nil:
		return time.Time{}, nil
	default:
		return time.Time{}, fmt.Errorf("executed_at: unexpected %T", v)
	}
}

func parseTimeText(s string) (time.Time, error) {
	for _, layout := range []string{TimeLayout, "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("executed_at: cannot parse " + s)
}

// all reads every revision of rows with scan (one per dialect), closing rows.
func all(rows *sql.Rows, scan func(*sql.Rows) (*migrate.Revision, error)) ([]*migrate.Revision, error) {
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		revs = append(revs, r)
	}
	return revs, rows.Err()
}

// first reads the one revision of rows, or migrate.ErrRevisionNotExist.
func first(rows *sql.Rows, scan func(*sql.Rows) (*migrate.Revision, error)) (*migrate.Revision, error) {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scan(rows)
}
