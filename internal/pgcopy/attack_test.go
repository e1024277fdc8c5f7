package pgcopy_test

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/structmigrate/structmigrate/internal/pgcopy"
	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// attackEnv is a SQLite file and a PostgreSQL database, each at the same
// migration version, with the tables the DDL makes.
type attackEnv struct {
	path  string
	pgURL string
	lite  *sql.DB
	pg    *pgx.Conn
}

func newAttackEnv(t *testing.T, liteDDL, pgDDL []string) *attackEnv {
	t.Helper()
	ctx := context.Background()
	e := &attackEnv{path: filepath.Join(t.TempDir(), "app.db"), pgURL: pgtest.NewDB(t)}
	lite, err := sqlitedb.OpenFile(e.path, false)
	must(t, err)
	t.Cleanup(func() { lite.Close() })
	e.lite = lite
	pg, err := pgx.Connect(ctx, e.pgURL)
	must(t, err)
	t.Cleanup(func() { pg.Close(context.Background()) })
	e.pg = pg
	for _, s := range append([]string{
		"CREATE TABLE atlas_schema_revisions (version text PRIMARY KEY, applied int, total int)",
		"INSERT INTO atlas_schema_revisions VALUES ('20260101000000', 1, 1)",
	}, liteDDL...) {
		_, err := lite.Exec(s)
		must(t, err)
	}
	for _, s := range append([]string{
		"CREATE SCHEMA atlas_schema_revisions",
		"CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (version text PRIMARY KEY, applied int, total int)",
		"INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('20260101000000', 1, 1)",
	}, pgDDL...) {
		_, err := pg.Exec(ctx, s)
		must(t, err)
	}
	return e
}

func (e *attackEnv) liteExec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := e.lite.Exec(q, args...)
	must(t, err)
}

func (e *attackEnv) pgExec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := e.pg.Exec(context.Background(), q, args...)
	must(t, err)
}

// copy runs the copy from a read-only handle on the file, as the CLI does.
func (e *attackEnv) copy(t *testing.T) error {
	t.Helper()
	src, err := sqlitedb.OpenFile(e.path, true)
	must(t, err)
	defer src.Close()
	_, err = pgcopy.Copy(context.Background(), pgcopy.Input{Source: src, SourceURL: e.path, TargetURL: e.pgURL, Out: io.Discard})
	return err
}

// pgStrings reads a query's single text column.
func (e *attackEnv) pgStrings(t *testing.T, q string) []string {
	t.Helper()
	rows, err := e.pg.Query(context.Background(), q)
	must(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	return out
}

// oneLine checks a refusal is one line naming what it must.
func oneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("the copy succeeded, want a refusal")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("refusal is not one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("refusal %q does not name %q", msg, w)
		}
	}
}
