package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

type setOptions struct {
	Version string        // "" : the directory's last version (as the CLI)
	Wait    time.Duration // --lock-timeout
}

func setCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "repair the revisions table: record every file up to VERSION as applied and remove later rows, running no SQL",
		ArgsUsage: "[VERSION]",
		Description: "The Atlas CLI's `migrate set`: after a branch switch, a merge that regenerated a migration, or a\n" +
			"change made by hand. Rows after VERSION, and rows whose file is not in the directory, are removed;\n" +
			"files up to VERSION are recorded as applied (type resolved). No schema change runs: check the\n" +
			"result with `status`, which compares the database with the directory at VERSION.\n" +
			"Without VERSION, the directory's last version (only on a database with history).",
		Action: func(c *cli.Context) error {
			o, err := setArgs(c)
			if err != nil {
				return err
			}
			return runSet(c.Context, env, o)
		},
	}
}

// setArgs reads set's arguments, on either engine.
func setArgs(c *cli.Context) (setOptions, error) {
	if c.NArg() > 1 {
		return setOptions{}, &ExitError{Code: ExitFailure, Msg: "set takes one VERSION, e.g. structmigrate set 20261130042119"}
	}
	return setOptions{Version: c.Args().First(), Wait: c.Duration(lockTimeoutFlag.Name)}, nil
}

// setFiles reads what set needs from the directory, on either engine and
// before the database is opened: its files and atlas.sum, validated; a
// VERSION that is not a file is refused.
func setFiles(dir migdir.Dir, version string) ([]migrate.File, migrate.HashFile, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, nil, err
	}
	sums, err := dir.Checksum()
	if err != nil {
		return nil, nil, err
	}
	if version != "" && migrate.FilesLastIndex(files, func(f migrate.File) bool { return f.Version() == version }) == -1 {
		return nil, nil, &revisions.NotInDirError{Version: version, Dir: dir.Path()}
	}
	return files, sums, nil
}

func runSet(ctx context.Context, env *Env, o setOptions) (err error) {
	dir, err := env.readDir()
	if err != nil {
		return err
	}
	files, sums, err := setFiles(dir, o.Version)
	if err != nil {
		return err
	}
	if err := env.needDB(); err != nil {
		return err
	}
	if !env.dbExists() {
		return &ExitError{Code: ExitFailure, Msg: "database " + env.DB + " does not exist: nothing to set (apply creates a new database)"}
	}
	db, err := env.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	unlock, err := dblock.Take(ctx, db, dblock.Options{Wait: o.Wait, Out: env.Out})
	if err != nil {
		return env.busy(err, o.Wait)
	}
	defer unlock()
	store := revisions.New(db)
	if o.Version == "" {
		// As the CLI: without a version, only a database with history is
		// synced to the directory's last file.
		revs, err := store.ReadRevisions(ctx)
		if err != nil {
			return err
		}
		if o.Version, err = revisions.SetLast(revs, files); err != nil {
			return err
		}
	}
	if err := store.Init(ctx); err != nil {
		return env.busy(err, o.Wait)
	}
	tx, err := sqlitedb.OpenTx(ctx, db, nil)
	if err != nil {
		return env.busy(err, o.Wait)
	}
	ops, err := revisions.Set(ctx, revisions.New(tx), files, sums, o.Version, Operator)
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return env.busy(err, o.Wait)
	}
	printSet(env.Out, o.Version, ops)
	return nil
}

// printSet writes the CLI's `migrate set` report: the current version with
// a summary, then each row changed, "+" set and "-" removed.
func printSet(w io.Writer, version string, ops []revisions.SetOp) {
	if len(ops) == 0 {
		fmt.Fprintf(w, "Nothing to change: the revisions table is at %s.\n", version)
		return
	}
	var set, removed int
	for _, op := range ops {
		if op.Op == "set" {
			set++
		} else {
			removed++
		}
	}
	var sum []string
	if set > 0 {
		sum = append(sum, fmt.Sprintf("%d set", set))
	}
	if removed > 0 {
		sum = append(sum, fmt.Sprintf("%d removed", removed))
	}
	fmt.Fprintf(w, "Current version is %s (%s):\n\n", version, strings.Join(sum, ", "))
	for _, op := range ops {
		sign := "+"
		if op.Op != "set" {
			sign = "-"
		}
		text := sign + " " + op.Version
		if op.Description != "" {
			text += " (" + op.Description + ")"
		}
		fmt.Fprintf(w, "  %s\n", text)
	}
	fmt.Fprintf(w, "\nNo migration SQL ran: `structmigrate status` compares the database with the directory at %s.\n", version)
}
