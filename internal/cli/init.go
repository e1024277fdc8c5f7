package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/scaffold"
)

type initOptions struct {
	Root   string // the working directory: the module root
	Models string
	DB     string // the global --db: the local database file
	Force  bool
}

func initCmd() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "set up structmigrate in an existing Go module: atlas.hcl, migrations/, cmd/migrate, Makefile targets, CI workflow",
		Description: "Run in the module's root folder (go.mod), with the global --models DIR (required). Writes atlas.hcl (envs local, ci, prod, gorm),\n" +
			"migrations/embed.go, cmd/migrate/main.go (which lists the models of --models DIR, or calls its\n" +
			"Models() function), the Makefile (or prints its targets when a Makefile exists, leaving it\n" +
			"unchanged), .github/workflows/migrations.yml, and a .gitignore for the database's folder when\n" +
			"init creates it. --db FILE names the local database (default " + scaffold.DefaultDB + ").\n" +
			"Nothing is written when any file exists, unless --force.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Usage: "overwrite files init writes that exist (never the Makefile)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "init takes no arguments (run structmigrate init --help)"}
			}
			// init writes atlas.hcl: the flags that pick a part of one mean nothing here.
			for _, f := range []string{"config", "env", "dir", "lock-timeout"} {
				if c.IsSet(f) {
					return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("init takes no --%s: it writes atlas.hcl with the envs local, ci, prod and gorm", f)}
				}
			}
			root, err := os.Getwd()
			if err != nil {
				return err
			}
			return runInit(c.App.Writer, initOptions{Root: root, Models: c.String("models"), DB: c.String("db"), Force: c.Bool("force")})
		},
	}
}

func runInit(w io.Writer, o initOptions) error {
	res, err := scaffold.Init(scaffold.Options{Root: o.Root, Models: o.Models, DB: o.DB, Force: o.Force})
	if err != nil {
		return err
	}
	for _, f := range res.Written {
		note := ""
		if f == scaffold.MainFile {
			note = modelsNote(res)
		}
		fmt.Fprintf(w, "Wrote %s%s\n", f, note)
	}
	if res.Ignore != "" {
		fmt.Fprintf(w, "Add %s to .gitignore: the local database is not committed.\n", res.Ignore)
	}
	if res.Targets != nil {
		fmt.Fprintf(w, "\nMakefile exists and was left unchanged: paste these targets into it (at the end):\n\n%s", res.Targets)
	}
	fmt.Fprintln(w, "\nNext:")
	fmt.Fprintln(w, "  go mod tidy                       # adds github.com/structmigrate/structmigrate to go.mod")
	fmt.Fprintln(w, "  make migrate-diff name=initial    # the first migration, from the models")
	if res.DBExists {
		fmt.Fprintf(w, "  go run ./cmd/migrate baseline VERSION   # %s exists: record the initial VERSION as applied once its schema matches\n", res.DB)
	} else {
		fmt.Fprintf(w, "  make migrate                      # creates %s\n", res.DB)
	}
	return nil
}

// modelsNote says where cmd/migrate takes the models from.
func modelsNote(r *scaffold.Result) string {
	if r.Models.HasModelsFunc {
		return fmt.Sprintf(" (models: %s.Models() in %s)", r.Models.Package, r.ModelsDir)
	}
	return fmt.Sprintf(" (models: %s from %s)", strings.Join(r.Models.Types, ", "), r.ModelsDir)
}
