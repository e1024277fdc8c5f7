package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/erd"
	"github.com/structmigrate/structmigrate/internal/lint"
	"github.com/structmigrate/structmigrate/internal/migdir"
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
			return runLint(c.Context, env, lintFlags(c, env))
		},
	}
}

// lintFlags reads lint's flags. A flag replaces the env's selection of
// new files as a whole (as the Atlas CLI's --latest / --git-base do).
func lintFlags(c *cli.Context, env *Env) lintOptions {
	o := lintOptions{Base: c.String("base"), Latest: c.Int("latest"), Format: c.String("format"), NoSync: c.Bool("skip-sync")}
	if pol := env.Project.Lint; !c.IsSet("base") && !c.IsSet("latest") {
		o.Base, o.Latest = pol.GitBase, pol.Latest
	}
	return o
}

// check refuses flags that make no run.
func (o lintOptions) check() error {
	switch o.Format {
	case "text", "json", "github":
	default:
		return fmt.Errorf("lint --format: want text, json or github, got %q", o.Format)
	}
	if o.Latest < 0 {
		return fmt.Errorf("lint --latest: want a positive number of files, got %d", o.Latest)
	}
	return nil
}

// options are lint's for dir: the sync check's models unless --skip-sync.
func (o lintOptions) options(env *Env, dir migdir.Dir) lint.Options {
	models := env.Models
	if o.NoSync {
		models = nil
	}
	return lint.Options{Dir: dir, Models: models, Desired: env.desired(), Base: o.Base, Latest: o.Latest,
		Error: env.Project.Lint.Error, Exclude: env.Project.Exclude}
}

func runLint(ctx context.Context, env *Env, o lintOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	lo := o.options(env, dir)
	lo.SchemaDoc = erd.DocPath
	r, err := lint.Run(ctx, lo)
	if err != nil {
		return err
	}
	return lintResult(env, r, o.Format)
}

// lintResult prints the report; errors fail the run.
func lintResult(env *Env, r *lint.Report, format string) error {
	if err := r.Write(env.Out, format); err != nil {
		return err
	}
	if r.Errors > 0 {
		return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("lint found %d errors in %s", r.Errors, env.Dir)}
	}
	return nil
}
