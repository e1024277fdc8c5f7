package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

func hashCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "hash",
		Usage: "re-hash the migration directory (atlas.sum) after a reviewed hand edit",
		Action: func(c *cli.Context) error {
			return runHash(c.Context, env)
		},
	}
}

func runHash(_ context.Context, env *Env) error {
	dir, err := migdir.Open(env.Dir, false)
	if err != nil {
		return err
	}
	if err := migdir.Hash(dir); err != nil {
		return err
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "Wrote %s/%s (%d files).\n", env.Dir, migdir.SumFile, len(files))
	return nil
}
