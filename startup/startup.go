// Package startup is what the app calls when it starts, like a lifespan
// check: it reports where the app's SQLite (or PostgreSQL, see
// runPostgres) database stands against the
// migration directory compiled into the binary (pending files, and drift
// of the structs or of the database), and optionally applies the pending
// files — the same engine, rules and atlas_schema_revisions rows as
// `structmigrate apply` and `atlas migrate apply`.
//
// By default it uses the embedded directory (migrations.FS) and the app's
// models (schema.Models()); see WithMigrations and WithModels.
//
// The work is done on a private handle with a single connection, opened on
// the app's database file (found with PRAGMA database_list): foreign keys
// are a per-connection setting, and a migration file must run with them off
// and be checked before commit on one connection. The app's own pool, however
// many connections it has, is only used to find the file. An in-memory
// database has no file, so its handle is used directly, which is allowed only
// when it is limited to one connection (db.SetMaxOpenConns(1)).
package startup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/internal/status"
	"github.com/structmigrate/structmigrate/migrations"
	"github.com/structmigrate/structmigrate/schema"
)

// operator is written to atlas_schema_revisions.operator_version. It equals
// internal/cli.Operator (a test checks it); it is repeated here so that the
// app does not link the command-line layer (urfave/cli, the HCL parser, lint).
const operator = "structmigrate v0.1.0"

// Report tells where the database stands.
type Report struct {
	// Current is the last applied (or baseline) version, "" when none.
	Current string
	// Pending lists the migration files not applied yet, in order.
	Pending []string
	// StructsDrift holds the SQL a migration generated from the models
	// would hold: the models changed but nobody ran `structmigrate diff`.
	StructsDrift []string
	// DatabaseDrift holds the SQL that would make the live database match
	// the migration directory at Current: someone changed it by hand.
	DatabaseDrift []string
	// DriftUnknown says why the drift could not be computed: the
	// migration directory does not replay on an empty database (e.g. a
	// file reads a table that only the live database has), or, on
	// PostgreSQL, no temporary dev database could be made on the server,
	// or the models' desired state fails there (a column of a type only
	// a migration file makes: the database drift is still computed).
	// "" when the drift was computed.
	DriftUnknown string
	// Error is the error of the last migration attempt when a file stopped
	// part way (a file without a transaction), or why the history is not
	// linear; "" otherwise.
	Error string
	// RestorePoint is the file Apply copied the database to before it
	// changed it (see WithRestorePoints); "" when it took none.
	RestorePoint string
}

// UpToDate reports whether nothing is pending, nothing drifted (drift was
// computed: the directory replays) and the last migration attempt did not
// fail.
func (r *Report) UpToDate() bool {
	return len(r.Pending) == 0 && len(r.StructsDrift) == 0 && len(r.DatabaseDrift) == 0 && r.DriftUnknown == "" && r.Error == ""
}

// String summarises the report on one line, for a log.
func (r *Report) String() string {
	cur := r.Current
	if cur == "" {
		cur = "no version"
	}
	if r.UpToDate() {
		return "database up to date at " + cur
	}
	parts := []string{"database at " + cur}
	if len(r.Pending) > 0 {
		parts = append(parts, fmt.Sprintf("%d pending (%s)", len(r.Pending), strings.Join(r.Pending, ", ")))
	}
	if len(r.StructsDrift) > 0 {
		parts = append(parts, "structs drift: "+strings.Join(r.StructsDrift, "; "))
	}
	if len(r.DatabaseDrift) > 0 {
		parts = append(parts, "database drift: "+strings.Join(r.DatabaseDrift, "; "))
	}
	if r.DriftUnknown != "" {
		parts = append(parts, "drift unknown: "+r.DriftUnknown)
	}
	if r.Error != "" {
		parts = append(parts, "last migration error: "+r.Error)
	}
	return strings.Join(parts, "; ")
}

// Option adjusts Check and Apply.
type Option func(*options)

type options struct {
	fsys     fs.FS
	label    string
	fsysSet  bool // WithMigrations: else PostgreSQL takes migrations.FS's postgres/
	models   []any
	gorm     *gorm.Config
	hook     func(cfg *gorm.Config, models []any) (string, error)
	log      io.Writer
	baseline string
	exclude  []string
	points   *RestorePoints // nil: none
}

// RestorePoints says where Apply keeps the copies of the database it takes
// before changing it, and how many (see WithRestorePoints).
type RestorePoints struct {
	// Dir is the folder; "" is <database file>.restore-points beside it.
	Dir string
	// Keep is how many are kept, the newest (0: 10).
	Keep int
	// MaxBytes caps their total size, the newest always kept (0: no cap).
	MaxBytes uint64
}

// WithMigrations uses the migration directory at the root of fsys (its
// *.sql files and atlas.sum, in the Atlas format) instead of migrations.FS,
// e.g. os.DirFS("migrations").
func WithMigrations(fsys fs.FS) Option {
	return func(o *options) { o.fsys, o.label, o.fsysSet = fsys, "migrations", true }
}

// WithModels checks these models for structs drift instead of
// schema.Models(). With no models, structs drift is not checked (for a
// directory that does not come from this program's structs).
func WithModels(models ...any) Option {
	return func(o *options) {
		o.models = models
		if len(models) == 0 {
			o.models = nil
		}
	}
}

// WithGormConfig builds the models' desired state with this GORM config
// instead of schema.GormConfig() (for the models of WithModels).
func WithGormConfig(c *gorm.Config) Option {
	return func(o *options) { o.gorm = c }
}

// WithDesired builds the models' desired state with this hook, as
// migrator.Program.Desired does (views and triggers, e.g. from
// atlas-provider-gorm), so the structs drift check counts them.
func WithDesired(hook func(cfg *gorm.Config, models []any) (string, error)) Option {
	return func(o *options) { o.hook = hook }
}

// WithExclude leaves the tables the glob patterns match out of the drift
// checks: tables no model owns, e.g. an audit table, as atlas.hcl's
// `exclude = ["audit_log"]` does for the CLI. A pattern that matches a
// model's table is an error.
func WithExclude(patterns ...string) Option {
	return func(o *options) { o.exclude = patterns }
}

// WithLog writes Apply's log (each file and statement with its time, as
// `structmigrate apply` prints it) to w; the default discards it.
func WithLog(w io.Writer) Option {
	return func(o *options) { o.log = w }
}

// WithBaseline makes Apply adopt a database that has tables but no
// migration history (e.g. made by GORM AutoMigrate): it verifies that the
// schema equals the directory at version and records version as the
// baseline, then applies the files after it. It is ignored once the
// database has a history, as `structmigrate apply --baseline` and the Atlas
// CLI's `migration { baseline = "…" }` are. Check ignores it.
func WithBaseline(version string) Option {
	return func(o *options) { o.baseline = version }
}

// WithRestorePoints sets where and how many restore points Apply keeps.
// By default, before Apply changes a database file that holds anything,
// it copies it (SQLite's VACUUM INTO, consistent while the app writes) to
// <database file>.restore-points/, keeping the newest 10: the copy
// `structmigrate restore` puts back when a migration overwrote data that a
// down script cannot bring back. It needs room for a copy of the database,
// and time to write it (see docs/benchmarks.md); without the room Apply
// refuses before changing anything. An in-memory database gets none.
func WithRestorePoints(p RestorePoints) Option {
	return func(o *options) { o.points = &p }
}

// WithoutRestorePoints makes Apply take no restore point (the log says so):
// for a database backed up otherwise, or too large to copy at start-up.
func WithoutRestorePoints() Option {
	return func(o *options) { o.points = nil }
}

// Check reports where db stands. It changes nothing: the database is read
// through a read-only handle.
func Check(ctx context.Context, db *sql.DB, opts ...Option) (*Report, error) {
	return run(ctx, db, false, opts)
}

// Apply applies the pending files, each in its own transaction, and returns
// the report after. It refuses, before running anything, what
// `structmigrate apply` refuses: a directory whose atlas.sum does not match,
// a database with tables but no history (see WithBaseline), a file that
// would drop a table or column holding data without the reviewed-loss
// excuse. A failed file is rolled back and reported as an error naming the
// file, line and statement. Structs or database drift does not stop it:
// check the returned report.
//
// Before it changes a database file, Apply copies it to a restore point
// (see WithRestorePoints, WithoutRestorePoints; Report.RestorePoint).
//
// Like the CLI, Apply takes the migration lock (see internal/dblock): a
// flock on the file <database>.lock, which the OS releases when its holder
// dies, and the Atlas CLI's atlas_migrate_execute.lock in os.TempDir(). It
// waits up to 30 s (bounded by ctx) for another run, then fails with
// "another migration is running".
func Apply(ctx context.Context, db *sql.DB, opts ...Option) (*Report, error) {
	return run(ctx, db, true, opts)
}

// CheckGORM is Check for the *sql.DB under gdb, which must be a SQLite or
// PostgreSQL database.
func CheckGORM(ctx context.Context, gdb *gorm.DB, opts ...Option) (*Report, error) {
	db, err := sqlDB(gdb)
	if err != nil {
		return nil, err
	}
	return Check(ctx, db, opts...)
}

// ApplyGORM is Apply for the *sql.DB under gdb, which must be a SQLite or
// PostgreSQL database.
func ApplyGORM(ctx context.Context, gdb *gorm.DB, opts ...Option) (*Report, error) {
	db, err := sqlDB(gdb)
	if err != nil {
		return nil, err
	}
	return Apply(ctx, db, opts...)
}

func sqlDB(gdb *gorm.DB) (*sql.DB, error) {
	if gdb == nil || gdb.Config == nil || gdb.Dialector == nil {
		return nil, errors.New("startup: nil or unopened *gorm.DB")
	}
	if name := gdb.Dialector.Name(); name != "sqlite" && name != "postgres" {
		return nil, fmt.Errorf("startup: the *gorm.DB is a %s database; only SQLite and PostgreSQL are supported", name)
	}
	db, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("startup: %w", err)
	}
	return db, nil
}

func run(ctx context.Context, db *sql.DB, write bool, opts []Option) (*Report, error) {
	if db == nil {
		return nil, errors.New("startup: nil *sql.DB")
	}
	o := options{fsys: migrations.FS, label: "migrations (embedded)", models: schema.Models(), gorm: schema.GormConfig(), log: io.Discard,
		points: &RestorePoints{}}
	for _, opt := range opts {
		opt(&o)
	}
	if dialect.OfDB(db) == dialect.Postgres {
		return runPostgres(ctx, db, write, o)
	}
	dir, err := migdir.FromFS(o.fsys, o.label)
	if err != nil {
		return nil, fmt.Errorf("startup: %w", err)
	}
	h, err := handle(ctx, db, !write)
	if err != nil {
		return nil, err
	}
	defer h.close()
	point := ""
	if write {
		cfg := &restorepoint.Config{Disabled: "startup.WithoutRestorePoints", Off: "startup.WithoutRestorePoints()"}
		if p := o.points; p != nil {
			cfg = &restorepoint.Config{Dir: p.Dir, Keep: p.Keep, MaxBytes: p.MaxBytes, Off: "startup.WithoutRestorePoints()"}
		}
		res, err := apply.Run(ctx, apply.Options{
			DB: h.db, Dir: dir, Baseline: o.baseline, Out: o.log, Operator: operator, RestorePoint: cfg,
		})
		if err != nil {
			return nil, fmt.Errorf("startup: apply: %w", err)
		}
		if res.Point != nil {
			point = res.Point.Path
		}
	}
	st, err := status.Get(ctx, h.db, dir, status.Input{Models: o.models, Desired: desired.Options{Gorm: o.gorm, Desired: o.hook}, Exclude: o.exclude})
	if err != nil {
		return nil, fmt.Errorf("startup: %w", err)
	}
	r := &Report{Pending: st.Pending, StructsDrift: st.StructsDrift, DatabaseDrift: st.DatabaseDrift, DriftUnknown: replayUnknown(st.ReplayError), Error: st.Error, RestorePoint: point}
	if len(st.Applied) > 0 {
		r.Current = st.Current
	}
	return r, nil
}

// replayUnknown is DriftUnknown for a directory that does not replay.
func replayUnknown(err string) string {
	if err == "" {
		return ""
	}
	return "the migration directory does not replay on an empty database: " + err
}

// work is the single-connection handle the engine runs on.
type work struct {
	db    *sql.DB
	close func() error
}

// handle opens a private single-connection handle on the file of db's main
// database. An in-memory database has no file: db itself is used, if it
// has one connection. readOnly opens the file read-only; a file that does
// not exist (yet) reads as an empty database.
func handle(ctx context.Context, db *sql.DB, readOnly bool) (*work, error) {
	path, err := mainFile(ctx, db)
	if err != nil {
		return nil, err
	}
	if path == "" {
		if n := db.Stats().MaxOpenConnections; n != 1 {
			limit := fmt.Sprintf("up to %d connections", n)
			if n == 0 {
				limit = "unlimited connections"
			}
			return nil, fmt.Errorf("startup: the database is in memory and its pool allows %s; "+
				"migrations need a single connection (PRAGMA foreign_keys is per connection, and each connection "+
				"to a plain :memory: database is a database of its own): call db.SetMaxOpenConns(1) first, or use a file", limit)
		}
		return &work{db: db, close: func() error { return nil }}, nil
	}
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			mem, err := sqlitedb.OpenMemory("absent")
			if err != nil {
				return nil, fmt.Errorf("startup: %w", err)
			}
			return &work{db: mem, close: mem.Close}, nil
		}
	}
	h, err := sqlitedb.OpenFile(path, readOnly)
	if err != nil {
		return nil, fmt.Errorf("startup: open %s: %w", path, err)
	}
	return &work{db: h, close: h.Close}, nil
}

// mainFile returns the file of db's main database, "" when in memory.
func mainFile(ctx context.Context, db *sql.DB) (string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", fmt.Errorf("startup: find the database file (is it SQLite?): %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq        int
			name, file sql.NullString
		)
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", fmt.Errorf("startup: PRAGMA database_list: %w", err)
		}
		if name.String == "main" {
			return file.String, rows.Close()
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("startup: PRAGMA database_list: %w", err)
	}
	return "", errors.New("startup: PRAGMA database_list has no main database")
}
