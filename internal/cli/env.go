package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"
	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/config"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/internal/status"
)

// storageVar is the variable the committed atlas.hcl reads for the database
// file. The binary never reads it itself: like the Atlas CLI, it acts only
// where atlas.hcl reads it, so one atlas.hcl names one database for both
// tools. --db stands in for it inside the file.
const storageVar = "STORAGE_PATH"

// Env is what every command shares: the program, the resolved environment
// and the streams.
type Env struct {
	Program
	Project  *config.Env // the resolved env block
	Dir      string      // migration directory on disk
	DirFlag  bool        // --dir was given: never fall back to the embedded copy
	DB       string      // SQLite file; "" with InMemory
	InMemory bool
	Stale    string // why the compiled-in models are not the source tree's; "" when they are
	// The project file as read, and how its getenv resolves, for a
	// command that resolves a second env (copy --to-env).
	ConfigPath string
	ConfigSrc  []byte
	Getenv     func(string) string
	Out, Err   io.Writer
}

// load resolves the project file, the env and the flags.
// Precedence: --db > env url; --dir > env migration.dir.
func (e *Env) load(c *cli.Context) error {
	e.Out, e.Err = c.App.Writer, c.App.ErrWriter
	if c.IsSet(modelsFlag.Name) && e.Models != nil {
		return ErrModelsCompiledIn
	}
	if c.IsSet(modelsFlag.Name) && c.String(modelsFlag.Name) == "" {
		// e.g. --models $(MODELS) with the variable unset: without this,
		// status and lint would quietly skip the structs check.
		return ErrModelsEmpty
	}
	path := c.String("config")
	src, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && !c.IsSet("config") && e.Program.Config != nil:
		path, src = "atlas.hcl (embedded)", e.Program.Config
	case errors.Is(err, os.ErrNotExist) && !c.IsSet("config") && !c.IsSet("env") && c.String("db") != "":
		// No project file, but the database is named: as `atlas migrate
		// apply --url … --dir …`, a deploy needs nothing else (the
		// directory is ./migrations or --dir, else the embedded copy).
		path, src = "(no atlas.hcl: --db)", []byte(`env "local" {}`)
	case err != nil:
		return fmt.Errorf("read the project file: %w", err)
	}
	dbFlag := c.String("db")
	getenv := func(name string) string {
		if name == storageVar && dbFlag != "" {
			return dbFlag // --db stands in for STORAGE_PATH inside the file too
		}
		return os.Getenv(name)
	}
	cfg, err := config.Load(path, src, c.String("env"), getenv)
	if err != nil {
		return err
	}
	e.Project = cfg
	e.ConfigPath, e.ConfigSrc, e.Getenv = path, src, getenv
	if cfg.Dialect != dialect.SQLite && dbFlag != "" {
		return fmt.Errorf("--db names a SQLite file, but env %q's url is a %s database", cfg.Name, cfg.Dialect)
	}
	e.Dir, e.DirFlag = cfg.Dir, c.IsSet("dir")
	if e.DirFlag {
		e.Dir = c.String("dir")
	}
	if e.Dir == "" {
		e.Dir = "migrations"
	}
	switch {
	case dbFlag != "":
		e.DB = dbFlag
	case cfg.InMemory:
		e.InMemory = true
	default:
		e.DB = cfg.DBPath
	}
	if e.Stale = staleModels(e.Program); e.Stale != "" {
		fmt.Fprintln(e.Err, "Warning:", e.Stale)
	}
	return nil
}

// freshModels refuses a command that answers for the models when they are
// not the source tree's.
func (e *Env) freshModels(command string) error {
	if e.Models == nil {
		return fmt.Errorf("%s: %w", command, ErrNoModels)
	}
	if e.Stale != "" {
		return &StaleModelsError{Command: command, Reason: e.Stale}
	}
	return nil
}

// readDir opens the migration directory to read: the one on disk, or, when
// it is absent and --dir was not given, the copy embedded in the binary (so
// a deploy needs nothing but the binary).
func (e *Env) readDir() (migdir.Dir, error) {
	if _, err := os.Stat(e.Dir); errors.Is(err, os.ErrNotExist) && !e.DirFlag && e.Program.Migrations != nil {
		return migdir.FromFS(e.Program.Migrations, e.Dir+" (embedded)")
	}
	return migdir.Open(e.Dir, false)
}

// writeDir opens the migration directory on disk to write, creating it.
func (e *Env) writeDir() (*migrate.LocalDir, error) { return migdir.Open(e.Dir, true) }

// openDB opens the database. readOnly never creates or changes it: a
// missing file reads as an empty database. Otherwise the file and its
// folder are created. An in-memory env gets a fresh private database.
func (e *Env) openDB(readOnly bool) (*sql.DB, error) {
	if err := e.needDB(); err != nil {
		return nil, err
	}
	if e.InMemory {
		return sqlitedb.OpenMemory("env_" + e.Project.Name)
	}
	fi, err := os.Stat(e.DB)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("database %s is a directory, not a SQLite file (check --db or the env's url)", e.DB)
	case errors.Is(err, os.ErrNotExist) && readOnly:
		return sqlitedb.OpenMemory("absent")
	case !readOnly:
		if err := os.MkdirAll(filepath.Dir(e.DB), 0o755); err != nil {
			return nil, err
		}
	}
	db, err := sqlitedb.OpenFile(e.DB, readOnly)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", e.DB, err)
	}
	return db, nil
}

// openDryRun opens the database for a dry run: like openDB(true) it never
// creates the file, but an existing one is opened for writing, because a
// dry run executes the files (under the data-loss guard) inside a
// transaction that it always rolls back.
func (e *Env) openDryRun() (*sql.DB, error) {
	if e.InMemory || !e.dbExists() {
		return e.openDB(true)
	}
	return e.openDB(false)
}

// checkHistory refuses a database whose applied versions the directory
// does not hold as they were applied (status.CheckHistory): status, apply
// and rollback give the same error.
func checkHistory(ctx context.Context, db *sql.DB, dir migdir.Dir) error {
	revs, err := revisions.New(db).ReadRevisions(ctx)
	if err != nil {
		return err
	}
	return status.CheckHistory(dir, revs)
}

// NoDatabaseError refuses a command that needs a database in an env whose
// url is not set (e.g. gorm, which is for the Atlas CLI's migrate diff):
// without it, SQLite would open a temporary database and the command would
// "succeed" on nothing.
type NoDatabaseError struct{ Env string }

func (e *NoDatabaseError) Error() string {
	return fmt.Sprintf("env %q has no url: this command needs a database (use an env with a url, or --db FILE)", e.Env)
}

// needDB refuses to go on without a database to work on.
func (e *Env) needDB() error {
	if !e.InMemory && e.DB == "" {
		return &NoDatabaseError{Env: e.Project.Name}
	}
	return nil
}

// dbExists reports whether there is a database to work on.
func (e *Env) dbExists() bool {
	if e.InMemory {
		return true
	}
	_, err := os.Stat(e.DB)
	return err == nil
}

// terminal reports whether the output is a terminal (progress lines are
// for people watching, not for logs).
func (e *Env) terminal() bool {
	f, ok := e.Out.(*os.File)
	return ok && isTerminal(f)
}
