package cli

import (
	"context"
	"fmt"

	"ariga.io/atlas/sql/schema"
	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/erd"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

type inspectOptions struct {
	Format string // sql, mermaid or dot
	At     string // "": the database; else the directory replayed up to this version ("latest": all files)
}

func inspectCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "inspect",
		Usage: "print the schema of the env's database, or of the migration directory at a version, as SQL or as a diagram",
		Description: "Reads the database read-only (the revisions table is left out). With --at VERSION, the\n" +
			"directory's files up to VERSION (latest: all of them) are replayed on an empty in-memory database\n" +
			"instead, and no database is opened.",
		Flags: []cli.Flag{formatFlag,
			&cli.StringFlag{Name: "at", Usage: "the migration directory at `VERSION` (latest: every file) instead of the database"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "inspect takes no arguments; use --at VERSION for the directory at a version"}
			}
			return runInspect(c.Context, env, inspectOptions{Format: c.String("format"), At: c.String("at")})
		},
	}
}

func runInspect(ctx context.Context, env *Env, o inspectOptions) error {
	if err := checkFormat("inspect", o.Format); err != nil {
		return err
	}
	var s *schema.Schema
	var err error
	if o.At != "" {
		s, err = dirAt(ctx, env, o.At)
	} else {
		s, err = inspectDB(ctx, env)
	}
	if err != nil {
		return err
	}
	var out string
	if o.Format == "sql" {
		out, err = desired.SchemaDDL(ctx, s)
	} else {
		out, err = erd.Render(s, o.Format, erd.Options{})
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Out, out)
	return err
}

// dirAt replays the directory up to version.
func dirAt(ctx context.Context, env *Env, version string) (*schema.Schema, error) {
	dir, err := env.readDir()
	if err != nil {
		return nil, err
	}
	if version == "latest" {
		version = ""
	}
	s, objs, err := plan.Replay(ctx, dir, version)
	if err != nil {
		return nil, err
	}
	objects.Attach(s, objs)
	return s, nil
}

// inspectDB reads the env's database, which must exist.
func inspectDB(ctx context.Context, env *Env) (*schema.Schema, error) {
	if err := env.needDB(); err != nil {
		return nil, err
	}
	if !env.dbExists() {
		return nil, &ExitError{Code: ExitFailure, Msg: "database " + env.DB + " does not exist: nothing to inspect (use --at VERSION for the migration directory)"}
	}
	db, err := env.openDB(true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	return objects.Inspect(ctx, drv, &schema.InspectOptions{Exclude: []string{revisions.Table}})
}
