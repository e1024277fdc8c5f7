package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

type newOptions struct {
	Name string
	Now  time.Time
}

func newCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "new",
		Usage:     "create an empty, hashed migration file for hand-written SQL (e.g. a data migration)",
		ArgsUsage: "NAME",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &ExitError{Code: ExitFailure, Msg: "new needs exactly one NAME, e.g. structmigrate new backfill_nicknames"}
			}
			return runNew(c.Context, env, newOptions{Name: c.Args().First(), Now: time.Now()})
		},
	}
}

func runNew(_ context.Context, env *Env, o newOptions) error {
	if err := migdir.CheckName(o.Name); err != nil {
		return err
	}
	dir, err := env.writeDir()
	if err != nil {
		return err
	}
	if err := migdir.Validate(dir); err != nil {
		return err
	}
	v, err := migdir.NextVersion(dir, o.Now)
	if err != nil {
		return err
	}
	if err := validateDown(dir); err != nil {
		return err
	}
	down, err := migdir.OpenDown(dir, true)
	if err != nil {
		return err
	}
	name := v + "_" + o.Name + ".sql"
	downPath, err := migdir.WriteFile(down.Dir, name, nil)
	if err != nil {
		return err
	}
	path, err := migdir.WriteFile(dir, name, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "Created %s and its down script %s:\nwrite the SQL there, then run `structmigrate hash` to update the sums.\n", path, downPath)
	return nil
}
