package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/patterns"
)

type newOptions struct {
	Name     string
	Now      time.Time
	Template string // "" for an empty file
	Params   patterns.Params
}

func newCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "new",
		Usage:     "create a hashed migration file and its down script for hand-written SQL: empty, or from a --template (`new --template list`)",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "template", Usage: "start from template `NAME` (see docs/patterns.md); \"list\" lists them"},
			&cli.StringFlag{Name: "table", Usage: "template parameter: the `TABLE`"},
			&cli.StringFlag{Name: "column", Usage: "template parameter: the `COLUMN` (a comma-separated list for index, unique, seed)"},
			&cli.StringFlag{Name: "key", Usage: "template parameter (backfill): the table's primary key `COLUMN`"},
			&cli.StringFlag{Name: "value", Usage: "template parameter (backfill): the `VALUE` for NULLs (a number, else a string)"},
			&cli.StringFlag{Name: "into", Usage: "template parameter (split): the two new `COLUMNS`, e.g. first,last"},
			&cli.StringFlag{Name: "separator", Usage: "template parameter (split): the `TEXT` to split at (default a space)"},
			&cli.StringFlag{Name: "index", Usage: "template parameter (index, unique): the index `NAME` (default idx_TABLE_COLUMNS / uidx_…)"},
		},
		Action: func(c *cli.Context) error {
			tmpl := c.String("template")
			if tmpl == "list" {
				return listTemplates(env)
			}
			if tmpl == "" {
				for _, f := range []string{"table", "column", "key", "value", "into", "separator", "index"} {
					if c.IsSet(f) {
						return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("--%s is a template parameter: add --template NAME (see `structmigrate new --template list`)", f)}
					}
				}
			} else if _, ok := patterns.Lookup(tmpl); !ok {
				return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("unknown template %q: use one of %s (see `structmigrate new --template list`)", tmpl, strings.Join(patterns.Names(), ", "))}
			}
			if c.NArg() != 1 {
				return &ExitError{Code: ExitFailure, Msg: "new needs exactly one NAME, e.g. structmigrate new backfill_nicknames"}
			}
			return runNew(c.Context, env, newOptions{
				Name: c.Args().First(), Now: time.Now(), Template: tmpl,
				Params: patterns.Params{
					Table: c.String("table"), Columns: splitFlag(c.String("column")),
					Key: c.String("key"), Value: c.String("value"), ValueSet: c.IsSet("value"),
					Into: splitFlag(c.String("into")), Separator: c.String("separator"),
					Index: c.String("index"),
				},
			})
		},
	}
}

func listTemplates(env *Env) error {
	w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
	for _, p := range patterns.Patterns {
		fmt.Fprintf(w, "%s\t%s\t(--%s)\n", p.Name, p.Short, strings.Join(p.Needs, " --"))
	}
	return w.Flush()
}

func runNew(_ context.Context, env *Env, o newOptions) error {
	if err := migdir.CheckName(o.Name); err != nil {
		return err
	}
	var up, downSQL []byte
	if o.Template != "" {
		p, _ := patterns.Lookup(o.Template)
		var err error
		if up, downSQL, err = p.Render(o.Params); err != nil {
			return err // before any file is written
		}
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
	downPath, err := migdir.WriteFile(down.Dir, name, downSQL)
	if err != nil {
		return err
	}
	path, err := migdir.WriteFile(dir, name, up)
	if err != nil {
		return err
	}
	if o.Template != "" {
		fmt.Fprintf(env.Out, "Created %s and its down script %s from template %q:\nreview both (docs/patterns.md), then apply; after an edit run `structmigrate hash`.\n", path, downPath, o.Template)
		return nil
	}
	fmt.Fprintf(env.Out, "Created %s and its down script %s:\nwrite the SQL there, then run `structmigrate hash` to update the sums.\n", path, downPath)
	return nil
}

// splitFlag splits a comma-separated flag value; "" is no item.
func splitFlag(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
