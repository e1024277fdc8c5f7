package revisions_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

const operator = "Atlas CLI v0.38.0"

// openDB opens (creating) a SQLite file in a fresh temporary directory.
func openDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	return openPath(t, path), path
}

func openPath(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func execFile(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(b)); err != nil {
		t.Fatalf("exec %s: %v", name, err)
	}
}

// cliDB returns a database as the Atlas CLI left it: its table and rows.
func cliDB(t *testing.T) *sql.DB {
	t.Helper()
	db, _ := openDB(t)
	execFile(t, db, "cli_ddl.sql")
	execFile(t, db, "cli_rows.sql")
	return db
}

// masterSQL returns sqlite_master.sql of the revisions table, or ok=false.
func masterSQL(t *testing.T, db *sql.DB) (string, bool) {
	t.Helper()
	var s string
	err := db.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", revisions.Table).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return s, true
}

// dump returns every row as the sqlite3 shell's quote() shows it, so types
// (TEXT vs BLOB vs INTEGER vs NULL) and bytes are both compared.
func dump(t *testing.T, db *sql.DB, where string, args ...any) []string {
	t.Helper()
	rows, err := db.Query("SELECT quote(`version`) || '|' || quote(`description`) || '|' || quote(`type`) || '|' || quote(`applied`) || '|' || "+
		"quote(`total`) || '|' || quote(`executed_at`) || '|' || quote(`execution_time`) || '|' || quote(`error`) || '|' || "+
		"quote(`error_stmt`) || '|' || quote(`hash`) || '|' || quote(`partial_hashes`) || '|' || quote(`operator_version`) "+
		"FROM `atlas_schema_revisions` "+where+" ORDER BY `version`", args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(revisions.TimeLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// cliRevisions are the migration rows of testdata/cli_rows.sql, decoded.
func cliRevisions(t *testing.T) []*migrate.Revision {
	return []*migrate.Revision{
		{
			Version:         "20261101000000",
			Description:     "baseline",
			Type:            migrate.RevisionTypeBaseline,
			ExecutedAt:      mustTime(t, "2026-11-30 03:36:56.001002003+00:00"),
			OperatorVersion: operator,
		},
		{
			Version:         "20261130033654",
			Description:     "init",
			Type:            migrate.RevisionTypeExecute,
			Applied:         2,
			Total:           2,
			ExecutedAt:      mustTime(t, "2026-11-30 03:36:56.142766886+00:00"),
			ExecutionTime:   135958 * time.Nanosecond,
			Hash:            "u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=",
			OperatorVersion: operator,
		},
		{
			Version:         "20261201101010",
			Description:     "add_nickname",
			Type:            migrate.RevisionTypeExecute,
			Applied:         2,
			Total:           3,
			ExecutedAt:      mustTime(t, "2026-12-01 10:10:12.5+01:00"),
			ExecutionTime:   2048 * time.Microsecond,
			Error:           "no such table: teams",
			ErrorStmt:       "INSERT INTO `teams` (`id`) VALUES (1);",
			Hash:            "mDShSrm8qg9qjacQc2F+rI8ATllqP6EdgHuEYxuCXZ0=",
			PartialHashes:   []string{"h1:9V+0SvJtAzhjWrs0/4Py1n6Fcgb0Rm2aTX7d/qRQbO4=", "h1:4Zbp3F1gNJZXFJ3xw8XPURPuB76Hp9RzCrxNfN1MPyM="},
			OperatorVersion: operator,
		},
	}
}

// equalRevision compares every field; times by instant (time.Equal), since
// the location a driver attaches is not part of the stored value.
func equalRevision(t *testing.T, got, want *migrate.Revision) {
	t.Helper()
	if got == nil {
		t.Errorf("revision %s: got nil", want.Version)
		return
	}
	if !got.ExecutedAt.Equal(want.ExecutedAt) {
		t.Errorf("revision %s: ExecutedAt = %v, want %v", want.Version, got.ExecutedAt, want.ExecutedAt)
	}
	g, w := *got, *want
	g.ExecutedAt, w.ExecutedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("revision %s:\n got %#v\nwant %#v", want.Version, g, w)
	}
}

func equalRevisions(t *testing.T, got, want []*migrate.Revision) {
	t.Helper()
	var versions []string
	for _, r := range got {
		versions = append(versions, r.Version)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d revisions %v, want %d", len(got), versions, len(want))
	}
	for i := range want {
		equalRevision(t, got[i], want[i])
	}
}

func TestFixturesHaveTheCLIShape(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "cli_ddl.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSuffix(strings.TrimSpace(string(b)), ";"); got != revisions.DDL {
		t.Errorf("testdata/cli_ddl.sql differs from revisions.DDL:\n%s\n%s", got, revisions.DDL)
	}
	db := cliDB(t)
	var typ, executedAt, partial string
	err = db.QueryRow("SELECT typeof(`executed_at`), `executed_at` || '', typeof(`partial_hashes`) FROM `atlas_schema_revisions` WHERE `version` = '20261130033654'").
		Scan(&typ, &executedAt, &partial)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "text" || executedAt != "2026-11-30 03:36:56.142766886+00:00" || partial != "blob" {
		t.Errorf("fixture row: typeof(executed_at)=%s executed_at=%s typeof(partial_hashes)=%s", typ, executedAt, partial)
	}
}

func TestInitCreatesCLITable(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	s := revisions.New(db)
	if ok, err := s.Exists(ctx); err != nil || ok {
		t.Fatalf("Exists on an empty DB = %v, %v", ok, err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	got, ok := masterSQL(t, db)
	if !ok {
		t.Fatal("Init did not create the table")
	}
	if got != revisions.DDL {
		t.Errorf("sqlite_master.sql:\n%s\nwant revisions.DDL:\n%s", got, revisions.DDL)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "cli_ddl.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(strings.TrimSpace(string(b)), ";"); got != want {
		t.Errorf("sqlite_master.sql:\n%s\nwant the CLI's:\n%s", got, want)
	}
	if ok, err := s.Exists(ctx); err != nil || !ok {
		t.Errorf("Exists after Init = %v, %v", ok, err)
	}
	// Init twice is a no-op.
	if err := s.Init(ctx); err != nil {
		t.Fatalf("second Init: %v", err)
	}
	if again, _ := masterSQL(t, db); again != got {
		t.Errorf("second Init changed the table: %s", again)
	}
	// The Atlas driver sees the same table the CLI would: same columns, same
	// primary key, so the CLI finds nothing to migrate in it.
	var idx int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE tbl_name = ? AND type = 'index'", revisions.Table).Scan(&idx); err != nil || idx != 1 {
		t.Errorf("indexes on the table = %d, %v; want 1 (the primary key's autoindex)", idx, err)
	}
}

func TestInitKeepsCLITable(t *testing.T) {
	ctx := context.Background()
	db := cliDB(t)
	before, ok := masterSQL(t, db)
	if !ok {
		t.Fatal("fixture did not create the table")
	}
	rowsBefore := dump(t, db, "")
	if err := revisions.New(db).Init(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := masterSQL(t, db)
	if after != before {
		t.Errorf("Init changed the CLI's table:\n%s\n%s", before, after)
	}
	if rowsAfter := dump(t, db, ""); !reflect.DeepEqual(rowsAfter, rowsBefore) {
		t.Errorf("Init changed the rows:\n%v\n%v", rowsBefore, rowsAfter)
	}
}

func TestReadRevisionsCLIRows(t *testing.T) {
	ctx := context.Background()
	db := cliDB(t)
	got, err := revisions.New(db).ReadRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.Version == ".atlas_cloud_identifier" {
			t.Errorf("ReadRevisions returned the cloud identifier row: %+v", r)
		}
	}
	equalRevisions(t, got, cliRevisions(t))
	// The offset written by the CLI is kept as an instant.
	if len(got) == 3 {
		if want := time.Date(2026, 12, 1, 9, 10, 12, 500_000_000, time.UTC); !got[2].ExecutedAt.Equal(want) {
			t.Errorf("ExecutedAt = %v, want %v", got[2].ExecutedAt, want)
		}
	}
}

func TestReadRevisionCLIRows(t *testing.T) {
	ctx := context.Background()
	db := cliDB(t)
	s := revisions.New(db)
	for _, want := range cliRevisions(t) {
		got, err := s.ReadRevision(ctx, want.Version)
		if err != nil {
			t.Errorf("ReadRevision(%s): %v", want.Version, err)
			continue
		}
		equalRevision(t, got, want)
	}
	// The identifier row's NULL error, error_stmt and partial_hashes decode
	// as empty values rather than failing the scan.
	r, err := s.ReadRevision(ctx, ".atlas_cloud_identifier")
	if err != nil {
		t.Fatalf("ReadRevision(.atlas_cloud_identifier): %v", err)
	}
	if r.Error != "" || r.ErrorStmt != "" || r.PartialHashes != nil || r.Hash != "" {
		t.Errorf("identifier row decoded as %+v", r)
	}
}

func TestReadRevisionsWithoutTable(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t)
	got, err := revisions.New(db).ReadRevisions(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("ReadRevisions = %v, %v; want no rows, no error", got, err)
	}
	if _, ok := masterSQL(t, db); ok {
		t.Error("ReadRevisions created the revisions table")
	}
	// On a read-only connection too (what read-only commands use).
	db.Close()
	ro, err := sqlitedb.OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := revisions.New(ro).ReadRevisions(ctx); err != nil || len(got) != 0 {
		t.Errorf("read-only ReadRevisions = %v, %v", got, err)
	}
	if _, ok := masterSQL(t, ro); ok {
		t.Error("the table exists after a read-only ReadRevisions")
	}
}

func TestReadRevisionNotExist(t *testing.T) {
	ctx := context.Background()
	db := cliDB(t)
	_, err := revisions.New(db).ReadRevision(ctx, "20991231235959")
	if !errors.Is(err, migrate.ErrRevisionNotExist) {
		t.Errorf("ReadRevision(missing) error = %v, want migrate.ErrRevisionNotExist", err)
	}
	// Also on an empty table.
	db2, _ := openDB(t)
	s := revisions.New(db2)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadRevision(ctx, "1"); !errors.Is(err, migrate.ErrRevisionNotExist) {
		t.Errorf("ReadRevision on an empty table error = %v, want migrate.ErrRevisionNotExist", err)
	}
}

// rawRow reads the stored row with plain SQL: each column's typeof() and its
// value as text (hex for partial_hashes).
type rawRow struct {
	typeType, executedAtType, executionTimeType, errorType, errorStmtType, partialType, hashType string
	typ, applied, total, executionTime                                                           int64
	executedAt, errText, errStmt, partialHex, partialText, hash, description, operatorVersion    string
}

func readRaw(t *testing.T, db *sql.DB, version string) rawRow {
	t.Helper()
	var r rawRow
	err := db.QueryRow("SELECT typeof(`type`), typeof(`executed_at`), typeof(`execution_time`), typeof(`error`), typeof(`error_stmt`), "+
		"typeof(`partial_hashes`), typeof(`hash`), `type`, `applied`, `total`, `execution_time`, CAST(`executed_at` AS TEXT), "+
		"`error`, `error_stmt`, hex(`partial_hashes`), CAST(`partial_hashes` AS TEXT), `hash`, `description`, `operator_version` "+
		"FROM `atlas_schema_revisions` WHERE `version` = ?", version).Scan(
		&r.typeType, &r.executedAtType, &r.executionTimeType, &r.errorType, &r.errorStmtType, &r.partialType, &r.hashType,
		&r.typ, &r.applied, &r.total, &r.executionTime, &r.executedAt,
		&r.errText, &r.errStmt, &r.partialHex, &r.partialText, &r.hash, &r.description, &r.operatorVersion)
	if err != nil {
		t.Fatalf("raw row %s: %v", version, err)
	}
	return r
}

func TestWriteRevisionRawShape(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	s := revisions.New(db)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	want := cliRevisions(t)
	for _, r := range want {
		if err := s.WriteRevision(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	r := readRaw(t, db, "20261130033654")
	if r.typeType != "integer" || r.typ != 2 {
		t.Errorf("type = %s %d, want integer 2", r.typeType, r.typ)
	}
	if r.applied != 2 || r.total != 2 {
		t.Errorf("applied/total = %d/%d, want 2/2", r.applied, r.total)
	}
	if r.executedAtType != "text" || r.executedAt != "2026-11-30 03:36:56.142766886+00:00" {
		t.Errorf("executed_at = %s %q, want text in layout %s", r.executedAtType, r.executedAt, revisions.TimeLayout)
	}
	if r.executionTimeType != "integer" || r.executionTime != 135958 {
		t.Errorf("execution_time = %s %d, want integer 135958 (ns)", r.executionTimeType, r.executionTime)
	}
	if r.errorType != "text" || r.errText != "" || r.errorStmtType != "text" || r.errStmt != "" {
		t.Errorf("error, error_stmt = %s %q, %s %q; want '' (text, not NULL)", r.errorType, r.errText, r.errorStmtType, r.errStmt)
	}
	if r.partialType != "blob" || r.partialHex != "6E756C6C" || r.partialText != "null" {
		t.Errorf("partial_hashes = %s %s (%q), want the blob `null` (6E756C6C)", r.partialType, r.partialHex, r.partialText)
	}
	if r.hashType != "text" || r.hash != "u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=" || r.operatorVersion != operator || r.description != "init" {
		t.Errorf("hash, description, operator_version = %s %q, %q, %q", r.hashType, r.hash, r.description, r.operatorVersion)
	}
	// What the sqlite3 shell prints for the row, as in DESIGN.md.
	var line string
	if err := db.QueryRow("SELECT `version` || '|' || `description` || '|' || `type` || '|' || `applied` || '|' || `total` || '|' || " +
		"CAST(`executed_at` AS TEXT) || '|' || `execution_time` || '|' || `error` || '|' || `error_stmt` || '|' || `hash` || '|' || " +
		"CAST(`partial_hashes` AS TEXT) || '|' || `operator_version` FROM `atlas_schema_revisions` WHERE `version` = '20261130033654'").Scan(&line); err != nil {
		t.Fatal(err)
	}
	if want := "20261130033654|init|2|2|2|2026-11-30 03:36:56.142766886+00:00|135958|||u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=|null|Atlas CLI v0.38.0"; line != want {
		t.Errorf("row:\n%s\nwant:\n%s", line, want)
	}

	p := readRaw(t, db, "20261201101010")
	if p.partialType != "blob" || p.partialText != `["h1:9V+0SvJtAzhjWrs0/4Py1n6Fcgb0Rm2aTX7d/qRQbO4=","h1:4Zbp3F1gNJZXFJ3xw8XPURPuB76Hp9RzCrxNfN1MPyM="]` {
		t.Errorf("partial_hashes = %s %q, want a JSON array blob", p.partialType, p.partialText)
	}
	if p.executedAt != "2026-12-01 10:10:12.5+01:00" {
		t.Errorf("executed_at = %q, want the offset kept as given", p.executedAt)
	}

	// Byte for byte and type for type, our rows equal the CLI's rows for the
	// same revisions.
	cli := cliDB(t)
	notCloud := "WHERE `version` != '.atlas_cloud_identifier'"
	if got, want := dump(t, db, ""), dump(t, cli, notCloud); !reflect.DeepEqual(got, want) {
		t.Errorf("rows written by Store:\n%s\nrows written by the CLI:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteRevisionUpsert(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	s := revisions.New(db)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	first := &migrate.Revision{
		Version:         "20261201101010",
		Description:     "add_nickname",
		Type:            migrate.RevisionTypeExecute,
		Applied:         0,
		Total:           3,
		ExecutedAt:      time.Date(2026, 12, 1, 10, 10, 10, 111, time.UTC),
		Hash:            "mDShSrm8qg9qjacQc2F+rI8ATllqP6EdgHuEYxuCXZ0=",
		OperatorVersion: "structmigrate v0.1.0",
	}
	if err := s.WriteRevision(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := &migrate.Revision{
		Version:         first.Version,
		Description:     "renamed",
		Type:            migrate.RevisionTypeExecute | migrate.RevisionTypeResolved,
		Applied:         2,
		Total:           4,
		ExecutedAt:      time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC),
		ExecutionTime:   3 * time.Millisecond,
		Error:           "no such table: teams",
		ErrorStmt:       "INSERT INTO `teams` (`id`) VALUES (1);",
		Hash:            "u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=",
		PartialHashes:   []string{"h1:a=", "h1:b="},
		OperatorVersion: operator,
	}
	if err := s.WriteRevision(ctx, second); err != nil {
		t.Fatalf("second WriteRevision of the same version: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM `atlas_schema_revisions`").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want 1", n, err)
	}
	r := readRaw(t, db, first.Version)
	if r.executedAt != "2026-12-01 10:10:10.000000111+00:00" || r.description != "add_nickname" {
		t.Errorf("executed_at, description = %q, %q; want the first write's", r.executedAt, r.description)
	}
	got, err := s.ReadRevision(ctx, first.Version)
	if err != nil {
		t.Fatal(err)
	}
	want := *second
	want.Description, want.ExecutedAt = first.Description, first.ExecutedAt
	equalRevision(t, got, &want)

	// Writing nil partial hashes (the file finished) resets them to `null`.
	third := want
	third.Applied, third.Error, third.ErrorStmt, third.PartialHashes = 4, "", "", nil
	if err := s.WriteRevision(ctx, &third); err != nil {
		t.Fatal(err)
	}
	r = readRaw(t, db, first.Version)
	if r.partialType != "blob" || r.partialText != "null" || r.errorType != "text" || r.errText != "" || r.applied != 4 {
		t.Errorf("after the final write: partial_hashes %s %q, error %s %q, applied %d", r.partialType, r.partialText, r.errorType, r.errText, r.applied)
	}
}

func TestDeleteRevision(t *testing.T) {
	ctx := context.Background()
	db := cliDB(t)
	s := revisions.New(db)
	if err := s.DeleteRevision(ctx, "20261130033654"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all := cliRevisions(t)
	equalRevisions(t, got, []*migrate.Revision{all[0], all[2]})
	if _, err := s.ReadRevision(ctx, "20261130033654"); !errors.Is(err, migrate.ErrRevisionNotExist) {
		t.Errorf("deleted revision still readable: %v", err)
	}
	// The identifier row is untouched.
	if _, err := s.ReadRevision(ctx, ".atlas_cloud_identifier"); err != nil {
		t.Errorf("identifier row: %v", err)
	}
	// Deleting a missing version is not an error and deletes nothing.
	if err := s.DeleteRevision(ctx, "20991231235959"); err != nil {
		t.Errorf("DeleteRevision(missing) = %v", err)
	}
	if rows := dump(t, db, ""); len(rows) != 3 {
		t.Errorf("rows after deleting a missing version: %d, want 3", len(rows))
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t)
	s := revisions.New(db)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	zone := time.FixedZone("", -5*3600-30*60)
	written := []*migrate.Revision{
		{
			Version:         "20260101000000",
			Description:     "baseline",
			Type:            migrate.RevisionTypeBaseline,
			ExecutedAt:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			OperatorVersion: "structmigrate v0.1.0",
		},
		{
			Version:         "20260102030405",
			Description:     "create_players",
			Type:            migrate.RevisionTypeExecute,
			Applied:         5,
			Total:           5,
			ExecutedAt:      time.Date(2026, 1, 2, 3, 4, 6, 123456789, time.UTC),
			ExecutionTime:   1500 * time.Millisecond,
			Hash:            "u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=",
			OperatorVersion: "structmigrate v0.1.0",
		},
		{
			Version:         "20260103000000",
			Description:     "drop_it",
			Type:            migrate.RevisionTypeExecute,
			Applied:         1,
			Total:           2,
			ExecutedAt:      time.Date(2026, 1, 3, 9, 0, 0, 1, zone),
			ExecutionTime:   7,
			Error:           "constraint failed: 'quote' \"double\" | pipe\nsecond line",
			ErrorStmt:       "DROP TABLE `x`;",
			Hash:            "mDShSrm8qg9qjacQc2F+rI8ATllqP6EdgHuEYxuCXZ0=",
			PartialHashes:   []string{"h1:9V+0SvJtAzhjWrs0/4Py1n6Fcgb0Rm2aTX7d/qRQbO4="},
			OperatorVersion: "structmigrate v0.1.0",
		},
		{
			Version:         "20260104_resolved",
			Description:     "",
			Type:            migrate.RevisionTypeExecute | migrate.RevisionTypeResolved,
			ExecutedAt:      time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC),
			PartialHashes:   []string{},
			OperatorVersion: "",
		},
	}
	// Write in reverse order: reading must sort by version.
	for i := len(written) - 1; i >= 0; i-- {
		if err := s.WriteRevision(ctx, written[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fresh := revisions.New(openPath(t, path))
	got, err := fresh.ReadRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equalRevisions(t, got, written)
	for _, w := range written {
		r, err := fresh.ReadRevision(ctx, w.Version)
		if err != nil {
			t.Fatal(err)
		}
		equalRevision(t, r, w)
	}
}

// TestStoreInTransaction uses the store over a *sql.Tx on the
// single-connection pool: going around the tx would block, so a deadline
// turns a deadlock into a failure.
func TestStoreInTransaction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, _ := openDB(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := revisions.New(tx)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	rev := cliRevisions(t)[1]
	if err := s.WriteRevision(ctx, rev); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equalRevisions(t, got, []*migrate.Revision{rev})
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, ok := masterSQL(t, db); ok {
		t.Error("the table survived the rollback")
	}
}

// TestExecutorWithStore runs Atlas's executor with the store on a real file
// without a transaction: a failing statement leaves a partial row the CLI
// would write, and a retry resumes after the applied statements.
func TestExecutorWithStore(t *testing.T) {
	ctx := context.Background()
	const (
		name    = "20261201101010_add_teams.sql"
		content = "CREATE TABLE `players` (`id` integer NULL);\nINSERT INTO `teams` (`id`) VALUES (1);\nCREATE TABLE `coaches` (`id` integer NULL);\n"
	)
	dirPath := t.TempDir()
	dir, err := migrate.NewLocalDir(dirPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.WriteFile(name, []byte(content)); err != nil {
		t.Fatal(err)
	}
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(dir, sum); err != nil {
		t.Fatal(err)
	}
	fileHash, err := sum.SumByName(name)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := openDB(t)
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	store := revisions.New(db)
	if err := store.Init(ctx); err != nil {
		t.Fatal(err)
	}
	ex, err := migrate.NewExecutor(drv, dir, store, migrate.WithOperatorVersion("structmigrate test"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Execute(ctx, files[0]); err == nil {
		t.Fatal("Execute succeeded; want the INSERT to fail")
	}
	r, err := store.ReadRevision(ctx, "20261201101010")
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != migrate.RevisionTypeExecute || r.Applied != 1 || r.Total != 3 || r.Hash != fileHash ||
		r.ErrorStmt != "INSERT INTO `teams` (`id`) VALUES (1);" || !strings.Contains(r.Error, "no such table") ||
		len(r.PartialHashes) != 1 || !strings.HasPrefix(r.PartialHashes[0], "h1:") || r.OperatorVersion != "structmigrate test" {
		t.Errorf("partial revision = %+v", r)
	}
	firstAt := readRaw(t, db, "20261201101010").executedAt

	if _, err := db.Exec("CREATE TABLE `teams` (`id` integer NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := ex.Execute(ctx, files[0]); err != nil {
		t.Fatalf("retry: %v", err)
	}
	r, err = store.ReadRevision(ctx, "20261201101010")
	if err != nil {
		t.Fatal(err)
	}
	if r.Applied != 3 || r.Total != 3 || r.Error != "" || r.ErrorStmt != "" || r.PartialHashes != nil || r.ExecutionTime <= 0 {
		t.Errorf("completed revision = %+v", r)
	}
	raw := readRaw(t, db, "20261201101010")
	if raw.executedAt != firstAt {
		t.Errorf("executed_at moved from %s to %s on retry", firstAt, raw.executedAt)
	}
	if raw.partialType != "blob" || raw.partialText != "null" || raw.errorType != "text" {
		t.Errorf("completed row: partial_hashes %s %q, error %s", raw.partialType, raw.partialText, raw.errorType)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM `coaches`").Scan(&n); err != nil {
		t.Errorf("the last statement did not run: %v", err)
	}
}
