package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/diskspace"
	"github.com/structmigrate/structmigrate/internal/restorepoint"
)

// noRestorePointFlag lets apply and rollback change the database without
// a copy first (opt-out: the copy costs time and room, see docs/rollback.md).
var noRestorePointFlag = &cli.BoolFlag{Name: "no-restore-point", Usage: "change the database without taking a restore point (a copy of it) first"}

// restorePointFlags locate and bound the restore points: apply, rollback
// and restore take them.
func restorePointFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "restore-dir", Usage: "keep restore points in `DIR` (default: the env's restore_points.dir, else <database>.restore-points beside the database)"},
		&cli.IntFlag{Name: "restore-keep", Usage: "keep the newest `N` restore points of the database (default: the env's restore_points.keep, else 10)"},
		&cli.StringFlag{Name: "restore-max-size", Usage: "prune the oldest restore points while all of them take more than `SIZE`, e.g. 5GB (default: the env's restore_points.max_size, else no cap)"},
	}
}

// restoreConfig is the env's restore_points block under the flags.
func (e *Env) restoreConfig(c *cli.Context) (*restorepoint.Config, error) {
	r := e.Project.Restore
	cfg := &restorepoint.Config{DB: e.DB, Dir: r.Dir, Keep: r.Keep, MaxBytes: r.MaxBytes}
	if c.IsSet("restore-dir") {
		if cfg.Dir = c.String("restore-dir"); cfg.Dir == "" {
			return nil, &ExitError{Code: ExitFailure, Msg: "--restore-dir: empty folder name"}
		}
	}
	if c.IsSet("restore-keep") {
		if cfg.Keep = c.Int("restore-keep"); cfg.Keep < 1 {
			return nil, &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("--restore-keep must be 1 or more, got %d (to take no restore point: --no-restore-point)", cfg.Keep)}
		}
	}
	if c.IsSet("restore-max-size") {
		n, err := diskspace.ParseSize(c.String("restore-max-size"))
		if err != nil {
			return nil, &ExitError{Code: ExitFailure, Msg: "--restore-max-size: " + err.Error()}
		}
		cfg.MaxBytes = n
	}
	if c.Bool(noRestorePointFlag.Name) {
		cfg.Disabled = "--no-restore-point"
	}
	return cfg, nil
}

type restoreOptions struct {
	Point  string // "" lists them
	Yes    bool
	Wait   time.Duration
	Config *restorepoint.Config
}

func restoreCmd(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "list the database's restore points, or put one back (after a confirmation, or --yes)",
		ArgsUsage: "[POINT]",
		Description: "apply and rollback copy the database to a restore point before they change it. Without POINT,\n" +
			"restore lists them (version, time, size). With POINT (a name from the list, or a path), it puts\n" +
			"that copy back in place of the database, atomically, holding the migration lock and keeping\n" +
			"the database it replaces as a new restore point. Stop the app first: a process that has the\n" +
			"database open keeps the old file, so restore refuses while one is seen.",
		Flags: append(restorePointFlags(), &cli.BoolFlag{Name: "yes", Usage: "replace the database without asking (required without a terminal)"}),
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return &ExitError{Code: ExitFailure, Msg: "restore takes at most one argument, the restore point"}
			}
			cfg, err := env.restoreConfig(c)
			if err != nil {
				return err
			}
			return runRestore(c.Context, env, restoreOptions{Point: c.Args().First(), Yes: c.Bool("yes"), Wait: c.Duration(lockTimeoutFlag.Name), Config: cfg})
		},
	}
}

func runRestore(ctx context.Context, env *Env, o restoreOptions) error {
	if err := env.needDB(); err != nil {
		return err
	}
	if env.InMemory {
		return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("env %q's database is in memory: it has no restore points", env.Project.Name)}
	}
	folder := o.Config.Folder(env.DB)
	base := filepath.Base(env.DB)
	if o.Point == "" {
		return listPoints(env, folder, base)
	}
	point := o.Point
	if filepath.Base(point) == point { // a name from the list
		point = filepath.Join(folder, point)
		if _, err := os.Lstat(point); os.IsNotExist(err) {
			return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("restore point %s is not in %s (`structmigrate restore` lists the names there; give a file elsewhere by its path, e.g. ./%s); nothing was changed", o.Point, folder, o.Point)}
		}
	}
	if !env.dbExists() {
		return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("database %s does not exist; nothing was changed (a restore point is a complete SQLite database: to start from one, copy it there)", env.DB)}
	}
	version, err := restorepoint.Check(ctx, point)
	if err != nil {
		return err
	}
	if !o.Yes {
		if err := confirmRestore(ctx, env, point, version); err != nil {
			return err
		}
	}
	res, err := restorepoint.Restore(ctx, restorepoint.RestoreOptions{DB: env.DB, Point: point, Config: *o.Config, Wait: o.Wait, Out: env.Out})
	if res != nil && res.Replaced != nil {
		r := res.Replaced
		note := ""
		if len(res.Pruned) > 0 {
			note = fmt.Sprintf("; pruned %d older", len(res.Pruned))
		}
		fmt.Fprintf(env.Out, "Restore point: %s (version %s, %s%s): the database as it was before the restore\n", r.Path, r.Version, diskspace.Size(uint64(r.Size)), note)
	}
	if err != nil {
		return env.busy(err, o.Wait)
	}
	fmt.Fprintf(env.Out, "Restored %s from %s: it is at version %s (`structmigrate status` compares it with the migration directory). Start the app again.\n",
		env.DB, filepath.Base(point), orNone(res.Version))
	return nil
}

// confirmRestore asks on a terminal; without one it refuses (--yes).
func confirmRestore(ctx context.Context, env *Env, point, version string) error {
	if !isTerminal(os.Stdin) {
		return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("restore replaces %s: confirm on a terminal, or pass --yes; nothing was changed", env.DB)}
	}
	current := "?"
	if db, err := env.openDB(true); err == nil {
		if v, err := restorepoint.Version(ctx, db); err == nil {
			current = orNone(v)
		}
		db.Close()
	}
	fmt.Fprintf(env.Err, "Replace %s (now at version %s) with %s (version %s)? The current database is kept as a new restore point. [y/N] ",
		env.DB, current, filepath.Base(point), orNone(version))
	in := bufio.NewScanner(os.Stdin)
	if in.Scan() {
		if a := strings.ToLower(strings.TrimSpace(in.Text())); a == "y" || a == "yes" {
			return nil
		}
	} else {
		fmt.Fprintln(env.Err)
	}
	return &ExitError{Code: ExitFailure, Msg: "restore not confirmed; nothing was changed"}
}

// listPoints prints the database's restore points, newest first.
func listPoints(env *Env, folder, base string) error {
	ps, err := restorepoint.List(folder, base)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintf(env.Out, "No restore points of %s in %s.\n", env.DB, folder)
		return nil
	}
	var total uint64
	for _, p := range ps {
		total += uint64(p.Size)
	}
	fmt.Fprintf(env.Out, "Restore points of %s in %s (%d, %s), newest first:\n\n", env.DB, folder, len(ps), diskspace.Size(total))
	w := tabwriter.NewWriter(env.Out, 0, 0, 3, ' ', 0)
	fmt.Fprintln(w, "  POINT\tVERSION\tTAKEN (UTC)\tSIZE")
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", p.Name(), p.Version, p.Time.Format("2006-01-02 15:04:05"), diskspace.Size(uint64(p.Size)))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(env.Out, "\nPut one back (stop the app first): structmigrate restore POINT")
	return nil
}

// orNone is a version for people: "none" for no version.
func orNone(v string) string {
	if v == "" {
		return restorepoint.NoVersion
	}
	return v
}
