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
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/desired"
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
	// GormConfig is the models package's GORM config (GormConfig()):
	// naming strategy, foreign keys, relationships. nil: GORM's defaults.
	GormConfig *gorm.Config
	// Desired returns the desired schema as DDL, views and triggers
	// included; nil: what GORM's AutoMigrate creates (no views or
	// triggers). See migrator.Program.Desired.
	Desired desired.Hook
}

// desired is how the desired state is built for the models.
func (p Program) desired() desired.Options {
	return desired.Options{Gorm: p.GormConfig, Desired: p.Desired}
}

// globalFlags are the app's flags. They may be given before or after the
// command (reorder), and every command's --help lists them.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Value: "atlas.hcl", Usage: "project `FILE` shared with the Atlas CLI (the embedded copy when ./atlas.hcl is absent)"},
		&cli.StringFlag{Name: "env", Value: "local", Usage: "`NAME` of the env block in the project file"},
		&cli.StringFlag{Name: "dir", Usage: "migration `DIR` on disk (overrides the env's migration.dir; default: the env's, else the embedded copy)"},
		&cli.StringFlag{Name: "db", Usage: "SQLite database `FILE` (overrides the env's url)"},
		lockTimeoutFlag,
		modelsFlag,
	}
}

// noEnv are the commands that need no project file or database.
var noEnv = map[string]bool{"version": true, "completion": true, "init": true}

// New builds the application.
func New(p Program) *cli.App {
	env := &Env{Program: p}
	app := &cli.App{
		Name:     "structmigrate",
		Usage:    "GORM structs as the single source of truth for a SQLite schema, in the Atlas migration format",
		Version:  BuildVersion(),
		Metadata: map[string]any{programKey: p},
		Flags:    globalFlags(),
		Before: func(c *cli.Context) error {
			return checkLockTimeout(c)
		},
		Commands: []*cli.Command{
			schemaCmd(env),
			diffCmd(env),
			applyCmd(env),
			rollbackCmd(env),
			restoreCmd(env),
			setCmd(env),
			baselineCmd(env),
			statusCmd(env),
			inspectCmd(env),
			lintCmd(env),
			newCmd(env),
			hashCmd(env),
			copyCmd(env),
			versionCmd(p),
			completionCmd(),
			initCmd(),
		},
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		Suggest:              true,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				name := c.Args().First()
				if name == "help" { // as git and atlas: help [COMMAND]
					if c.NArg() > 1 {
						return cli.ShowCommandHelp(c, c.Args().Get(1))
					}
					return cli.ShowAppHelp(c)
				}
				return fmt.Errorf("unknown command %q%s (run structmigrate --help)", name, suggestCommand(c.App, name))
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError: usageError,
		// Errors are printed once, by Main, as one line.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	globals := globalHelp(app)
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
		// Each command loads the env in its own Before, which urfave/cli
		// runs after --help is handled: help needs no project file.
		if !noEnv[cmd.Name] && cmd.Before == nil {
			cmd.Before = env.load
		}
		if !noEnv[cmd.Name] && cmd.Action != nil {
			cmd.Action = env.byDialect(cmd.Name, cmd.Action)
		}
		cmd.CustomHelpTemplate = cli.CommandHelpTemplate + globals
	}
	return app
}

// globalHelp renders the app's flags as a GLOBAL OPTIONS section for the
// commands' help (urfave/cli v2 shows a command only its own flags).
func globalHelp(app *cli.App) string {
	var b strings.Builder
	b.WriteString("\nGLOBAL OPTIONS (before or after the command):\n")
	for _, f := range app.VisibleFlags() {
		if f == cli.HelpFlag {
			continue
		}
		fmt.Fprintf(&b, "   %s\n", f)
	}
	// A quoted constant, so nothing in a usage text is read as a template.
	return "{{" + strconv.Quote(b.String()) + "}}"
}

// similar is how close (Jaro-Winkler, as urfave/cli's Suggest measures it)
// a mistyped name must be to a known one to be suggested: "aply" → apply
// (0.95), but nothing for "bogus" (at most 0.57).
const similar = 0.75

func similarity(a, b string) float64 { return smetrics.JaroWinkler(a, b, 0.7, 4) }

// suggestCommand returns ". Did you mean "apply"?" for the visible command
// nearest to name, or "" when none is close.
func suggestCommand(app *cli.App, name string) string {
	best, score := "", similar
	for _, c := range app.VisibleCommands() {
		for _, n := range c.Names() {
			if d := similarity(n, name); d >= score {
				best, score = n, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return ". " + fmt.Sprintf(cli.SuggestDidYouMeanTemplate, best)
}

// usageError reports a bad flag on one line instead of the whole help page,
// with the nearest flag (urfave/cli's SuggestFlag) when one is close.
func usageError(c *cli.Context, err error, _ bool) error {
	help := "structmigrate --help"
	flags := c.App.Flags
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		help = "structmigrate " + c.Command.Name + " --help"
		flags = append(append([]cli.Flag{}, c.Command.Flags...), c.App.Flags...)
	}
	const unknown = "flag provided but not defined: -"
	if msg := err.Error(); strings.HasPrefix(msg, unknown) {
		name := strings.TrimPrefix(msg, unknown)
		if s := cli.SuggestFlag(flags, name, true); s != "" && similarity(strings.TrimLeft(s, "-"), name) >= similar {
			return fmt.Errorf("%w. %s (run %s)", err, fmt.Sprintf(cli.SuggestDidYouMeanTemplate, s), help)
		}
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
	err := app.Run(reorder(app, args))
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
	_, err := migdir.OpenValid(dir)
	return err
}
