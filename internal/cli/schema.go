package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/desired"
)

type schemaOptions struct {
	Models  []any
	Desired desired.Options
}

func schemaCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the desired schema (what GORM creates for the structs) as SQL",
		Description: "The output replays on an empty SQLite database; the official Atlas CLI can use\n" +
			"this command as the program of a data \"external_schema\" block.",
		Action: func(c *cli.Context) error {
			return runSchema(c.Context, env, schemaOptions{Models: env.Models, Desired: env.desired()})
		},
	}
}

func runSchema(ctx context.Context, env *Env, o schemaOptions) error {
	if err := env.freshModels("schema"); err != nil {
		return err
	}
	ddl, err := o.Desired.DDL(ctx, o.Models...)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Out, ddl)
	return err
}
