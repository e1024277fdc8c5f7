package lint

import (
	"context"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// measured replays the directory on a dev database, each file as apply
// runs it (runfile.Run: a transaction with foreign keys off, or
// txmode none), and each new file under the data-loss guard that apply
// uses, on the rows the earlier files stored (seed data): what a file
// loses there, apply would refuse too.
// Statements that fail are rule SM201's (reported by the replay).
func measured(ctx context.Context, dir migdir.Dir, files []migrate.File, isNew map[string]bool, r *Report) error {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return err
	}
	defer dev.Close()
	for _, f := range files {
		path := filepath.Join(dir.Path(), f.Name())
		if !isNew[f.Name()] {
			if runfile.Replay(ctx, dev.DB, f, path, "replaying", nil) != nil {
				return nil
			}
			continue
		}
		err = apply.RunMeasured(ctx, dev.DB, f, path, func(u *guard.Unit, losses []guard.Loss) error {
			return r.AddLosses(f, path, u, losses)
		})
		if err != nil {
			return nil // the replay rule reports failing statements
		}
	}
	return nil
}

// AddLosses reports what the guard measured f (at path) lose on the rows
// the directory's earlier files store, excused where f declares it.
func (r *Report) AddLosses(f migrate.File, path string, w guard.Writers, losses []guard.Loss) error {
	open, declared, err := guard.Undeclared(f, path, w, losses)
	if err != nil {
		return err
	}
	for _, set := range []struct {
		losses  []guard.Loss
		excused bool
	}{{open, false}, {declared, true}} {
		for _, l := range set.losses {
			file, line := l.Where, 0
			if p, n, ok := migdir.SplitLine(l.Where); ok {
				file, line = p, n
			}
			r.Add(Diagnostic{Rule: RuleData, Code: CodeDataLoss, File: file, Line: line, Excused: set.excused,
				Message: "on the rows the directory's files store, " + lossText(l)})
		}
	}
	return nil
}

// lossText is the loss without its location (the diagnostic has it).
func lossText(l guard.Loss) string {
	l.Where = ""
	return l.String()
}
