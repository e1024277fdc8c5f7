package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/status"
)

type statusOptions struct {
	Format   string // text or json
	SkipSync bool   // do not compare the structs with the directory
	Verbose  bool   // list every applied and pending file
}

func statusCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the current version, pending files and drift; exit 2 pending, 3 structs drift, 4 database drift, 5 the directory does not replay",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every applied file (and every pending one)"},
			&cli.BoolFlag{Name: "skip-sync", Usage: "do not check the structs against the directory (for a directory of another program)"},
		},
		Action: func(c *cli.Context) error {
			return runStatus(c.Context, env, statusOptions{Format: c.String("format"), SkipSync: c.Bool("skip-sync"), Verbose: c.Bool("verbose")})
		},
	}
}

func runStatus(ctx context.Context, env *Env, o statusOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("status --format: want text or json, got %q", o.Format)
	}
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	db, err := env.openDB(true)
	if err != nil {
		return err
	}
	defer db.Close()
	models := env.Models
	if o.SkipSync {
		models = nil
	}
	r, err := status.Get(ctx, db, dir, status.Input{Models: models, Desired: env.desired(), Exclude: env.Project.Exclude})
	if err != nil {
		return err
	}
	if o.Format == "json" {
		enc := json.NewEncoder(env.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.Print(env.Out, status.PrintOptions{Verbose: o.Verbose})
	}
	if code := r.ExitCode(); code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}
