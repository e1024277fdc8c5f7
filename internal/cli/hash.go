package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

func hashCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "hash",
		Usage: "re-hash atlas.sum (and down/atlas.sum) after a reviewed hand edit",
		Action: func(c *cli.Context) error {
			return runHash(c.Context, env)
		},
	}
}

func runHash(_ context.Context, env *Env) error {
	dir, err := migdir.Open(env.Dir, false) // hashing is for the directory on disk
	if err != nil {
		return err
	}
	down, err := migdir.OpenDown(dir, false)
	if err != nil {
		return err
	}
	dirs := []migdir.Dir{dir}
	if down.Exists() {
		dirs = append(dirs, down.Dir)
	}
	for _, d := range dirs {
		if err := migdir.Hash(d); err != nil {
			return err
		}
		files, err := d.Files()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "Wrote %s (%d files).\n", filepath.Join(d.Path(), migdir.SumFile), len(files))
	}
	return nil
}
