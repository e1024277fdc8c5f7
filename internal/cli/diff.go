package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"ariga.io/atlas/sql/schema"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/structmigrate/structmigrate/internal/erd"
	"github.com/structmigrate/structmigrate/internal/lint"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
)

type diffOptions struct {
	Name        string
	Check       bool   // write nothing; exit 2 when a migration would be generated
	Backfill    bool   // write a reviewed backfill for NOT NULL columns without default
	Interactive bool   // ask whether a dropped and an added column are a rename
	Format      string // sql; mermaid or dot: also draw the schema after the change, with what it changes marked
	Now         time.Time
}

func diffCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "generate the next migration file from the difference between the structs and the directory",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "sql", Usage: "sql; mermaid or dot also draws the schema after the change with what it adds, changes and drops marked (with --check: only the diagram)"},
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 2 when a migration would be generated (for CI)"},
			&cli.BoolFlag{Name: "backfill", Usage: "for a NOT NULL column without default on an existing table, write a backfill to review"},
			&cli.BoolFlag{Name: "interactive", Usage: "ask whether a dropped and an added column (or table) are a rename; without a terminal, no question is asked and the answer is no", DefaultText: "when stdin is a terminal"},
		},
		Action: func(c *cli.Context) error {
			o := diffOptions{Name: c.Args().First(), Check: c.Bool("check"), Backfill: c.Bool("backfill"), Now: time.Now(), Format: c.String("format")}
			o.Interactive = isTerminal(os.Stdin)
			if c.IsSet("interactive") {
				o.Interactive = c.Bool("interactive")
			}
			if c.NArg() > 1 {
				return &ExitError{Code: ExitFailure, Msg: "diff takes one NAME, e.g. structmigrate diff add_nickname"}
			}
			return runDiff(c.Context, env, o)
		},
	}
}

func runDiff(ctx context.Context, env *Env, o diffOptions) error {
	if err := env.freshModels("diff"); err != nil {
		return err
	}
	if err := checkFormat("diff", o.Format); err != nil {
		return err
	}
	if o.Check && o.Name == "" {
		o.Name = "pending"
	}
	if o.Name == "" {
		return &ExitError{Code: ExitFailure, Msg: "diff needs a NAME for the migration, e.g. structmigrate diff add_nickname"}
	}
	if err := migdir.CheckName(o.Name); err != nil {
		return err
	}
	var dir migdir.Dir
	var err error
	if o.Check {
		dir, err = env.readDir()
	} else {
		dir, err = env.writeDir()
	}
	if err != nil {
		return err
	}
	if err := validateDown(dir); err != nil {
		return err
	}
	want, err := env.desired().Schema(ctx, env.Models...)
	if err != nil {
		return err
	}
	hints, err := env.desired().Hints(env.Models...)
	if err != nil {
		return err
	}
	var ask plan.Asker
	if o.Interactive && !o.Check {
		ask = prompter(os.Stdin, env.Err)
	}
	version, err := migdir.NextVersion(dir, o.Now)
	if err != nil {
		return err
	}
	res, err := plan.Next(ctx, dir, plan.Input{Desired: want, Version: version, Name: o.Name, Renames: hints, Ask: ask, Backfill: o.Backfill,
		Exclude: env.Project.Exclude})
	if err != nil {
		return err
	}
	// After Next, which refuses a schema whose SQL is not sound.
	if err := warnUnenforceable(ctx, env.Err, want); err != nil {
		return err
	}
	if res == nil {
		fmt.Fprintf(env.Out, "The migration directory %s is in sync with the structs: no changes.\n", env.Dir)
		return nil
	}
	var picture string
	if o.Format != "sql" {
		if picture, err = diffPicture(ctx, dir, want, o.Format); err != nil {
			return err
		}
	}
	if o.Check {
		if picture != "" {
			fmt.Fprint(env.Out, picture)
		} else {
			fmt.Fprintf(env.Out, "%s", res.File.Bytes())
		}
		return &ExitError{Code: ExitPending, Msg: fmt.Sprintf(
			"the structs and %s are out of sync: a migration would be generated (run: make migrate-diff name=<name>)", env.Dir)}
	}
	down, err := migdir.OpenDown(dir, true)
	if err != nil {
		return err
	}
	downPath, err := migdir.WriteFile(down.Dir, res.Down.Name(), res.Down.Bytes())
	if err != nil {
		return err
	}
	path, err := migdir.WriteFile(dir, res.File.Name(), res.File.Bytes())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "Created %s:\n\n%s\nCreated %s (reverts it):\n\n%s", path, res.File.Bytes(), downPath, res.Down.Bytes())
	if picture != "" {
		fmt.Fprintf(env.Out, "\nThe schema after it (%s):\n\n%s", o.Format, picture)
	}
	return nil
}

// diffPicture draws want with what it changes from the directory's
// current state marked.
func diffPicture(ctx context.Context, dir migdir.Dir, want *schema.Schema, format string) (string, error) {
	current, err := plan.State(ctx, dir, "")
	if err != nil {
		return "", err
	}
	return erd.Render(want, format, erd.Options{Before: current})
}

// warnUnenforceable reports, as lint's SM801 does, the foreign keys of
// the desired schema that SQLite cannot enforce: GORM writes them and
// apply keeps them, but nothing checks them.
func warnUnenforceable(ctx context.Context, w io.Writer, want *schema.Schema) error {
	keys, err := lint.Unenforceable(ctx, want)
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintf(w, "Warning: %s: %s\n    hint: %s\n", lint.CodeUnenforceable, k.Message(), k.Hint())
	}
	return nil
}

// isTerminal reports whether f is an interactive terminal. A character
// device is not enough: /dev/null is one too (diff </dev/null must not ask).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// prompter asks yes/no questions on w and reads the answers from r.
func prompter(r io.Reader, w io.Writer) plan.Asker {
	in := bufio.NewScanner(r)
	return func(q string) bool {
		fmt.Fprintf(w, "%s [y/N] ", q)
		if !in.Scan() {
			fmt.Fprintln(w)
			return false
		}
		a := strings.ToLower(strings.TrimSpace(in.Text()))
		return a == "y" || a == "yes"
	}
}
