// Package cli wires the structmigrate commands, one file per command. Each
// command has an options struct and a run function; the urfave/cli action
// only fills the options. env.go resolves atlas.hcl, flags and STORAGE_PATH
// into the directory and database every command works on.
package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// Version is written to atlas_schema_revisions.operator_version.
const Version = "v0.1.0"

// Operator is the operator_version value of revisions we write.
const Operator = "structmigrate " + Version

// Program is what the binary is built with.
type Program struct {
	Models     []any
	Migrations fs.FS  // the embedded migration directory; nil for none
	Config     []byte // the embedded atlas.hcl, used when ./atlas.hcl is absent
	// ModelSources are the Go files of the models' package as compiled in
	// (schema.Sources), ModelsDir that package's folder in the module
	// ("schema"): run in a source tree that holds other ones, the binary
	// warns, and diff and schema refuse (sources.go). Empty: no check.
	ModelSources fs.FS
	ModelsDir    string
}

// New builds the application.
func New(p Program) *cli.App {
	env := &Env{Program: p}
	app := &cli.App{
		Name:    "structmigrate",
		Usage:   "GORM structs as the single source of truth for a SQLite schema, in the Atlas migration format",
		Version: Version,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Value: "atlas.hcl", Usage: "project `FILE` shared with the Atlas CLI (the embedded copy when ./atlas.hcl is absent)"},
			&cli.StringFlag{Name: "env", Value: "local", Usage: "`NAME` of the env block in the project file"},
			&cli.StringFlag{Name: "dir", Usage: "migration `DIR` on disk (overrides the env's migration.dir; default: the env's, else the embedded copy)"},
			&cli.StringFlag{Name: "db", Usage: "SQLite database `FILE` (overrides $STORAGE_PATH and the env's url)"},
			lockTimeoutFlag,
		},
		Before: func(c *cli.Context) error {
			if err := checkLockTimeout(c); err != nil {
				return err
			}
			return env.load(c)
		},
		Commands: []*cli.Command{
			schemaCmd(env),
			diffCmd(env),
			applyCmd(env),
			rollbackCmd(env),
			baselineCmd(env),
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

// Exit codes shared by the commands (documented in README); status adds
// 3 (structs drift) and 4 (database drift).
const (
	ExitOK      = 0
	ExitFailure = 1 // bad input, refusal, failed migration
	ExitPending = 2 // status: pending files; diff --check: a migration would be generated
)

// Main runs the application and returns the process exit code.
func Main(args []string, p Program, stdout, stderr io.Writer) int {
	app := New(p)
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

// validateDown refuses a down folder whose atlas.sum does not match.
func validateDown(dir migdir.Dir) error {
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		return err
	}
	return down.Validate(dir)
}
