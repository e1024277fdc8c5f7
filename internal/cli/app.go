// Package cli wires the structmigrate commands, one file per command. Each
// command has an options struct and a run function; the urfave/cli action
// only fills the options.
package cli

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Version is written to atlas_schema_revisions.operator_version.
const Version = "v0.1.0"

// Operator is the operator_version value of revisions we write.
const Operator = "structmigrate " + Version

// DefaultStoragePath is where `make migrate` keeps the local database.
const DefaultStoragePath = "./storage/players-sqlite3.db"

// Env is what every command shares: the models, the paths and the streams.
type Env struct {
	Models []any
	Dir    string // migration directory
	DB     string // SQLite file
	Out    io.Writer
	Err    io.Writer
}

// New builds the application for the given models.
func New(models []any) *cli.App {
	env := &Env{Models: models}
	app := &cli.App{
		Name:    "structmigrate",
		Usage:   "GORM structs as the single source of truth for a SQLite schema, in the Atlas migration format",
		Version: Version,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "migrations", Usage: "migration `DIR` (Atlas format, with atlas.sum)", EnvVars: []string{"MIGRATIONS_DIR"}},
			&cli.StringFlag{Name: "db", Value: DefaultStoragePath, Usage: "SQLite database `FILE`", EnvVars: []string{"STORAGE_PATH"}},
		},
		Before: func(c *cli.Context) error {
			env.Dir, env.DB = c.String("dir"), c.String("db")
			env.Out, env.Err = c.App.Writer, c.App.ErrWriter
			return nil
		},
		Commands: []*cli.Command{
			schemaCmd(env),
			diffCmd(env),
			applyCmd(env),
			rollbackCmd(env),
			statusCmd(env),
			lintCmd(env),
			newCmd(env),
			hashCmd(env),
		},
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("unknown command %q (run structmigrate --help)", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError: usageError,
		// Errors are printed once, by Main, as one line.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
	}
	return app
}

// usageError reports a bad flag on one line instead of the whole help page.
func usageError(c *cli.Context, err error, _ bool) error {
	help := "structmigrate --help"
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		help = "structmigrate " + c.Command.Name + " --help"
	}
	return fmt.Errorf("%w (run %s)", err, help)
}

// ExitError carries an exit code; an empty Msg prints nothing (the command
// already reported, e.g. status PENDING).
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// Exit codes shared by the commands (documented in README).
const (
	ExitOK      = 0
	ExitFailure = 1 // bad input, refusal, failed migration
	ExitPending = 2 // status: pending files; diff --check: a migration would be generated
)

// Main runs the application and returns the process exit code.
func Main(args []string, models []any, stdout, stderr io.Writer) int {
	app := New(models)
	app.Writer, app.ErrWriter = stdout, stderr
	err := app.Run(args)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(stderr, "Error:", ee.Msg)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, "Error:", oneLine(err.Error()))
	return ExitFailure
}

func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// openLive opens the database file for writing, creating its folder.
func openLive(path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// openReadOnly opens the database without ever creating or changing it; a
// missing file reads as an empty database.
func openReadOnly(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return sqlitedb.OpenMemory("absent")
	}
	db, err := sqlitedb.OpenFile(path, true)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// validateDown refuses a down folder whose atlas.sum does not match.
func validateDown(dir migdir.Dir) error {
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		return err
	}
	return down.Validate(dir)
}
