package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/erd"
)

type schemaOptions struct {
	Models  []any
	Desired desired.Options
	Format  string // sql, mermaid or dot
	Doc     bool   // the Markdown page docs/schema.md (mermaid only)
}

// formatFlag is --format of the commands that print a schema.
var formatFlag = &cli.StringFlag{Name: "format", Value: "sql", Usage: "sql, mermaid (an erDiagram, which GitHub renders) or dot (Graphviz)"}

func schemaCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the desired schema (what GORM creates for the structs) as SQL or as a diagram",
		Description: "The SQL output replays on an empty SQLite database; the official Atlas CLI can use\n" +
			"this command as the program of a data \"external_schema\" block. --format mermaid or dot draws it;\n" +
			"--doc prints the page docs/schema.md (make schema-doc), which lint keeps current (SM901).",
		Flags: []cli.Flag{formatFlag,
			&cli.BoolFlag{Name: "doc", Usage: "print the Markdown page " + erd.DocPath + " (with --format mermaid)"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "schema takes no arguments"}
			}
			return runSchema(c.Context, env, schemaOptions{Models: env.Models, Desired: env.desired(), Format: c.String("format"), Doc: c.Bool("doc")})
		},
	}
}

func runSchema(ctx context.Context, env *Env, o schemaOptions) error {
	if err := checkFormat("schema", o.Format); err != nil {
		return err
	}
	if o.Doc && o.Format != erd.Mermaid {
		return fmt.Errorf("schema --doc: the page holds a Mermaid diagram; use --format mermaid")
	}
	if err := env.freshModels("schema"); err != nil {
		return err
	}
	s, err := o.Desired.Schema(ctx, o.Models...)
	if err != nil {
		return err
	}
	var out string
	switch {
	case o.Doc:
		out, err = erd.Doc(s)
	case o.Format == "sql":
		out, err = desired.SchemaDDL(ctx, s)
	default:
		out, err = erd.Render(s, o.Format, erd.Options{})
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Out, out)
	return err
}

// checkFormat refuses a --format other than sql, mermaid or dot.
func checkFormat(cmd, format string) error {
	switch format {
	case "sql", erd.Mermaid, erd.Dot:
		return nil
	}
	return fmt.Errorf("%s --format: want sql, mermaid or dot, got %q", cmd, format)
}
