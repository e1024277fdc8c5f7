package revisions

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
)

// Schema is where the Atlas CLI keeps the revisions table on PostgreSQL
// when the url names no schema (its default revisions schema).
const Schema = "atlas_schema_revisions"

// PostgresDDL creates the table as the Atlas CLI does on PostgreSQL: its
// ent schema (cmd/atlas/internal/migrate/ent/schema/revision.go) through
// ent's PostgreSQL types — string: character varying, text fields: text,
// uint/int/int64: bigint, time: timestamptz, strings: jsonb — with the
// primary key on version. The CLI's own migration of the table then
// finds nothing to change.
const PostgresDDL = `CREATE TABLE "atlas_schema_revisions"."atlas_schema_revisions" (` +
	`"version" character varying NOT NULL, "description" character varying NOT NULL, ` +
	`"type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0, ` +
	`"executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL, "error" text NULL, "error_stmt" text NULL, ` +
	`"hash" character varying NOT NULL, "partial_hashes" jsonb NULL, "operator_version" character varying NOT NULL, ` +
	`PRIMARY KEY ("version"))`

const pgTable = `"atlas_schema_revisions"."atlas_schema_revisions"`

const pgColumns = `"version", "description", "type", "applied", "total", "executed_at", "execution_time", "error", "error_stmt", "hash", "partial_hashes", "operator_version"`

// Postgres is the revisions store on PostgreSQL, over a connection or a
// transaction (inside a file's transaction, give it the transaction).
type Postgres struct {
	db schema.ExecQuerier
}

var _ migrate.RevisionReadWriter = (*Postgres)(nil)

// NewPostgres returns the PostgreSQL store over db.
func NewPostgres(db schema.ExecQuerier) *Postgres { return &Postgres{db: db} }

// Ident names the table and its schema: Atlas's clean-database check lets
// a database hold this table in this schema and nothing else.
func (*Postgres) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: Table, Schema: Schema}
}

// Exists reports whether the table is present.
func (s *Postgres) Exists(ctx context.Context) (bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgTable)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		if err := rows.Scan(&ok); err != nil {
			return false, err
		}
	}
	return ok, rows.Err()
}

// Init creates the schema and the table when missing. Callers hold the
// apply lock, so two runs never race here.
func (s *Postgres) Init(ctx context.Context) error {
	ok, err := s.Exists(ctx)
	if err != nil || ok {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS "atlas_schema_revisions"`); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, PostgresDDL)
	return err
}

// ReadRevisions returns every revision by ascending version; none when
// the table is absent (read-only commands never create it).
func (s *Postgres) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	if ok, err := s.Exists(ctx); err != nil || !ok {
		return nil, err
	}
	// COLLATE "C": the CLI's order (byte order), whatever the database's collation.
	rows, err := s.db.QueryContext(ctx, `SELECT `+pgColumns+` FROM `+pgTable+` WHERE "version" <> $1 ORDER BY "version" COLLATE "C"`, cloudIdentifier)
	if err != nil {
		return nil, err
	}
	return all(rows, scanPG)
}

// ReadRevision returns one revision or migrate.ErrRevisionNotExist.
func (s *Postgres) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+pgColumns+` FROM `+pgTable+` WHERE "version" = $1`, version)
	if err != nil {
		return nil, err
	}
	return first(rows, scanPG)
}

// WriteRevision upserts r; as ent's UpdateNewValues in the CLI, a rewrite
// leaves version, description and executed_at as first written.
func (s *Postgres) WriteRevision(ctx context.Context, r *migrate.Revision) error {
	partial := "null" // ent writes a nil slice as JSON null
	if r.PartialHashes != nil {
		b, err := json.Marshal(r.PartialHashes)
		if err != nil {
			return err
		}
		partial = string(b)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO `+pgTable+` (`+pgColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12) `+
		`ON CONFLICT ("version") DO UPDATE SET "type" = excluded."type", "applied" = excluded."applied", "total" = excluded."total", `+
		`"execution_time" = excluded."execution_time", "error" = excluded."error", "error_stmt" = excluded."error_stmt", `+
		`"hash" = excluded."hash", "partial_hashes" = excluded."partial_hashes", "operator_version" = excluded."operator_version"`,
		r.Version, r.Description, int64(r.Type), int64(r.Applied), int64(r.Total), r.ExecutedAt,
		int64(r.ExecutionTime), r.Error, r.ErrorStmt, r.Hash, partial, r.OperatorVersion)
	return err
}

// DeleteRevision removes the row of version.
func (s *Postgres) DeleteRevision(ctx context.Context, version string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM `+pgTable+` WHERE "version" = $1`, version)
	return err
}

func scanPG(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		r                       migrate.Revision
		typ, applied, total, ns int64
		errText, errStmt        sql.NullString
		partial                 sql.NullString
		executed                time.Time
	)
	if err := rows.Scan(&r.Version, &r.Description, &typ, &applied, &total, &executed, &ns,
		&errText, &errStmt, &r.Hash, &partial, &r.OperatorVersion); err != nil {
		return nil, fmt.Errorf("revisions: scan: %w", err)
	}
	r.Type, r.Applied, r.Total = migrate.RevisionType(typ), int(applied), int(total)
	r.ExecutedAt, r.ExecutionTime = executed, time.Duration(ns)
	r.Error, r.ErrorStmt = errText.String, errStmt.String
	if partial.Valid && partial.String != "null" {
		if err := json.Unmarshal([]byte(partial.String), &r.PartialHashes); err != nil {
			return nil, fmt.Errorf("revisions: version %s: partial_hashes: %w", r.Version, err)
		}
	}
	return &r, nil
}
