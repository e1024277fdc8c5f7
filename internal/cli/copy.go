package cli

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/config"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/pgcopy"
)

// copyCmd moves an app's rows from its SQLite env (--env, --db) to a
// PostgreSQL env migrated to the same version (docs/postgres.md).
func copyCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy every row of the SQLite database into the PostgreSQL database of --to-env, at the same migration version, in one transaction, verified",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to-env", Required: true, Usage: "`NAME` of the env block of the PostgreSQL database to fill (e.g. pg)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "copy takes no arguments: structmigrate copy --to-env NAME"}
			}
			to, err := config.Load(env.ConfigPath, env.ConfigSrc, c.String("to-env"), env.Getenv)
			if err != nil {
				return err
			}
			if to.Dialect != dialect.Postgres {
				return fmt.Errorf("copy --to-env %s: its url is not a PostgreSQL database (copy moves a SQLite database to PostgreSQL)", to.Name)
			}
			if env.InMemory || !env.dbExists() {
				if err := env.needDB(); err != nil {
					return err
				}
				return fmt.Errorf("copy: the source database %s does not exist", env.DB)
			}
			db, err := env.openDB(true)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			_, err = pgcopy.Copy(ctx, pgcopy.Input{Source: db, SourceURL: env.DB, TargetURL: to.URL, Out: env.Out})
			return err
		},
	}
}
