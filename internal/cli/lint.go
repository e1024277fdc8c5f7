package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/erd"
	"github.com/structmigrate/structmigrate/internal/lint"
)

type lintOptions struct {
	Base   string
	Latest int
	Format string
	NoSync bool
}

func lintCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "lint",
		Usage: "check the migration directory for CI (offline): sums, replay, sync with the structs, analyzers, reversibility, history",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base", Usage: "analyze the files added since git `REF` (e.g. origin/main); default: the env's lint { git { base } }"},
			&cli.IntFlag{Name: "latest", Usage: "analyze the latest `N` files; default: the env's lint { latest }"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or github (workflow annotations)"},
			&cli.BoolFlag{Name: "skip-sync", Usage: "skip the check that the structs and the directory are in sync"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "lint takes no arguments; use --base REF or --latest N"}
			}
			o := lintOptions{Base: c.String("base"), Latest: c.Int("latest"), Format: c.String("format"), NoSync: c.Bool("skip-sync")}
			// A flag replaces the env's selection of new files as a whole
			// (as the Atlas CLI's --latest / --git-base do).
			if pol := env.Project.Lint; !c.IsSet("base") && !c.IsSet("latest") {
				o.Base, o.Latest = pol.GitBase, pol.Latest
			}
			return runLint(c.Context, env, o)
		},
	}
}

func runLint(ctx context.Context, env *Env, o lintOptions) error {
	switch o.Format {
	case "text", "json", "github":
	default:
		return fmt.Errorf("lint --format: want text, json or github, got %q", o.Format)
	}
	if o.Latest < 0 {
		return fmt.Errorf("lint --latest: want a positive number of files, got %d", o.Latest)
	}
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	models := env.Models
	if o.NoSync {
		models = nil
	}
	r, err := lint.Run(ctx, lint.Options{Dir: dir, Models: models, Desired: env.desired(), Base: o.Base, Latest: o.Latest,
		Error: env.Project.Lint.Error, Exclude: env.Project.Exclude, SchemaDoc: erd.DocPath})
	if err != nil {
		return err
	}
	if err := r.Write(env.Out, o.Format); err != nil {
		return err
	}
	if r.Errors > 0 {
		return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("lint found %d errors in %s", r.Errors, env.Dir)}
	}
	return nil
}
