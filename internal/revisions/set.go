package revisions

import (
	"context"
	"fmt"
	"sort"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// SetOp is one row `set` changed: "set" (written as applied) or "remove".
type SetOp struct {
	*migrate.Revision
	Op string
}

// NotInDirError refuses a `set` to a version that has no file.
type NotInDirError struct{ Version, Dir string }

func (e *NotInDirError) Error() string {
	return fmt.Sprintf("migration with version %q not found in %s (set takes a version of the directory)", e.Version, e.Dir)
}

// NeedVersionError refuses `set` without a version on a database that has
// no history, as the CLI does.
type NeedVersionError struct{}

func (*NeedVersionError) Error() string {
	return "set needs a VERSION on a database without history, e.g. structmigrate set 20261130042119"
}

// SetLast is the version `set` goes to without one, as the CLI: the
// directory's last file, and only on a database with history (revs).
func SetLast(revs []*migrate.Revision, files []migrate.File) (string, error) {
	if len(revs) == 0 || len(files) == 0 {
		return "", &NeedVersionError{}
	}
	return files[len(files)-1].Version(), nil
}

// Set edits the table of s (either dialect's store, over the caller's
// transaction) as the CLI's `migrate set VERSION` does, running no
// migration SQL: rows after version are removed; the row of version, if it
// failed or stopped part way, is marked resolved; files after the last
// remaining row up to version are recorded as applied (type resolved, the
// atlas.sum hash). files and sums are the directory's, validated.
//
// Beyond the CLI: a row at or before version whose file is not in the
// directory (left by another branch) is removed too, and a resolved partial
// row counts as complete (applied = total), so that apply and status take
// the version as done, as `set` means.
func Set(ctx context.Context, s migrate.RevisionReadWriter, files []migrate.File, sums migrate.HashFile, version, operator string) ([]SetOp, error) {
	inDir := make(map[string]bool, len(files))
	for _, f := range files {
		inDir[f.Version()] = true
	}
	revs, err := s.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	var ops []SetOp
	for _, r := range revs {
		switch {
		case r.Version > version || !inDir[r.Version]:
			ops = append(ops, SetOp{r, "remove"})
			if err := s.DeleteRevision(ctx, r.Version); err != nil {
				return nil, err
			}
		case r.Version == version && (r.Error != "" || r.Applied != r.Total):
			r.Type = migrate.RevisionTypeExecute | migrate.RevisionTypeResolved
			r.Applied = r.Total
			ops = append(ops, SetOp{r, "set"})
			if err := s.WriteRevision(ctx, r); err != nil {
				return nil, err
			}
		}
	}
	if revs, err = s.ReadRevisions(ctx); err != nil {
		return nil, err
	}
	after := "" // files after this version, up to version, become applied
	if len(revs) > 0 {
		after = revs[len(revs)-1].Version
	}
	for _, f := range files {
		v := f.Version()
		if v <= after {
			continue
		}
		if v > version {
			break
		}
		h, err := sums.SumByName(f.Name())
		if err != nil {
			return nil, err
		}
		r := &migrate.Revision{
			Version: v, Description: f.Desc(), Type: migrate.RevisionTypeResolved,
			ExecutedAt: time.Now(), Hash: h, OperatorVersion: operator,
		}
		ops = append(ops, SetOp{r, "set"})
		if err := s.WriteRevision(ctx, r); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Version < ops[j].Version })
	return ops, nil
}
