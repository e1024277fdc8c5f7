package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/status"
)

type statusOptions struct {
	Format string // text or json
}

func statusCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the current version, applied and pending files; exit 2 when files are pending",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			return runStatus(c.Context, env, statusOptions{Format: c.String("format")})
		},
	}
}

func runStatus(ctx context.Context, env *Env, o statusOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("status --format: want text or json, got %q", o.Format)
	}
	dir, err := migdir.Open(env.Dir, false)
	if err != nil {
		return err
	}
	db, err := openReadOnly(env.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := status.Get(ctx, db, dir)
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
		r.Print(env.Out)
	}
	if r.Status != status.OK {
		return &ExitError{Code: ExitPending}
	}
	return nil
}
